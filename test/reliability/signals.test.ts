// Ctrl-C, `kill` and a CI job cancel while k6 runs: the built CLI (dist/cli.js, as users run it)
// with a real k6. k6 must get SIGINT and stop, every result file must be written and marked
// cancelled, k6-gate must exit 130/143 within GitHub's cancel budget, and no k6 may outlive it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';
import { stopsWithin } from '../helpers/processes.js';

const cli = path.resolve(import.meta.dirname, '../../dist/cli.js');

/** GitHub sends SIGTERM 7.5 s after SIGINT and kills the tree 2.5 s later. */
const GITHUB_SIGTERM_AFTER_MS = 7500;

const LONG_SCRIPT = `
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
const ticks = new Counter('ticks');
export const options = { vus: 1, duration: '60s' };
export default function () { ticks.add(1); sleep(0.1); }
`;

/** teardown() runs after a SIGINT too: this one would hold k6 for 60 s. */
const SLOW_TEARDOWN_SCRIPT = `${LONG_SCRIPT}
export function teardown() { console.log('teardown started'); sleep(60); }
`;

interface Started {
  child: ChildProcess;
  k6Pid: number;
  done: Promise<{ status: number | null; stdout: string; stderr: string; endedAt: number }>;
}

/** Starts `k6-gate run` in its own process group and resolves once k6 is running iterations. */
async function startRun(ws: string, script: string, extraArgs: string[] = []): Promise<Started> {
  await writeFile(path.join(ws, 'long.js'), script);
  const child = spawn(
    process.execPath,
    [cli, 'run', 'long.js', '--k6-path', testK6Path(), '--no-preflight', '--no-html-report', '--results-dir', 'results', ...extraArgs],
    { cwd: ws, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string; endedAt: number }>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr, endedAt: Date.now() })),
  );
  for (let waited = 0; !stderr.includes('$ k6 run'); waited += 50) {
    if (waited > 20_000) throw new Error(`k6 did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Let k6 get past its start-up so the signal lands mid-test.
  await new Promise((r) => setTimeout(r, 1500));
  const k6Pid = k6Children(child.pid!)[0];
  expect(k6Pid, 'k6 is a child of k6-gate').toBeGreaterThan(0);
  return { child, k6Pid, done };
}

/** The k6 processes among the children of `pid` (its other child is the watchdog, a `sh`). */
function k6Children(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    // ps exits 1 when it lists nothing.
  }
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, command]) => command === 'k6')
    .map(([pid]) => Number(pid));
}

/** True while `ps` lists the process as running (a zombie waiting to be reaped has stopped). */
function isRunning(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false;
  }
}

describe('stop signals during a run (real k6, dist/cli.js)', () => {
  it.each([
    ['SIGINT to the process group (a terminal Ctrl-C)', 130, 'SIGINT' as const, true],
    ['SIGTERM to k6-gate (a job cancel, kill)', 143, 'SIGTERM' as const, false],
  ])('%s: k6 stops, every result file is written marked cancelled, exit %i', async (_how, status, signal, group) => {
    const ws = await tempWorkspace();
    const run = await startRun(ws, LONG_SCRIPT);
    const sentAt = Date.now();
    process.kill(group ? -run.child.pid! : run.child.pid!, signal);
    const end = await run.done;
    expect(end.status, end.stderr).toBe(status);
    expect(end.endedAt - sentAt).toBeLessThan(GITHUB_SIGTERM_AFTER_MS);
    expect(isRunning(run.k6Pid), 'no k6 outlives k6-gate').toBe(false);

    const results = path.join(ws, 'results');
    for (const file of ['summary-long.json', 'comparison.json', 'report.md', 'junit.xml', 'k6-long.log']) {
      expect(existsSync(path.join(results, file)), file).toBe(true);
    }
    const comparison = JSON.parse(readFileSync(path.join(results, 'comparison.json'), 'utf8'));
    expect(comparison).toMatchObject({ outcome: 'error', failed: true, cancelled: signal });
    expect(comparison.scenarios[0].error).toContain(`k6 was stopped because k6-gate received ${signal}`);
    // What k6 measured before the stop is kept.
    expect(comparison.scenarios[0].summary.metrics.ticks.values.count).toBeGreaterThan(5);
    const report = readFileSync(path.join(results, 'report.md'), 'utf8');
    expect(report).toContain(`## ⛔ k6-gate: cancelled (${signal})`);
    expect(end.stdout).toBe(report);
    expect(readFileSync(path.join(results, 'junit.xml'), 'utf8')).toContain(`k6-gate received ${signal}`);
    expect(end.stderr).toContain(`cancelled by ${signal}; the partial results are written`);
  });

  it('a k6 held by a slow teardown is killed after the grace period and the results are still written within the budget', async () => {
    const ws = await tempWorkspace();
    const run = await startRun(ws, SLOW_TEARDOWN_SCRIPT);
    const sentAt = Date.now();
    process.kill(run.child.pid!, 'SIGINT');
    const end = await run.done;
    expect(end.status, end.stderr).toBe(130);
    expect(end.endedAt - sentAt).toBeLessThan(GITHUB_SIGTERM_AFTER_MS);
    expect(end.stderr).toContain('k6 did not stop within the grace period: killing it (SIGKILL)');
    expect(isRunning(run.k6Pid)).toBe(false);
    const comparison = JSON.parse(readFileSync(path.join(ws, 'results', 'comparison.json'), 'utf8'));
    expect(comparison).toMatchObject({ outcome: 'error', cancelled: 'SIGINT' });
    expect(readFileSync(path.join(ws, 'results', 'report.md'), 'utf8')).toContain('## ⛔ k6-gate: cancelled (SIGINT)');
  });

  it.each([
    ['with analysis off', ['--no-analysis']],
    ['with analysis on', []],
  ])('SIGKILL of k6-gate (no handler can run) takes k6 with it, %s', async (_how, args) => {
    const ws = await tempWorkspace();
    const run = await startRun(ws, LONG_SCRIPT, args);
    expect(isRunning(run.k6Pid)).toBe(true);
    process.kill(run.child.pid!, 'SIGKILL');
    await run.done;
    expect(await stopsWithin(run.k6Pid, 3000), 'no k6 outlives k6-gate').toBe(true);
  });

  it('a second signal stops at once: k6 is killed and k6-gate exits without waiting for the grace period', async () => {
    const ws = await tempWorkspace();
    const run = await startRun(ws, SLOW_TEARDOWN_SCRIPT);
    process.kill(run.child.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    const secondAt = Date.now();
    process.kill(run.child.pid!, 'SIGTERM');
    const end = await run.done;
    expect(end.status, end.stderr).toBe(130);
    expect(end.endedAt - secondAt).toBeLessThan(1500);
    expect(end.stderr).toContain('second stop signal: killing k6 (SIGKILL)');
    expect(isRunning(run.k6Pid)).toBe(false);
  });
});
