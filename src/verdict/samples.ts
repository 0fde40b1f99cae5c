// A run's own samples → the sampling bands of its watched percentiles. The samples come from k6's
// raw output (`--out json=…gz`) read after k6 exits, through the shard merge's reader: the ONE
// place that parses k6's NDJSON. This is the one function to point at a live aggregator later.
import { percentOfStat, percentileInterval, type RankedSamples } from '../baseline/sampling.js';
import { SAMPLING_CONFIDENCE, type SamplingBand } from '../baseline/compare.js';
import type { MetricRule } from '../baseline/rules.js';
import { mergeShardResults } from '../shard/merge.js';
import type { Logger } from '../log.js';

/** The trend series of one run's raw sample file, for the watched metrics (submetrics included). */
export async function collectRunSamples(rawFile: string, watchedMetrics: readonly string[]): Promise<Map<string, RankedSamples>> {
  const merged = await mergeShardResults({ files: [rawFile], submetrics: watchedMetrics.filter((m) => m.includes('{')) });
  const out = new Map<string, RankedSamples>();
  for (const metric of watchedMetrics) {
    const trend = merged.trends.get(metric);
    if (trend) out.set(metric, trend);
  }
  return out;
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

/**
 * The sampling bands of one finished run, from its raw sample file. A file that cannot be read
 * costs the bands only (a warning), never the verdict: the comparison then works as before.
 */
export async function runSamplingBands(
  rawFile: string,
  watch: readonly Pick<MetricRule, 'metric' | 'stat'>[],
  log: Logger,
): Promise<Record<string, Record<string, SamplingBand>> | undefined> {
  const metrics = [...new Set(watch.filter((r) => percentOfStat(r.stat) !== undefined).map((r) => r.metric))];
  if (metrics.length === 0) return undefined;
  try {
    return samplingBands(await collectRunSamples(rawFile, metrics), watch);
  } catch (error) {
    log.warning(`k6-gate: no sampling bands for this run (${(error as Error).message}); judged on the history band alone`);
    return undefined;
  }
}
