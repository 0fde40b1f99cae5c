// A thin adapter over @actions/tool-cache. That library reads RUNNER_TOOL_CACHE and RUNNER_TEMP from
// process.env when called and prints workflow commands (`::debug::`) and `[command]tar …` lines on
// stdout. Here the location is passed in, the variables are set only while a call runs, and outside
// GitHub Actions the library's chatter goes to the debug log instead of the CLI's stdout (which
// carries the report).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import * as tc from '@actions/tool-cache';
import type { Logger } from '../log.js';
import type { ToolCacheLocation } from './system.js';
import { ExpectedError } from '../errors.js';

export class DownloadHttpError extends ExpectedError {
  constructor(
    readonly url: string,
    readonly statusCode: number,
    options?: { cause?: unknown },
  ) {
    super(`HTTP ${statusCode}`, options);
    this.name = 'DownloadHttpError';
  }
}

export class ExtractError extends ExpectedError {
  constructor(
    message: string,
    /** What the extracting program wrote on stderr, trimmed. */
    readonly output: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExtractError';
  }
}

export interface ToolCache {
  readonly location: ToolCacheLocation;
  /** The cached folder of this exact version, or undefined. */
  find(tool: string, version: string, arch: string): string | undefined;
  /** Deletes one cached version (folder and completion marker). */
  remove(tool: string, version: string, arch: string): Promise<void>;
  /** Downloads to `dest`; an HTTP error status becomes DownloadHttpError. */
  download(url: string, dest: string): Promise<string>;
  /** Extracts into `dest` and returns it; a failing extraction becomes ExtractError. */
  extract(file: string, format: 'tar.gz' | 'zip', dest: string): Promise<string>;
  cacheDir(sourceDir: string, tool: string, version: string, arch: string): Promise<string>;
  cacheFile(sourceFile: string, targetName: string, tool: string, version: string, arch: string): Promise<string>;
  /** Puts a folder on PATH for later workflow steps; only on GitHub Actions (GITHUB_PATH set). Returns whether it did. */
  addPathOnGitHub(dir: string): boolean;
}

export function createToolCache(location: ToolCacheLocation, log: Logger): ToolCache {
  const run = <T>(fn: (output: CapturedOutput) => Promise<T>) => withRunnerEnvironment(location, log, fn);
  return {
    location,
    find(tool, version, arch) {
      const session = openSession(location);
      try {
        return tc.find(tool, version, arch) || undefined;
      } finally {
        session.close(log);
      }
    },
    async remove(tool, version, arch) {
      const folder = path.join(location.toolCacheDir, tool, version, arch);
      await rm(`${folder}.complete`, { force: true });
      await rm(folder, { recursive: true, force: true });
    },
    download(url, dest) {
      return run(async () => {
        try {
          return await tc.downloadTool(url, dest);
        } catch (error) {
          if (error instanceof tc.HTTPError) throw new DownloadHttpError(url, error.httpStatusCode ?? 0, { cause: error });
          throw error;
        }
      });
    },
    extract(file, format, dest) {
      return run(async (captured) => {
        try {
          return format === 'zip' ? await tc.extractZip(file, dest) : await tc.extractTar(file, dest);
        } catch (error) {
          const output = [...captured.stderr, ...captured.stdout]
            .join('')
            .split(/\r?\n/)
            .filter((line) => line.trim() !== '' && !line.startsWith('[command]') && !line.startsWith('::'))
            .join('\n');
          throw new ExtractError(error instanceof Error ? error.message : String(error), output, { cause: error });
        }
      });
    },
    cacheDir(sourceDir, tool, version, arch) {
      return run(() => tc.cacheDir(sourceDir, tool, version, arch));
    },
    cacheFile(sourceFile, targetName, tool, version, arch) {
      return run(() => tc.cacheFile(sourceFile, targetName, tool, version, arch));
    },
    addPathOnGitHub(dir) {
      if (!process.env.GITHUB_PATH) return false;
      core.addPath(dir);
      return true;
    },
  };
}

function setRunnerVariables(location: ToolCacheLocation): () => void {
  const saved = { RUNNER_TOOL_CACHE: process.env.RUNNER_TOOL_CACHE, RUNNER_TEMP: process.env.RUNNER_TEMP };
  process.env.RUNNER_TOOL_CACHE = location.toolCacheDir;
  process.env.RUNNER_TEMP = location.tempDir;
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** What the library wrote during one call; ExtractError quotes it (tar's or unzip's reason). */
interface CapturedOutput {
  stdout: string[];
  stderr: string[];
}

async function withRunnerEnvironment<T>(location: ToolCacheLocation, log: Logger, fn: (output: CapturedOutput) => Promise<T>): Promise<T> {
  const session = openSession(location);
  try {
    return await fn(session.output);
  } finally {
    session.close(log);
  }
}

/** Sets the runner variables and captures stdout/stderr until close(). */
function openSession(location: ToolCacheLocation): { output: CapturedOutput; close(log: Logger): void } {
  const restoreEnv = setRunnerVariables(location);
  const onGitHub = process.env.GITHUB_ACTIONS === 'true';
  const output: CapturedOutput = { stdout: [], stderr: [] };
  const originalStdout = process.stdout.write;
  const originalStderr = process.stderr.write;
  const intercept = (sink: string[], original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      // On GitHub the runner understands `::debug::`, so the library's output passes through unchanged.
      if (onGitHub) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    } as typeof process.stdout.write;
  process.stdout.write = intercept(output.stdout, originalStdout);
  process.stderr.write = intercept(output.stderr, originalStderr);
  return {
    output,
    close(log) {
      process.stdout.write = originalStdout;
      process.stderr.write = originalStderr;
      restoreEnv();
      if (onGitHub) return;
      // Logged only after the streams are restored: a terminal logger writes to stderr itself.
      for (const line of [...output.stdout, ...output.stderr].join('').split(/\r?\n/)) {
        const text = line.replace(/^::debug::/, '').trim();
        if (text) log.debug(text);
      }
    },
  };
}
