// Judging a (merged) shard state: its end-of-test summary in k6's shape and its thresholds, as k6
// computes them for one run. Pure.
import type { MetricSummary, MetricType, RunSummary, ThresholdResult } from '../model.js';
import { parseSubmetricName } from '../samples/aggregator.js';
import { TrendAccumulator } from '../samples/histogram.js';
import { nativeToDistribution } from '../samples/remote-write.js';
import { DEFAULT_TREND_STATS, PER_INSTANCE_GAUGES, trendStat, validateTrendStats } from '../samples/summary.js';
import { evaluateThreshold, parseThresholdExpression } from '../samples/thresholds.js';
import { nativeHistogramOf } from './state-histogram.js';
import type { ShardState, StateMetric, StateSeries } from './state.js';

// ---------------------------------------------------------------------------------------------
// Judging a state

function matches(tags: Record<string, string>, filter: readonly (readonly [string, string])[] | undefined): boolean {
  return !filter || filter.every(([k, v]) => tags[k] === v);
}

/**
 * One metric's summary values from its series (`of`) and k6's own summary of it (`exact`), by
 * type; undefined when the state holds nothing of it.
 */
function metricValues(
  type: MetricType,
  of: readonly StateSeries[],
  exact: StateMetric | undefined,
  parent: string,
  durationMs: number,
  trendStats: readonly string[],
  relativeError: number | undefined,
): { values: Record<string, number>; trend?: TrendAccumulator } | undefined {
  const values: Record<string, number> = {};
  if (type === 'trend') {
    const trend = new TrendAccumulator({ relativeError });
    for (const s of of) if (s.histogram) trend.addBuckets(nativeToDistribution(nativeHistogramOf(s.histogram), s.scale ?? 1));
    if (trend.count === 0) return undefined;
    // k6's own min and max are exact; the buckets only bound them.
    if (Number.isFinite(exact?.values.min)) trend.min = exact!.values.min;
    if (Number.isFinite(exact?.values.max)) trend.max = exact!.values.max;
    for (const stat of trendStats) values[stat] = trendStat(trend, stat)!;
    return { values, trend };
  } else if (type === 'counter') {
    const count = exact?.values.count ?? (of.length > 0 ? of.reduce((sum, s) => sum + (s.value ?? 0), 0) : undefined);
    if (count === undefined) return undefined;
    values.count = count;
    values.rate = durationMs > 0 ? count / (durationMs / 1000) : 0;
  } else if (type === 'rate') {
    const counted = of.length > 0 && of.every((s) => s.passes !== undefined && s.fails !== undefined);
    const passes = exact?.values.passes ?? (counted ? of.reduce((sum, s) => sum + s.passes!, 0) : undefined);
    const fails = exact?.values.fails ?? (counted ? of.reduce((sum, s) => sum + s.fails!, 0) : undefined);
    if (passes !== undefined && fails !== undefined)
      Object.assign(values, { rate: passes + fails > 0 ? passes / (passes + fails) : 0, passes, fails });
    else if (of.length > 0) values.rate = of.reduce((sum, s) => sum + (s.value ?? 0), 0) / of.length;
    else return undefined;
  } else {
    if (exact && Number.isFinite(exact.values.value)) Object.assign(values, exact.values);
    else if (of.length > 0) {
      const points = of.map((s) => s.value ?? 0);
      values.value = PER_INSTANCE_GAUGES.has(parent) ? points.reduce((a, b) => a + b, 0) : points[points.length - 1];
      values.min = Math.min(...points);
      values.max = Math.max(...points);
    } else return undefined;
  }
  return { values };
}

/** The state's thresholds evaluated on its summary, as k6 evaluates them on one run. */
function evaluateStateThresholds(
  state: ShardState,
  metrics: Record<string, MetricSummary>,
  trends: ReadonlyMap<string, TrendAccumulator>,
): ThresholdResult[] {
  const thresholds: ThresholdResult[] = [];
  for (const [metric, expressions] of Object.entries(state.thresholds)) {
    for (const text of expressions) {
      const summary = metrics[metric];
      thresholds.push(
        evaluateThreshold(metric, parseThresholdExpression(text), summary?.type, (aggregation, percentile) => {
          const trend = trends.get(metric);
          if (aggregation === 'p') return trend ? trend.percentile(percentile!) : NaN;
          if (trend) return trendStat(trend, aggregation) ?? NaN;
          return summary.values[aggregation] ?? NaN;
        }),
      );
    }
  }
  return thresholds;
}

/**
 * The end-of-test summary of a (merged) state, in k6's shape, with the thresholds evaluated on it
 * as k6 evaluates them on one run. Counter counts, rate passes/fails, gauges and trend min/max come
 * from k6's summaries when the state has them (exact); trend percentiles, count and avg from the
 * summed histograms. `submetrics`: extra names to compute (`http_req_duration{name:login}`).
 */
export function summarizeState(
  state: ShardState,
  options: { trendStats?: readonly string[]; submetrics?: readonly string[]; relativeError?: number } = {},
): { summary: RunSummary; trends: Map<string, TrendAccumulator> } {
  const trendStats = options.trendStats ?? DEFAULT_TREND_STATS;
  validateTrendStats(trendStats);
  const durationMs = state.span.durationMs ?? Math.max(0, state.span.endMs - state.span.startMs);
  const names = new Set<string>([
    ...state.series.map((s) => s.metric),
    ...Object.keys(state.metrics),
    ...Object.keys(state.thresholds),
    ...(options.submetrics ?? []),
  ]);
  const metrics: Record<string, MetricSummary> = {};
  const trends = new Map<string, TrendAccumulator>();
  for (const name of names) {
    const parsed = parseSubmetricName(name);
    const parent = parsed?.parent ?? name;
    const of = state.series.filter((s) => s.metric === parent && matches(s.tags, parsed?.tags));
    const exact = state.metrics[name];
    const type = of[0]?.type ?? exact?.type ?? state.metrics[parent]?.type;
    const contains = of[0]?.contains ?? exact?.contains ?? state.metrics[parent]?.contains ?? 'default';
    if (!type) continue;
    const computed = metricValues(type, of, exact, parent, durationMs, trendStats, options.relativeError);
    if (!computed) continue;
    if (computed.trend) trends.set(name, computed.trend);
    metrics[name] = { name, type, contains, values: computed.values, typeFrom: 'k6' };
  }

  const thresholds = evaluateStateThresholds(state, metrics, trends);
  return {
    summary: {
      format: 'legacy',
      metrics,
      thresholds,
      checks: state.checks.map((c) => ({ ...c })),
      ...(state.k6Version ? { k6Version: state.k6Version } : {}),
      durationMs,
    },
    trends,
  };
}
