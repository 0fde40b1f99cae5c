// GateResults for the HTML report's tests: a regressed history-mode scenario with a trend, a band and
// endpoints, an A/B scenario, and names a hostile script could choose.
import type { GateResult } from '../../src/model.js';
import { gateResult, metricRow, scenarioResult } from '../helpers/builders.js';

export const HOSTILE = `<img src=x onerror="alert(1)">`;

export function chartedResult(): GateResult {
  const history = [61, 63, 62, 60, 64, 62, 61, 63, 62];
  const regressed = scenarioResult({
    outcome: 'regressed',
    trend: [
      { metric: 'http_req_duration', stat: 'p(95)', values: [...history, 92] },
      { metric: 'http_req_duration', stat: 'med', values: [30, 31, 30, 29, 31, 30] },
    ],
    metrics: [
      metricRow({ metric: 'http_req_duration', stat: 'med', baseline: 30, current: 30.5, band: { low: 27, high: 33 } }),
      metricRow({
        metric: 'http_req_duration',
        stat: 'p(95)',
        baseline: 62,
        current: 92,
        verdict: 'regressed',
        band: { low: 57, high: 68.2 },
        note: 'p(95) 92 ms vs 62 ms, +48.4%',
      }),
      metricRow({ metric: `http_req_duration{name:${HOSTILE}}`, stat: 'p(95)', baseline: 10, current: 10 }),
    ],
    analysis: {
      samples: 600,
      endpointCount: 2,
      endpoints: [
        {
          endpoint: 'GET /api/products',
          requests: 400,
          failed: 0,
          failureRate: 0,
          avg: 40,
          med: 35,
          p95: 92,
          max: 130,
          baselineP95: 62,
          p95Change: 0.484,
        },
        { endpoint: `GET /${HOSTILE}`, requests: 200, failed: 2, failureRate: 0.01, avg: 12, med: 10, p95: 20, max: 31 },
      ],
      errors: [],
      failedChecks: [],
    },
  });
  const ab = scenarioResult({
    scenario: 'checkout',
    key: 'checkout@smoke',
    verdictNote: 'A/B: 6 rounds',
    metrics: [
      metricRow({
        metric: 'http_req_duration',
        stat: 'p(95)',
        baseline: 50,
        current: 52,
        method: 'paired',
        runs: [52, 51, 53, 52, 50, 54],
        abBaseline: [50, 50, 51, 49, 50, 51],
        note: '+3.9% median pair ratio',
      }),
    ],
  });
  return gateResult({
    outcome: 'regressed',
    failed: true,
    regressions: 1,
    environment: 'staging',
    warnings: [`a warning naming ${HOSTILE}`],
    scenarios: [ab, regressed],
  });
}
