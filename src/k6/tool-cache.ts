// The tool cache k6 is installed into: the layout of @actions/tool-cache (`<dir>/<tool>/<version>/<arch>`
// plus a `<arch>.complete` marker), so a runner's cache is shared with setup-* actions, but every
// location is passed in and nothing is written to stdout. Why not the library itself, measured:
// docs/adr/0006-own-tool-cache.md (no deadline can be given to its downloads, `::debug::` lines on
// stdout, directories only from the environment). Downloads go through @actions/http-client (proxy
// settings from HTTPS_PROXY/NO_PROXY, like the library), with an idle limit per attempt and a total
// budget; archives are unpacked by tar/unzip through k6/process.ts.
import { appendFileSync, createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { HttpClient } from '@actions/http-client';
import type { Logger } from '../log.js';
import type { ToolCacheLocation } from './system.js';
import { ExpectedError } from '../errors.js';
import { runProcess } from './process.js';

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
  /** A new empty folder for one install's scratch files, under the temp dir. */
  makeWorkDir(prefix: string): Promise<string>;
  /** Downloads to `dest`; an HTTP error status becomes DownloadHttpError. */
  download(url: string, dest: string): Promise<string>;
  /** Extracts into `dest` and returns it; a failing extraction becomes ExtractError. */
  extract(file: string, format: 'tar.gz' | 'zip', dest: string): Promise<string>;
  cacheDir(sourceDir: string, tool: string, version: string, arch: string): Promise<string>;
  cacheFile(sourceFile: string, targetName: string, tool: string, version: string, arch: string): Promise<string>;
  /** Puts a folder on PATH for later workflow steps; only on GitHub Actions (GITHUB_PATH set). Returns whether it did. */
  addPathOnGitHub(dir: string): boolean;
}

export interface ToolCacheOptions {
  /** Wait between download attempts; default 10–20 s at random (as @actions/tool-cache). */
  retryDelayMs?: number;
  /** An attempt that receives nothing for this long (no answer, a stalled body) fails; default 30 s. */
  idleTimeoutMs?: number;
  /** Every attempt and wait of one file's download ends within this; default 10 min. */
  budgetMs?: number;
  /** Environment for GITHUB_PATH/PATH (addPathOnGitHub) and the platform's archive tools. */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

const DOWNLOAD_ATTEMPTS = 3;
const IDLE_TIMEOUT_MS = 30_000;
const DOWNLOAD_BUDGET_MS = 10 * 60_000;

/** A download that ran out of time: no byte for the idle time, or the whole budget spent. */
export class DownloadTimeoutError extends ExpectedError {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadTimeoutError';
  }
}

/** Retried: network failures, 5xx, 408 and 429; any other HTTP status is an answer. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof DownloadHttpError)) return true;
  return error.statusCode >= 500 || error.statusCode === 408 || error.statusCode === 429;
}

export function createToolCache(location: ToolCacheLocation, log: Logger, options: ToolCacheOptions = {}): ToolCache {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const folderOf = (tool: string, version: string, arch: string) => path.join(location.toolCacheDir, tool, version, arch);
  /** Empties the version's folder and drops its marker: a half-written folder is never "found". */
  const prepare = async (tool: string, version: string, arch: string) => {
    const folder = folderOf(tool, version, arch);
    await removeFolder(folder);
    await mkdir(folder, { recursive: true });
    return folder;
  };
  const complete = async (folder: string) => {
    await writeFile(`${folder}.complete`, '');
    log.debug(`cached in ${folder}`);
    return folder;
  };

  return {
    location,
    find(tool, version, arch) {
      const folder = folderOf(tool, version, arch);
      return existsSync(folder) && existsSync(`${folder}.complete`) ? folder : undefined;
    },
    async makeWorkDir(prefix) {
      await mkdir(location.tempDir, { recursive: true });
      return mkdtemp(path.join(location.tempDir, prefix));
    },
    remove: (tool, version, arch) => removeFolder(folderOf(tool, version, arch)),
    download: (url, dest) => downloadWithRetries(url, dest, options, log),
    async extract(file, format, dest) {
      await mkdir(dest, { recursive: true });
      // GNU tar cannot read zip; Windows' bsdtar (tar.exe) reads both.
      const [command, args] =
        format === 'tar.gz'
          ? ['tar', ['-xzf', file, '-C', dest]]
          : platform === 'win32'
            ? ['tar', ['-xf', file, '-C', dest]]
            : ['unzip', ['-o', '-q', file, '-d', dest]];
      log.debug(`running ${command} ${(args as string[]).join(' ')}`);
      await runArchiveTool(command, args as string[]);
      return dest;
    },
    async cacheDir(sourceDir, tool, version, arch) {
      const folder = await prepare(tool, version, arch);
      for (const entry of await readdir(sourceDir)) await cp(path.join(sourceDir, entry), path.join(folder, entry), { recursive: true });
      return complete(folder);
    },
    async cacheFile(sourceFile, targetName, tool, version, arch) {
      const folder = await prepare(tool, version, arch);
      await cp(sourceFile, path.join(folder, targetName));
      return complete(folder);
    },
    addPathOnGitHub(dir) {
      // What @actions/core's addPath does: later steps read GITHUB_PATH, this process reads PATH.
      if (!env.GITHUB_PATH) return false;
      appendFileSync(env.GITHUB_PATH, `${dir}${os.EOL}`);
      env.PATH = `${dir}${path.delimiter}${env.PATH ?? ''}`;
      return true;
    },
  };
}

