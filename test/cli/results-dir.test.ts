// A laptop user's results dir may be anywhere (`--results-dir ~/perf-results`); the action keeps
// the workspace rule (test/config.test.ts, test/reliability/inputs.test.ts).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromInputs } from '../../src/inputs.js';
import { runCli } from '../helpers/cli.js';

describe('results dir', () => {
  const dirs: string[] = [];
  const temp = async (prefix: string) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('the CLI writes its results to a folder outside the working directory', async () => {
    const ws = await temp('k6-gate-ws-');
    const elsewhere = path.join(await temp('k6-gate-elsewhere-'), 'perf-results');
    await writeFile(path.join(ws, 'smoke.js'), 'export default function () {}\n');
    // No k6 here: the run stops with an error, and its comparison.json still lands in the results dir.
    const run = await runCli(['run', 'smoke.js', '--results-dir', elsewhere, '--k6-path', path.join(ws, 'no-k6'), '--no-preflight'], ws);
    expect(run.stderr).not.toContain('outside the workspace');
    expect(run.status).toBe(2);
    expect(existsSync(path.join(elsewhere, 'comparison.json'))).toBe(true);
  });

  it('the action still refuses a results dir outside the workspace', async () => {
    const ws = await temp('k6-gate-ws-');
    await writeFile(path.join(ws, 'smoke.js'), 'export default function () {}\n');
    const inputs: Record<string, string> = { scenarios: 'smoke.js', 'results-dir': '/tmp/out' };
    await expect(configFromInputs((name) => inputs[name], { workspace: ws, env: {}, git: {} })).rejects.toThrow(
      /results-dir "\/tmp\/out" resolves to \/tmp\/out, outside the workspace/,
    );
  });

  it('a results dir the system cannot hold (under /proc) is refused at once with a message, not a hang', async () => {
    const ws = await temp('k6-gate-ws-');
    await writeFile(path.join(ws, 'smoke.js'), 'export default function () {}\n');
    const started = Date.now();
    const run = await runCli(
      ['run', 'smoke.js', '--results-dir', '/proc/k6-gate-results', '--k6-path', path.join(ws, 'no-k6'), '--no-preflight'],
      ws,
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'results dir /proc/k6-gate-results is not writable (ENOENT); expected a folder k6-gate can create and write, set results-dir to one',
    );
    expect(run.stderr).not.toContain('this is a bug');
    // Node's recursive mkdir spins forever on this path; anything near the test's own limit is that spin.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
