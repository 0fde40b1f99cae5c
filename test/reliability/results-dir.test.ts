// One results dir, one run: a second run is refused with the name of the run that holds the folder,
// an abandoned lock is taken over, and a run never reads a summary it did not write.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_LOCK_FILE } from '../../src/results-lock.js';
import { tempWorkspace } from '../helpers/gate.js';
import { gate, readText, script } from './support.js';

const QUICK = `import { sleep } from 'k6';
export const options = { vus: 1, duration: '2s' };
export default function () { sleep(0.1); }
`;

describe('results dir lock', () => {
  it('a second run on the same results dir is refused, naming the run that holds it; the first run’s files stay its own', async () => {
    const ws = await tempWorkspace();
    const first = await script(ws, 'first.js', QUICK);
    const second = await script(ws, 'second.js', QUICK);
    const running = gate(ws, { scenarios: [first] });
    // Let the first run take the lock and start k6.
    const lockFile = path.join(ws, 'results', RESULTS_LOCK_FILE);
    for (let i = 0; i < 100 && !existsSync(lockFile); i++) await new Promise((r) => setTimeout(r, 50));
    const refused = await gate(ws, { scenarios: [second] });
    expect(refused.status).toBe(2);
    expect(refused.log).toContain(
      `results dir ${path.join(ws, 'results')} is in use by another k6-gate run (pid ${process.pid} on host ${os.hostname()}, since `,
    );
    expect(refused.log).toContain('give this run its own results-dir');
    expect(refused.log).not.toContain('$ k6 run');
    const done = await running;
    expect(done.status, done.log).toBe(0);
    const comparison = JSON.parse(readText(path.join(ws, 'results'), 'comparison.json'));
    expect(comparison.scenarios.map((s: { scenario: string }) => s.scenario)).toEqual(['first']);
    expect(existsSync(path.join(ws, 'results', 'summary-second.json'))).toBe(false);
    expect(existsSync(lockFile), 'the lock is released at the end').toBe(false);
  });

  it('an abandoned lock (its process is gone) is taken over with a log line', async () => {
    const ws = await tempWorkspace();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await mkdir(path.join(ws, 'results'), { recursive: true });
    await writeFile(
      path.join(ws, 'results', RESULTS_LOCK_FILE),
      JSON.stringify({ pid: dead, host: os.hostname(), started: '2026-01-01T00:00:00Z' }),
    );
    const run = await gate(ws, { scenarios: [await script(ws, 'quick.js', QUICK)] });
    expect(run.status, run.log).toBe(0);
    expect(run.log).toContain(`removed an abandoned lock of ${path.join(ws, 'results')} (pid ${dead} is no longer running)`);
  });

  it('a summary left by an earlier run is never read as this run’s: k6 failing before it writes one is an error', async () => {
    const ws = await tempWorkspace();
    const passing = await script(ws, 'flaky.js', QUICK);
    const earlier = await gate(ws, { scenarios: [passing] });
    expect(earlier.status).toBe(0);
    const stale = readFileSync(path.join(ws, 'results', 'summary-flaky.json'), 'utf8');
    expect(stale.length).toBeGreaterThan(0);
    // Same scenario name, now a script k6 cannot even load.
    await writeFile(path.join(ws, 'flaky.js'), 'this is not javascript(');
    const run = await gate(ws, { scenarios: [passing] });
    expect(run.status).toBe(2);
    expect(run.result.scenarios[0].error).toContain('k6 wrote no summary (summary-flaky.json)');
    expect(existsSync(path.join(ws, 'results', 'summary-flaky.json'))).toBe(false);
  });
});
