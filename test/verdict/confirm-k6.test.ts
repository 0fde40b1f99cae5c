// Confirmation reruns with a real k6 against the demo target: a one-off spike (the demo's
// spikeRequests knob slows exactly the first run's requests) is cleared by the rerun; a real
// slowdown is confirmed by it. Every run keeps its own files.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import type { ScenarioSpec } from '../../src/config.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';

const ITERATIONS = 60;
const SCRIPT = `import http from 'k6/http';
export const options = { vus: 1, iterations: ${ITERATIONS} };
export default function () { http.get(__ENV.BASE_URL + '/api/products?limit=5'); }
`;

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 20, jitterMs: 4, seed: 3 });
});
afterAll(async () => {
  await target.close();
});

async function workspaceWithBaseline(): Promise<{ ws: string; scenario: ScenarioSpec }> {
  const ws = await tempWorkspace('k6-gate-confirm-');
  const script = path.join(ws, 'fixed.js');
  await writeFile(script, SCRIPT);
  const scenario = { name: 'fixed', script };
  const first = await runGate(
    testConfig(ws, {
      scenarios: [scenario],
      target: target.url,
      updateBaseline: 'always',
      rulesOverrides: { watch: ['http_req_duration:p(95)'] },
    }),
    recordingLogger(),
  );
  expect(first.outcome).toBe('passed');
  return { ws, scenario };
}

describe('confirmation reruns with a real k6', () => {
  it('clears a one-off spike: the first run regresses, the rerun does not, the gate passes and says so', async () => {
    const { ws, scenario } = await workspaceWithBaseline();
    // The spike is 5 × the 20 ms, so the first run regresses also when a busy machine slows the baseline.
    target.setKnobs({ spikeRequests: ITERATIONS, spikeSlowdown: 4 });
    const log = recordingLogger();
    const result = await runGate(
      testConfig(ws, { scenarios: [scenario], target: target.url, confirm: 2, rulesOverrides: { watch: ['http_req_duration:p(95)'] } }),
      log,
    );
    expect(target.knobs.spikeRequests).toBe(0);
    expect(result.outcome).toBe('passed');
    expect(exitStatusFor(result)).toBe(0);
    const s = result.scenarios[0];
    expect(s.k6Runs).toBe(2);
    expect(s.verdictNote).toMatch(/first run regressed, the rerun did not: not confirmed, passed; 2 k6 runs/);
    const p95 = s.metrics.find((m) => m.stat === 'p(95)')!;
    expect(p95.verdict).toBe('unchanged');
    expect(p95.runs).toHaveLength(2);
    expect(p95.runs![0]).toBeGreaterThan(p95.runs![1]);
    expect(p95.note).toMatch(/regressed in 1 of 2 runs: not confirmed/);
    expect(log.text()).toMatch(/http_req_duration p\(95\) regressed; confirmation rerun 1 of 2/);
    for (const file of ['summary-fixed.json', 'summary-fixed.run-2.json', 'k6-fixed.log', 'k6-fixed.run-2.log']) {
      expect(existsSync(path.join(ws, 'results', file)), file).toBe(true);
    }
  });

  it('confirms a real slowdown: it regresses in every run and the gate fails', async () => {
    const { ws, scenario } = await workspaceWithBaseline();
    // 5 × the 20 ms: with one core busy the baseline's p(95) can gain 20 ms or more, which would
    // hide a mere doubling; +80 ms it cannot.
    target.setKnobs({ slowdown: 4 });
    try {
      const result = await runGate(
        testConfig(ws, { scenarios: [scenario], target: target.url, confirm: 1, rulesOverrides: { watch: ['http_req_duration:p(95)'] } }),
        recordingLogger(),
      );
      expect(result.outcome).toBe('regressed');
      expect(exitStatusFor(result)).toBe(1);
      const s = result.scenarios[0];
      expect(s.k6Runs).toBe(2);
      expect(s.verdictNote).toMatch(/regression confirmed: http_req_duration p\(95\) regressed in all 2 runs/);
      const p95 = s.metrics.find((m) => m.stat === 'p(95)')!;
      expect(p95.verdict).toBe('regressed');
      expect(p95.note).toMatch(/regressed in 2 of 2 runs/);
    } finally {
      target.setKnobs({ slowdown: 0 });
    }
  });

  it('never reruns crossed thresholds away: k6 exit 99 with a regression is thresholds-failed after one run', async () => {
    const { ws } = await workspaceWithBaseline();
    const strict = path.join(ws, 'fixed-strict.js');
    await writeFile(
      strict,
      SCRIPT.replace(
        'iterations: ' + ITERATIONS + ' }',
        'iterations: ' + ITERATIONS + ", thresholds: { http_req_duration: ['p(95)<25'] } }",
      ),
    );
    target.setKnobs({ slowdown: 1 });
    try {
      const result = await runGate(
        testConfig(ws, {
          scenarios: [{ name: 'fixed', script: strict }],
          target: target.url,
          confirm: 2,
          rulesOverrides: { watch: ['http_req_duration:p(95)'] },
        }),
        recordingLogger(),
      );
      expect(result.outcome).toBe('thresholds-failed');
      expect(result.scenarios[0].k6Runs).toBeUndefined();
      expect(existsSync(path.join(ws, 'results', 'summary-fixed.run-2.json'))).toBe(false);
    } finally {
      target.setKnobs({ slowdown: 0 });
    }
  });

  it('does not rerun when confirm is 0', async () => {
    const { ws, scenario } = await workspaceWithBaseline();
    target.setKnobs({ spikeRequests: ITERATIONS, spikeSlowdown: 4 });
    const result = await runGate(
      testConfig(ws, { scenarios: [scenario], target: target.url, confirm: 0, rulesOverrides: { watch: ['http_req_duration:p(95)'] } }),
      recordingLogger(),
    );
    expect(result.outcome).toBe('regressed');
    expect(result.scenarios[0].k6Runs).toBeUndefined();
  });
});
