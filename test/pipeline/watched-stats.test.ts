// Every watched stat is asked of k6: a percentile outside k6's default --summary-trend-stats is
// measured (a first run reports it as new, never as missing), and a stat that neither the run nor the
// baseline can have is a configuration error before any verdict.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';

const SCRIPT = `import http from 'k6/http';
export const options = { vus: 1, iterations: 30 };
export default function () { http.get(__ENV.BASE_URL + '/api/products?limit=5'); }
`;

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 3 });
});
afterAll(async () => {
  await target.close();
});

async function gateWatching(watch: string[]) {
  const ws = await tempWorkspace('k6-gate-stats-');
  const script = path.join(ws, 'stats.js');
  await writeFile(script, SCRIPT);
  const log = recordingLogger();
  const result = await runGate(
    testConfig(ws, { scenarios: [{ name: 'stats', script }], target: target.url, rulesOverrides: { watch } }),
    log,
  );
  return { result, log };
}

describe('watched stats k6 does not report by default', () => {
  it('p(99.9) is asked of k6: a first run without a baseline reports it as new and passes', async () => {
    const { result } = await gateWatching(['http_req_duration:p(99.9)', 'http_req_duration:p(75)']);
    expect(result.outcome, result.scenarios[0].error).toBe('passed');
    expect(exitStatusFor(result)).toBe(0);
    const rows = result.scenarios[0].metrics;
    expect(rows.map((m) => [m.stat, m.verdict])).toEqual([
      ['p(99.9)', 'new'],
      ['p(75)', 'new'],
    ]);
    expect(rows.every((m) => typeof m.current === 'number' && m.current > 0)).toBe(true);
    expect(result.scenarios[0].verdictNote ?? '').not.toMatch(/regression confirmed/);
  });

  it('a stat neither the run nor the baseline has is a config error naming the stats the metric has', async () => {
    const { result } = await gateWatching(['http_reqs:p(95)']);
    expect(result.outcome).toBe('error');
    expect(exitStatusFor(result)).toBe(2);
    expect(result.scenarios[0].error).toBe(
      'config error: watched stat "http_reqs:p(95)" is not a stat of this run nor of the baseline; expected one of count, rate',
    );
  });
});
