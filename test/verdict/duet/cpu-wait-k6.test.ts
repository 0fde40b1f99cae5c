// The duet's load-generator check with the real k6: every k6 process of the duet (both sides, both
// halves) is watched from its spawn, and the result carries their summed CPU run and wait time with
// the one rule of a single run (`k6Starved`) applied to it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../../demo/target.js';
import { cpuWaitMs, K6_CPU_WAIT_LIMIT_MS } from '../../../src/k6/load-health.js';
import { runDuet } from '../../../src/verdict/duet/run.js';
import { recordingLogger, tempWorkspace } from '../../helpers/gate.js';
import { TEST_K6_VERSION, testK6Path } from '../../helpers/k6.js';

const SCRIPT = `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 3, duration: '10m' };
export default function () {
  http.get(__ENV.BASE_URL + '/api/products?limit=5');
  sleep(0.02);
}
`;

let base: DemoTarget;
let candidate: DemoTarget;
beforeAll(async () => {
  base = await startDemoTarget({ port: 0, latencyMs: 20, jitterMs: 2, seed: 1 });
  candidate = await startDemoTarget({ port: 0, latencyMs: 20, jitterMs: 2, seed: 2 });
});
afterAll(async () => {
  await base.close();
  await candidate.close();
});

describe.skipIf(process.platform !== 'linux')('the duet’s load-generator check', () => {
  it('measures how long both k6 processes waited for a CPU over the deciding data, and trusts a k6 that was not starved', async () => {
    const ws = await tempWorkspace('k6-gate-duet-cpu-');
    const script = path.join(ws, 'duet.js');
    await writeFile(script, SCRIPT);
    const result = await runDuet({
      k6Path: testK6Path(),
      k6Version: TEST_K6_VERSION,
      script,
      scenario: 'duet',
      resultsDir: ws,
      targets: { A: base.url, B: candidate.url },
      env: {},
      secrets: [],
      log: recordingLogger(),
      blockMs: 12_000,
      maxDurationMs: 12_000,
      preflightTimeoutMs: 2000,
      stats: [{ metric: 'http_req_duration', stat: 'med' }],
    });
    expect(result.runs).toHaveLength(4);
    // Four k6 processes of ~6 s each, each with several Go threads: well over a second of CPU between them.
    expect(result.k6CpuWait!.runNs).toBeGreaterThan(0.2e9);
    expect(result.k6CpuWait!.slices).toBeGreaterThan(100);
    // A busy machine is not a starved k6: tens of ms a wakeup would be (docs/verdicts.md); sub-ms to a few ms is busy.
    expect(cpuWaitMs(result.k6CpuWait!)).toBeLessThan(K6_CPU_WAIT_LIMIT_MS);
    expect(result.untrustworthy).toBeUndefined();
  }, 120_000);
});
