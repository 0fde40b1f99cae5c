// Runs the real k6 on a scenario of scenarios/ the way the pipeline does: an argument array, no
// shell, the summary exported to a file, and a hard time limit so a stuck run cannot hang CI.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSummary } from '../../src/k6/summary.js';
import type { RunSummary } from '../../src/model.js';

export const SCENARIOS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios');
export const WORKLOADS = ['http-endpoints', 'crud-flow', 'jsonrpc', 'websocket', 'user-flow'] as const;
export const PROFILES = ['smoke', 'load', 'stress', 'spike', 'soak', 'breakpoint'] as const;

export interface K6Result {
  code: number | null;
  stdout: string;
  stderr: string;
  summary?: RunSummary;
}

export async function runK6(
  k6: string,
  command: 'run' | 'inspect',
  script: string,
  env: Record<string, string>,
  extraArgs: string[] = [],
  timeoutMs = 60_000,
): Promise<K6Result> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-scenarios-'));
  const summaryFile = path.join(dir, 'summary.json');
  const args: string[] = [command];
  if (command === 'run') args.push('--quiet', '--no-color', '--summary-export', summaryFile);
  // `-e` rather than the process environment: `k6 inspect` ignores system variables by default.
  for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`);
  args.push(...extraArgs, path.join(SCENARIOS_DIR, script));
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(k6, args, {
        cwd: SCENARIOS_DIR,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), K6_NO_USAGE_REPORT: 'true' },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, stdout: out, stderr: err });
      });
    });
    let summary: RunSummary | undefined;
    if (command === 'run') {
      const text = await readFile(summaryFile, 'utf8').catch(() => undefined);
      if (text !== undefined) summary = parseSummary(text, summaryFile);
    }
    return { code, stdout, stderr, summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sizes that keep a smoke run at about two seconds with two VUs on a shared CI machine. */
export const TINY_RUN = { PROFILE: 'smoke', VUS: '2', DURATION: '2s', THINK_TIME: '0.1' };
