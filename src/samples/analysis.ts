// The findings of a run's samples in report form: the per-endpoint table (top endpoints by p(95)
// and by change against the baseline), the error mix (status + error_code per endpoint) and the
// checks that failed. Pure: reads the aggregator, returns data.
import type { EndpointResult, ErrorMixEntry, ScenarioAnalysis } from '../model.js';
import type { SampleAggregator } from './aggregator.js';
import { compareCodeUnits } from '../json.js';

export interface AnalysisOptions {
  /** Endpoints listed (the rest are counted in endpointCount); default 10. */
  top?: number;
  /** Error kinds listed; default 10. */
  topErrors?: number;
  /** The baseline's per-endpoint entries (p(95) in ms and the requests it rests on), to rank by change. */
  baseline?: Record<string, { p95: number; requests: number }>;
}

/**
 * The fewest requests a p(95) must rest on, in this run and in the baseline's entry, to be compared:
 * below 20 a p(95) is the slowest request or two (a setup() call, one cold request), and its change
 * says nothing about the endpoint, so it neither shows a change nor leads the table.
 */
export const MIN_REQUESTS_FOR_CHANGE = 20;

export function analyseSamples(aggregator: SampleAggregator, options: AnalysisOptions = {}): ScenarioAnalysis {
  const top = options.top ?? 10;
  const start = Number.isFinite(aggregator.firstTime) ? aggregator.firstTime : 0;
  const all: EndpointResult[] = [];
  const errors: ErrorMixEntry[] = [];
  for (const state of aggregator.breakdown?.endpoints.values() ?? []) {
    if (state.requests === 0 && state.failed === 0) continue;
    const d = state.duration;
    const row: EndpointResult = {
      endpoint: state.endpoint,
      requests: state.requests,
      failed: state.failed,
      failureRate: state.requests > 0 ? state.failed / state.requests : 0,
      avg: d.avg,
      med: d.percentile(50),
      p95: d.percentile(95),
      max: d.max,
    };
    const base = options.baseline?.[state.endpoint];
    if (
      base !== undefined &&
      base.p95 > 0 &&
      Number.isFinite(row.p95) &&
      row.requests >= MIN_REQUESTS_FOR_CHANGE &&
      base.requests >= MIN_REQUESTS_FOR_CHANGE
    ) {
      row.baselineP95 = base.p95;
      row.p95Change = row.p95 / base.p95 - 1;
    }
    all.push(row);
    for (const kind of state.errors.values()) {
      errors.push({
        endpoint: state.endpoint,
        status: kind.status,
        errorCode: kind.errorCode,
        count: kind.count,
        firstAt: new Date(kind.firstAt).toISOString(),
        firstAfterMs: Math.max(0, kind.firstAt - start),
      });
    }
  }
  // The endpoints that moved most against the baseline lead; then the slowest by p(95).
  const byChange = all
    .filter((r) => r.p95Change !== undefined)
    .sort((a, b) => b.p95Change! - a.p95Change!)
    .slice(0, Math.ceil(top / 2));
  const chosen = new Set(byChange);
  for (const row of [...all].sort((a, b) => b.p95 - a.p95 || b.requests - a.requests)) {
    if (chosen.size >= top) break;
    chosen.add(row);
  }
  const endpoints = [...chosen].sort(
    (a, b) => (b.p95Change ?? -Infinity) - (a.p95Change ?? -Infinity) || b.p95 - a.p95 || compareCodeUnits(a.endpoint, b.endpoint),
  );
  errors.sort((a, b) => b.count - a.count || a.firstAfterMs - b.firstAfterMs);
  const failedChecks = [...aggregator.checks.values()]
    .filter((c) => c.fails > 0)
    .sort((a, b) => b.fails - a.fails)
    .map((c) => ({ name: c.name, fails: c.fails, passes: c.passes }));
  return {
    samples: aggregator.samples,
    endpointCount: all.length,
    endpoints,
    errors: errors.slice(0, options.topErrors ?? 10),
    failedChecks,
  };
}
