// The smallest change the gate can see, end to end: a real k6 run against the demo target, judged
// against a baseline whose p(95) history is spread wider than the tolerance. What a user reads
// (report.md, gate-report.html) and what a later step reads (comparison.json) both say it.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeBaseline } from '../../src/baseline/format.js';
import { runGate } from '../../src/gate/gate.js';
import type { GateResult } from '../../src/model.js';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { resolveScenario } from '../../src/scenarios.js';
import { baselineOf, statWith } from '../baseline/fixtures.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 20, jitterMs: 10, seed: 7 });
});
afterAll(async () => {
  await target.close();
});

describe('the smallest change the gate can see, with a real k6', () => {
  it('comparison.json, report.md and gate-report.html say what each stat can see, and that p(95) cannot see its tolerance', async () => {
    const ws = await tempWorkspace();
    const scenario = await resolveScenario('http-endpoints', ws);
    // Eight accepted runs of p(95) in ms, as a shared runner records them: s = 0.0793 on the logs.
    const history = [30, 26.7, 34.2, 29.2, 32.5, 28.3, 31.7, 30.8];
    const logs = history.map(Math.log);
    const meanLog = logs.reduce((a, b) => a + b) / logs.length;
    const s = Math.sqrt(logs.reduce((a, v) => a + (v - meanLog) ** 2, 0) / (logs.length - 1));
    const baseline = baselineOf('http-endpoints@smoke', { http_req_duration: { 'p(95)': statWith(history, 30.4, 'ms') } });
    await writeFile(path.join(ws, 'k6-baseline.json'), serializeBaseline(baseline));
    const config = testConfig(ws, {
      scenarios: [scenario],
      target: target.url,
      // One run decides (no rerun), so the MDE is the single run's: (t₀.₉₉₅,₇ + z₀.₈)·s·√(1 + 1/8).
      confirm: 0,
      env: { VUS: '2', DURATION: '3s', THINK_TIME: '0.05', P95_MS: '5000', P99_MS: '10000' },
    });
    const result = await runGate(config, recordingLogger());
    expect(result.scenarios[0].error).toBeUndefined();

    const comparison = JSON.parse(readFileSync(path.join(config.resultsDir, 'comparison.json'), 'utf8')) as GateResult;
    const p95 = comparison.scenarios[0].metrics.find((m) => m.metric === 'http_req_duration' && m.stat === 'p(95)')!;
    expect(p95.method).toBe('prediction-interval');
    expect(p95.mde).toBeCloseTo(Math.expm1((3.4995 + 0.8416) * s * Math.sqrt(1 + 1 / 8)), 3);
    expect(p95.mdeBasis).toMatchObject({ source: 'history', scale: 'log', power: 0.8 });
    // Stats the baseline does not have yet carry no MDE.
    expect(comparison.scenarios[0].metrics.filter((m) => m.verdict === 'new').every((m) => m.mde === undefined)).toBe(true);

    const report = readFileSync(path.join(config.resultsDir, 'report.md'), 'utf8');
    expect(report).toMatch(/ Can see ≥ \|/);
    expect(report).toMatch(/\| `http_req_duration` +\| p\(95\) +\|.*\| +45% ⚠️ \|/);
    expect(report).toContain('This gate can only see changes ≥ 45% on `http_req_duration` p(95); the tolerance is 10%');
    const html = readFileSync(path.join(config.resultsDir, 'gate-report.html'), 'utf8');
    expect(html).toContain('can see changes ≥ 45%');
    expect(html).toContain('<p class="blind-spot">⚠️ This gate can only see changes ≥ 45% on http_req_duration p(95)');
  });
});
