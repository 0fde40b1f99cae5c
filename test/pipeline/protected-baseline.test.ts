// A protected environment (production, or one the environments file marks protected) is gated on
// its baseline entry: a run without one is an error naming the key found and the key expected, not
// a pass with every metric "new", unless allow-new-baseline lets a first run through.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';

const QUICK = `import http from 'k6/http';
export const options = { vus: 1, iterations: 5 };
export default function () { http.get(__ENV.BASE_URL + '/api/products'); }
`;

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 1, seed: 4 });
});
afterAll(() => target.close());

/** A baseline recorded without a profile: its key is `quick@@production`. */
async function workspace(): Promise<string> {
  const ws = await tempWorkspace('k6-gate-protected-');
  await writeFile(path.join(ws, 'quick.js'), QUICK);
  const recorded = await runCli(
    runArgs(
      'quick.js',
      { target: target.url, k6: testK6Path(), environment: 'production' },
      '--update-baseline',
      'always',
      '--allow-new-baseline',
      'true',
    ),
    ws,
  );
  expect(recorded.status, recorded.stderr).toBe(0);
  expect(
    Object.keys(JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path.join(ws, 'k6-baseline.json'), 'utf8'))).scenarios),
  ).toEqual(['quick@@production']);
  return ws;
}

const gated = (ws: string, ...extra: string[]) =>
  runCli(runArgs('quick.js', { target: target.url, k6: testK6Path(), environment: 'production', profile: 'smoke' }, ...extra), ws);

describe('a protected environment without its baseline entry', () => {
  it('is an error naming the key found and the key expected, before k6 runs', async () => {
    const ws = await workspace();
    const run = await gated(ws);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'baseline k6-baseline.json has no entry for "quick@smoke@production", and production is a protected environment: a run without its baseline is not a pass. The file has "quick@@production" (recorded with no profile): expected "quick@smoke@production"; run with the profile it was recorded with, or set allow-new-baseline: true (--allow-new-baseline true) to let a first run pass and record it',
    );
    expect(run.stderr).not.toContain('$ k6 run');
  });

  it('passes with a warning when allow-new-baseline is set', async () => {
    const ws = await workspace();
    const run = await gated(ws, '--allow-new-baseline', 'true');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'has no entry for "quick@smoke@production" (it has: quick@`@production`): every metric is reported as new',
    );
  });

  it('no baseline file at all is an error too; a staging job only warns', async () => {
    const ws = await tempWorkspace('k6-gate-protected-');
    await writeFile(path.join(ws, 'quick.js'), QUICK);
    const run = await gated(ws);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'no baseline at k6-baseline.json, and production is a protected environment: a run without its baseline is not a pass; expected a baseline with "quick@smoke@production", or set allow-new-baseline: true (--allow-new-baseline true) to let a first run pass and record it',
    );
    expect(existsSync(path.join(ws, 'k6-baseline.json'))).toBe(false);
    const staging = await runCli(runArgs('quick.js', { target: target.url, k6: testK6Path(), environment: 'staging' }), ws);
    expect(staging.status, staging.stderr).toBe(0);
    expect(staging.stdout).toContain('no baseline at k6-baseline.json: every metric is reported as new');
  });
});
