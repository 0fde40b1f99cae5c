// Hand-made GateResults shaped like the pipeline's, for the GitLab renderers and publisher.
import type { GateResult, MetricComparison, RunSummary, ScenarioResult } from '../../src/model.js';
import { gateResult as sharedGateResult } from '../helpers/builders.js';

export function metricRow(overrides: Partial<MetricComparison> = {}): MetricComparison {
  return {
    metric: 'http_req_duration',
    stat: 'p(95)',
    unit: 'ms',
    direction: 'lower-is-better',
    baseline: 180,
    current: 182,
    change: 182 / 180 - 1,
    verdict: 'unchanged',
    method: 'tolerance',
    band: { low: 0, high: 198 },
    samples: 1,
    tolerance: 0.1,
    note: 'p(95) 182 ms vs 180 ms, +1.1%',
    ...overrides,
  };
}

export function legacySummary(): RunSummary {
  return {
    format: 'legacy',
    metrics: {
      http_reqs: { name: 'http_reqs', type: 'counter', contains: 'default', values: { count: 120, rate: 39.5 } },
      http_req_waiting: { name: 'http_req_waiting', type: 'trend', contains: 'time', values: { avg: 20, 'p(90)': 31, 'p(95)': 35 } },
      http_req_duration: { name: 'http_req_duration', type: 'trend', contains: 'time', values: { avg: 22, 'p(95)': 212, 'p(99)': 250 } },
      http_req_failed: { name: 'http_req_failed', type: 'rate', contains: 'default', values: { rate: 0.01, passes: 1, fails: 119 } },
      checks: { name: 'checks', type: 'rate', contains: 'default', values: { rate: 0.99, passes: 119, fails: 1 } },
    },
    thresholds: [
      { metric: 'http_req_duration', expression: 'p(95)<500', ok: true },
      { metric: 'http_req_failed', expression: 'rate<0.001', ok: false },
    ],
    checks: [{ name: 'status is 200', path: '::status is 200', passes: 119, fails: 1 }],
  };
}

export function scenarioResult(overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: 'smoke',
    profile: 'smoke',
    key: 'smoke@smoke',
    exitCode: 99,
    exitMeaning: "the script's thresholds were crossed",
    outcome: 'regressed',
    summary: legacySummary(),
    thresholds: legacySummary().thresholds,
    metrics: [
      metricRow({ verdict: 'regressed', current: 212, change: 212 / 180 - 1, note: 'p(95) 212 ms vs 180 ms ±9 ms, n=8, +17.8%' }),
      metricRow({ stat: 'avg', baseline: 20, current: 22, verdict: 'unchanged', note: 'avg 22 ms vs 20 ms' }),
      metricRow({
        metric: 'http_req_failed',
        stat: 'rate',
        unit: 'ratio',
        baseline: 0,
        current: 0.01,
        verdict: 'missing',
        severity: 'warning',
        note: 'not in this run',
      }),
    ],
    files: { summary: 'summary-smoke.json', log: 'k6-smoke.log', html: 'report-smoke.html' },
    k6WallMs: 3120,
    ...overrides,
  };
}

/** The shared GateResult builder with this file's regressed staging scenario. */
export function gateResult(overrides: Partial<GateResult> = {}): GateResult {
  return sharedGateResult({
    generatedAt: '2026-01-02T03:04:05.000Z',
    k6: { version: '2.2.0', path: '/opt/k6', source: 'cache' },
    environment: 'staging',
    outcome: 'regressed',
    failed: true,
    scenarios: [scenarioResult()],
    regressions: 1,
    thresholdsFailed: 1,
    ...overrides,
  });
}