/** One download within the budget: retried after a network failure, 5xx, 408 or 429, never another answer. */
async function downloadWithRetries(url: string, dest: string, options: ToolCacheOptions, log: Logger): Promise<string> {
  // Loaded on a cache miss only, and outside the retries (a module that cannot load is no network
  // problem): the http client, with undici, is costly to evaluate at every start.
  const { HttpClient } = await import('@actions/http-client');
  const idleMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const budgetMs = options.budgetMs ?? DOWNLOAD_BUDGET_MS;
  const deadline = Date.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      log.debug(`Downloading ${url} to ${dest} (attempt ${attempt} of ${DOWNLOAD_ATTEMPTS})`);
      // socketTimeout: the client's own limit on a silent connection (its default is 3 min).
      const client = new HttpClient('k6-gate', [], {
        allowRetries: false,
        allowRedirects: true,
        maxRedirects: 10,
        socketTimeout: idleMs,
      });
      await downloadOnce(client, url, dest, { idleMs, deadline, budgetMs });
      return dest;
    } catch (error) {
      await rm(dest, { force: true });
      const left = deadline - Date.now();
      if (attempt >= DOWNLOAD_ATTEMPTS || !isRetryable(error) || left <= 0) {
        throw attempt > 1 && error instanceof Error ? Object.assign(error, { message: `${error.message} (${attempt} attempts)` }) : error;
      }
      const delay = Math.min(left, options.retryDelayMs ?? 10_000 + Math.floor(Math.random() * 10_000));
      log.debug(`download of ${url} failed (${(error as Error).message}); retrying in ${Math.round(delay / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The marker first: a folder half removed is never "found". */
async function removeFolder(folder: string): Promise<void> {
  await rm(`${folder}.complete`, { force: true });
  await rm(folder, { recursive: true, force: true });
}

async function downloadOnce(
  client: HttpClient,
  url: string,
  dest: string,
  limits: { idleMs: number; deadline: number; budgetMs: number },
): Promise<void> {
  let budgetTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  try {
    const response = await client.get(url).catch((error: Error) => {
      throw /^Request timeout/.test(error.message) ? new DownloadTimeoutError(`no answer within ${seconds(limits.idleMs)}`) : error;
    });
    // The body has the same limits: data at least every idleMs, all of it within the budget.
    const fail = (error: Error) => response.message.destroy(error);
    const idle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => fail(new DownloadTimeoutError(`no data for ${seconds(limits.idleMs)}`)), limits.idleMs);
    };
    idle();
    response.message.on('data', idle);
    budgetTimer = setTimeout(
      () => fail(new DownloadTimeoutError(`not finished within ${seconds(limits.budgetMs)}`)),
      Math.max(0, limits.deadline - Date.now()),
    );
    const status = response.message.statusCode ?? 0;
    if (status !== 200) {
      response.message.resume();
      throw new DownloadHttpError(url, status);
    }
    const expected = Number(response.message.headers['content-length'] ?? NaN);
    let received = 0;
    response.message.on('data', (chunk: Buffer) => (received += chunk.length));
    await pipeline(response.message, createWriteStream(dest, { flags: 'wx' }));
    // A connection that closes early can look like a normal end of the body.
    if (Number.isFinite(expected) && received < expected) throw new Error(`premature close after ${received} of ${expected} bytes`);
  } finally {
    clearTimeout(idleTimer);
    clearTimeout(budgetTimer);
    client.dispose();
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

async function runArchiveTool(command: string, args: string[]): Promise<void> {
  const run = await runProcess(command, args, { keep: 'all' });
  if (run.spawnError) throw new ExtractError(`could not run ${command}: ${run.spawnError.message}`, '', { cause: run.spawnError });
  if (run.exitCode !== 0) throw new ExtractError(`${command} exited with ${run.exitCode ?? run.signal}`, run.output.trim());
}
