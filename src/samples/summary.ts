// The end-of-test summary of aggregated samples, in the shape k6's own summary has: trend stats,
// counter totals and rates, rate fractions, gauges, checks, and the thresholds re-evaluated.
// Pure: reads the aggregator's state, does no I/O.
import { SUMMARY_TREND_STATS } from '../k6/summary.js';
import type { MetricSummary, MetricType, RunSummary, ThresholdResult } from '../model.js';
import { SampleError, type SampleAggregator, type Series } from './aggregator.js';
import type { TrendAccumulator } from './histogram.js';
import { type GaugeState } from './aggregator.js';
import { evaluateThreshold, parseThresholdExpression } from './thresholds.js';

/** k6's default summary trend stats plus p(99), which baselines commonly watch (the list k6 is run with). */
export const DEFAULT_TREND_STATS: readonly string[] = SUMMARY_TREND_STATS;

/** Gauges that count per k6 instance; the whole test has the sum over shards (files). */
export const PER_INSTANCE_GAUGES = new Set(['vus', 'vus_max']);

/**
 * The summary of everything the aggregator holds. `durationMs` is the test duration used for
 * counter rates; `trendStats` in `--summary-trend-stats` spelling.
 */
export function summarizeSamples(
  aggregator: SampleAggregator,
  options: { durationMs: number; trendStats?: readonly string[] },
): { summary: RunSummary; bounded: boolean; trends: Map<string, TrendAccumulator> } {
  const trendStats = options.trendStats ?? DEFAULT_TREND_STATS;
  validateTrendStats(trendStats);
  const durationMs = options.durationMs;
  const seconds = durationMs / 1000;
  const metrics: Record<string, MetricSummary> = {};
  const types = new Map<string, MetricType>();
  const series = new Map<string, Series>();
  // Every trend series (metric or submetric name → its samples), for the sampling intervals of the verdict.
  const trends = new Map<string, TrendAccumulator>();
  let bounded = false;
  for (const metric of aggregator.metrics.values()) {
    for (const s of [metric.main, ...metric.submetrics]) {
      if (s.samples === 0) continue;
      types.set(s.name, metric.type);
      series.set(s.name, s);
      let values: Record<string, number>;
      if (metric.type === 'trend') {
        values = {};
        for (const stat of trendStats) values[stat] = trendStat(s.trend!, stat)!;
        if (!s.trend!.isExact) bounded = true;
        trends.set(s.name, s.trend!);
      } else if (metric.type === 'counter') {
        values = { count: s.sum, rate: seconds > 0 ? s.sum / seconds : 0 };
      } else if (metric.type === 'rate') {
        values = { rate: s.nonZero / s.samples, passes: s.nonZero, fails: s.samples - s.nonZero };
      } else {
        values = gaugeValues(metric.name, s.gauges!);
      }
      metrics[s.name] = { name: s.name, type: metric.type, contains: metric.contains, values, typeFrom: 'k6' };
    }
  }

  const thresholds: ThresholdResult[] = [];
  for (const [metric, expressions] of aggregator.thresholds) {
    for (const text of expressions) {
      const expression = parseThresholdExpression(text);
      const s = series.get(metric);
      const type = types.get(metric);
      thresholds.push(
        evaluateThreshold(metric, expression, type, (aggregation, percentile) => {
          // Read from the series, not the reported values: a threshold may use a stat trendStats leaves out.
          if (aggregation === 'p') return s!.trend!.percentile(percentile!);
          if (s!.trend) return trendStat(s!.trend, aggregation) ?? NaN;
          return metrics[metric].values[aggregation] ?? NaN;
        }),
      );
    }
  }

  const summary: RunSummary = {
    format: 'legacy',
    metrics,
    thresholds,
    checks: [...aggregator.checks.values()],
    durationMs,
  };
  return { summary, bounded, trends };
}

function gaugeValues(metric: string, gauges: Map<number, GaugeState>): Record<string, number> {
  const states = [...gauges.values()];
  if (PER_INSTANCE_GAUGES.has(metric)) {
    return {
      value: states.reduce((s, g) => s + g.last, 0),
      min: states.reduce((s, g) => s + g.min, 0),
      max: states.reduce((s, g) => s + g.max, 0),
    };
  }
  const latest = states.reduce((a, b) => (b.lastTime > a.lastTime ? b : a));
  return { value: latest.last, min: Math.min(...states.map((g) => g.min)), max: Math.max(...states.map((g) => g.max)) };
}

export function trendStat(trend: TrendAccumulator, stat: string): number | undefined {
  switch (stat) {
    case 'avg':
      return trend.avg;
    case 'min':
      return trend.min;
    case 'max':
      return trend.max;
    case 'med':
      return trend.percentile(50);
    case 'count':
      return trend.count;
    default: {
      const match = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
      return match ? trend.percentile(Number(match[1])) : undefined;
    }
  }
}

export function validateTrendStats(stats: readonly string[]): void {
  for (const stat of stats) {
    if (!/^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/.test(stat)) {
      throw new SampleError(
        `trend stat ${JSON.stringify(stat)} is not supported; expected avg, min, med, max, count or p(N) as in --summary-trend-stats`,
      );
    }
  }
}
