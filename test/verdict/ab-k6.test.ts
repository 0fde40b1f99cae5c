// A/B mode's ABBA design (ab-design: abba) with a real k6 against two demo targets: equal → passed,
// one +50 % → regressed.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import type { Config } from '../../src/config.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';
import { freePort } from '../helpers/prometheus.js';

const SCRIPT = `import http from 'k6/http';
export const options = { vus: 1, iterations: 20 };
export default function () { http.get(__ENV.BASE_URL + '/api/products?limit=5'); }
`;

let base: DemoTarget;
let candidate: DemoTarget;
beforeAll(async () => {
  base = await startDemoTarget({ port: 0, latencyMs: 20, jitterMs: 4, seed: 1 });
  candidate = await startDemoTarget({ port: 0, latencyMs: 20, jitterMs: 4, seed: 2 });
});
afterAll(async () => {
  await base.close();
  await candidate.close();
});

async function abGate(over: Partial<Config> = {}) {
  const ws = await tempWorkspace('k6-gate-ab-');
  const script = path.join(ws, 'ab.js');
  await writeFile(script, SCRIPT);
  const log = recordingLogger();
  const result = await runGate(
    testConfig(ws, {
      scenarios: [{ name: 'ab', script }],
      target: candidate.url,
      baselineTarget: base.url,
      abDesign: 'abba',
      rulesOverrides: { watch: ['http_req_duration:p(95)', 'http_req_duration:med'] },
      ...over,
    }),
    log,
  );
  return { result, log, ws };
}

describe('A/B mode with a real k6', () => {
  it('passes when the candidate is as fast as the base deployment, after 6 ABBA pairs', async () => {
    const { result, log } = await abGate();
    expect(result.outcome).toBe('passed');
    const s = result.scenarios[0];
    expect(s.k6Runs).toBe(12);
    expect(s.verdictNote).toMatch(/A\/B mode: 6 ABBA pairs \(12 k6 runs, .* s of k6\).*no paired difference beyond the limits/);
    const med = s.metrics.find((m) => m.stat === 'med')!;
    expect(med.method).toBe('paired');
    expect(med.abBaseline).toHaveLength(6);
    expect(med.runs).toHaveLength(6);
    expect(log.text()).toContain('A/B pair 2: B (target)');
  });

  it('fails when the candidate is 50 % slower, naming the metric and the paired change', async () => {
    candidate.setKnobs({ slowdown: 0.5 });
    try {
      const { result } = await abGate();
      expect(result.outcome).toBe('regressed');
      expect(exitStatusFor(result)).toBe(1);
      const med = result.scenarios[0].metrics.find((m) => m.stat === 'med')!;
      expect(med.verdict).toBe('regressed');
      expect(med.change).toBeGreaterThan(0.3);
      expect(med.note).toMatch(
        /^A\/B med: B [\d.]+ ms vs A [\d.]+ ms \(medians of 6 ABBA pairs\), \+[\d.]+% median pair ratio, signed-rank p = 0\.031/,
      );
    } finally {
      candidate.setKnobs({ slowdown: 0 });
    }
  });
});

describe('A/B mode with a broken side', () => {
  it('the base deployment down: an error naming baseline-target before any k6 run, nothing recorded', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const { result, log, ws } = await abGate({ baselineTarget: down, healthUrl: `${candidate.url}/health`, updateBaseline: 'always' });
    expect(result.outcome).toBe('error');
    expect(exitStatusFor(result)).toBe(2);
    expect(result.scenarios[0].error).toMatch(
      /^baseline-target \(A\): target health check http:\/\/127\.0\.0\.1:\d+\/health did not succeed/,
    );
    expect(log.text()).not.toContain('A/B pair 1');
    expect(existsSync(path.join(ws, 'k6-baseline.json'))).toBe(false);
  });

  it('a side whose requests fail is an error naming the side after its round, never a verdict; nothing recorded', async () => {
    base.setKnobs({ errorRate: 1 });
    try {
      const { result, ws } = await abGate({ updateBaseline: 'always' });
      expect(result.outcome).toBe('error');
      expect(exitStatusFor(result)).toBe(2);
      const s = result.scenarios[0];
      expect(s.k6Runs).toBe(1);
      expect(s.error).toBe(
        'A/B round 1 against baseline-target (A): 20 of 20 requests failed (http_req_failed); a paired comparison needs both deployments answering',
      );
      expect(s.verdictNote).not.toMatch(/B is worse/);
      expect(existsSync(path.join(ws, 'k6-baseline.json'))).toBe(false);
    } finally {
      base.setKnobs({ errorRate: 0 });
    }
  });
});
