// A run's own samples → the sampling bands of its watched percentiles. The samples come from the one
// sample aggregator (src/samples/): live while k6 runs (the gate's live analysis), or read from a
// finished raw file (`--out json=…[.gz]`, the noise lab's replay) through the same reader.
import { percentOfStat, percentileInterval, type RankedSamples } from '../baseline/sampling.js';
import { SAMPLING_CONFIDENCE, type SamplingBand } from '../baseline/compare.js';
import type { MetricRule } from '../baseline/rules.js';
import type { SampleAggregator } from '../samples/aggregator.js';
import { readRunSamples } from '../samples/live.js';

/** The metrics (and submetrics) whose percentiles the rules watch: what the aggregator must keep apart. */
export function watchedPercentileMetrics(watch: readonly Pick<MetricRule, 'metric' | 'stat'>[]): string[] {
  return [...new Set(watch.filter((r) => percentOfStat(r.stat) !== undefined).map((r) => r.metric))];
}

/** The trend series an aggregator holds for these metrics. */
export function trendsOf(aggregator: SampleAggregator, metrics: readonly string[]): Map<string, RankedSamples> {
  const out = new Map<string, RankedSamples>();
  for (const metric of metrics) {
    const trend = aggregator.trend(metric);
    if (trend) out.set(metric, trend);
  }
  return out;
}

/** The trend series of one finished raw sample file, for the watched metrics (submetrics included). */
export async function collectRunSamples(rawFile: string, watchedMetrics: readonly string[]): Promise<Map<string, RankedSamples>> {
  const samples = await readRunSamples(rawFile, [...watchedMetrics]);
  return trendsOf(samples.aggregator, watchedMetrics);
}

/** Sampling bands of every watched percentile whose samples are known (pure). */
export function samplingBands(
  samples: ReadonlyMap<string, RankedSamples>,
  watch: readonly Pick<MetricRule, 'metric' | 'stat'>[],
  confidence = SAMPLING_CONFIDENCE,
): Record<string, Record<string, SamplingBand>> {
  const out: Record<string, Record<string, SamplingBand>> = {};
  for (const rule of watch) {
    const source = samples.get(rule.metric);
    const percent = percentOfStat(rule.stat);
    if (!source || percent === undefined || source.count === 0) continue;
    const interval = percentileInterval(source, percent, confidence);
    (out[rule.metric] ??= {})[rule.stat] = { n: interval.n, low: interval.low, high: interval.high, confidence };
  }
  return out;
}
