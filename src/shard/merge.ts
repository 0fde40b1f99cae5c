// Merge mode: rebuilds the end-of-test summary of a whole sharded test from the raw samples every
// shard wrote with `--out json=….json.gz`, and re-evaluates the script's thresholds on it.
//
// The files are streamed line by line through gunzip into the one sample aggregator
// (src/samples/aggregator.ts); nothing holds a whole file, and the state
// kept per metric is bounded (see histogram.ts), so memory does not grow with the number of samples.
//
// Choices a reader of the merged numbers should know (docs/scale-out.md repeats them):
// - Test duration = the longest span from first to last sample time within one shard file. Shards
//   run the same schedule, so each one spans the test; CI jobs start seconds apart, so the span
//   across shards would include that skew and understate rates. k6's own duration also counts the
//   moments before the first and after the last sample, so merged rates read slightly higher
//   (a few ms over the whole test).
// - Counter `rate` = count / duration; rate metrics: passes / (passes + fails), exact.
// - Trends: count, avg, min, max exact; percentiles exact up to DEFAULT_EXACT_LIMIT samples per
//   series, then within ±relativeError (0.1%) of a true sample value — k6's interpolation rule.
// - Gauges: min and max over all points, value = the last point in time. Exception: `vus` and
//   `vus_max` count per instance, so the whole test's value, min and max are the sums over shards.
// - Thresholds come from the Metric lines of the raw files (`data.thresholds`), from the shards'
//   summary exports (k6 leaves submetric thresholds such as `http_req_duration{name:login}` out of
//   the Metric lines) and from the caller.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { legacySummaryExportText } from '../k6/summary.js';
import type { RunSummary } from '../model.js';
import { SampleAggregator, SampleError } from '../samples/aggregator.js';
import { DEFAULT_RELATIVE_ERROR, type TrendAccumulator } from '../samples/histogram.js';
import { forEachLine } from '../samples/ndjson.js';
import { DEFAULT_TREND_STATS, summarizeSamples, validateTrendStats } from '../samples/summary.js';
import { thresholdExpressions, type ThresholdsOption } from '../samples/thresholds.js';
import { findShardFiles, findShardSummaryFiles } from './discovery.js';
import { MergeError } from './merge-error.js';
import { formatCount, formatDuration } from '../format.js';

export { DEFAULT_TREND_STATS } from '../samples/summary.js';
export { parseSubmetricName } from '../samples/aggregator.js';
export { findShardFiles, findShardSummaryFiles } from './discovery.js';
export { MergeError } from './merge-error.js';

export interface MergeInput {
  /** Raw sample files (`.json` or `.json.gz`) of all shards. */
  files: string[];
  /** The script's `options.thresholds`, when known; merged with what the files carry. */
  thresholds?: ThresholdsOption;
  /** The shards' `--summary-export` files, read only for their threshold expressions. */
  summaryFiles?: string[];
  /** Trend stats to report, in `--summary-trend-stats` spelling; default DEFAULT_TREND_STATS. */
  trendStats?: readonly string[];
  /** Extra submetrics to compute, e.g. `http_req_duration{name:login}` watched by baseline rules. */
  submetrics?: string[];
  log?: Logger;
  /** Samples kept exactly per trend series before the histogram takes over. */
  exactLimit?: number;
  /** Relative precision of percentiles in histogram mode. */
  relativeError?: number;
  /** Called every 100,000 samples and once at the end, while the merge state is alive. */
  onProgress?: (samples: number) => void;
}

export interface MergeResult {
  summary: RunSummary;
  /** Point lines read across all files. */
  samples: number;
  /** Test duration used for rates (see the header of this module). */
  durationMs: number;
  /** `exact` when every percentile is exact; `bounded` when some came from the histogram. */
  percentiles: 'exact' | 'bounded';
  /** The bound in `bounded` mode (0.001 = ±0.1%). */
  relativeError: number;
  /** Every trend series (metric or submetric name → its samples), for sampling intervals. */
  trends: Map<string, TrendAccumulator>;
}

/** Threshold keys of a legacy `--summary-export` file (the expressions, not k6's verdicts). */
async function thresholdsOfSummary(file: string): Promise<Record<string, string[]>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MergeError(`shard summary ${file} could not be read as JSON: ${(error as Error).message}`, { cause: error });
  }
  const out: Record<string, string[]> = {};
  const metrics = (data as { metrics?: Record<string, { thresholds?: Record<string, unknown> }> })?.metrics;
  if (!metrics || typeof metrics !== 'object') return out;
  for (const [name, metric] of Object.entries(metrics)) {
    if (metric?.thresholds && typeof metric.thresholds === 'object') out[name] = Object.keys(metric.thresholds);
  }
  return out;
}

/** Merges the raw samples of all shards into the summary of the whole test. */
export async function mergeShardResults(input: MergeInput): Promise<MergeResult> {
  if (input.files.length === 0) {
    throw new MergeError('no shard result files to merge; expected one raw sample file (--out json=….json.gz) per shard');
  }
  const trendStats = input.trendStats ?? DEFAULT_TREND_STATS;
  validateTrendStats(trendStats);
  const started = Date.now();
  const merger = new SampleAggregator(input);
  for (const [metric, entries] of Object.entries(input.thresholds ?? {})) {
    for (const expression of thresholdExpressions(metric, entries)) merger.addThreshold(metric, expression);
  }
  for (const file of input.summaryFiles ?? []) {
    for (const [metric, expressions] of Object.entries(await thresholdsOfSummary(file))) {
      for (const expression of expressions) merger.addThreshold(metric, expression);
    }
  }
  for (const name of input.submetrics ?? []) merger.wantSubmetric(name);

  for (const [fileIndex, file] of input.files.entries()) {
    const span = { first: Infinity, last: -Infinity };
    let lineNumber = 0;
    const where = () => `${file}:${lineNumber}`;
    const onLine = (line: string) => {
      lineNumber++;
      merger.line(line, fileIndex, span, where);
    };
    try {
      await forEachLine(file, onLine);
    } catch (error) {
      if (error instanceof MergeError || error instanceof SampleError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'Z_BUF_ERROR' || /unexpected end/i.test((error as Error).message)
          ? ' (the gzip stream ends early: did k6 stop before closing the file?)'
          : '';
      throw new MergeError(`could not read ${file} after line ${lineNumber}: ${(error as Error).message}${why}`, { cause: error });
    }
    if (span.last >= span.first) merger.longestSpanMs = Math.max(merger.longestSpanMs, span.last - span.first);
    input.log?.debug(`merged ${file}: ${lineNumber} lines`);
  }
  input.onProgress?.(merger.samples);
  if (merger.samples === 0) {
    throw new MergeError(
      `the ${input.files.length} shard file(s) hold no samples: ${input.files.join(', ')}; did the shards run k6 with --out json?`,
    );
  }

  const durationMs = merger.longestSpanMs;
  const { summary, bounded, trends } = summarizeSamples(merger, { durationMs, trendStats });
  const elapsed = Date.now() - started;
  input.log?.info(
    `merged ${formatCount(merger.samples)} samples from ${input.files.length} shard file(s) in ${formatDuration(elapsed)}; test duration ${formatDuration(durationMs)}; ` +
      (bounded ? `percentiles within ±${(input.relativeError ?? DEFAULT_RELATIVE_ERROR) * 100}% (histogram)` : 'percentiles exact'),
  );
  return {
    summary,
    samples: merger.samples,
    durationMs,
    percentiles: bounded ? 'bounded' : 'exact',
    relativeError: input.relativeError ?? DEFAULT_RELATIVE_ERROR,
    trends,
  };
}

/** Finds a scenario's shard files under `dir` and merges them: what `k6-gate merge --from DIR` does. */
export async function mergeShardDir(
  input: { dir: string; scenario: string } & Omit<MergeInput, 'files' | 'summaryFiles'>,
): Promise<MergeResult> {
  const { dir, scenario, ...rest } = input;
  const files = await findShardFiles(dir, scenario);
  const summaryFiles = await findShardSummaryFiles(dir, scenario);
  input.log?.info(
    `merging ${files.length} shard file(s) of ${scenario} from ${dir}${summaryFiles.length ? ` (+ ${summaryFiles.length} shard summaries for thresholds)` : ''}`,
  );
  return mergeShardResults({ ...rest, files, summaryFiles });
}

/**
 * Merge mode for one scenario of the gate: merges the shard files of `scenario` under `dir`,
 * computing the submetrics the watch rules name, and writes the merged summary as
 * `summary-<scenario>.json` (legacy export layout) into `resultsDir`.
 */
export async function mergeScenarioShards(input: {
  dir: string;
  /** The scenario's file-name form (as in `k6-<scenario>.shard-…`). */
  scenario: string;
  resultsDir: string;
  summaryFile: string;
  /** Metric names watched by the rules or present in the baseline; submetrics among them are computed. */
  watch?: string[];
  trendStats?: readonly string[];
  log?: Logger;
}): Promise<MergeResult & { summaryFile: string }> {
  const merged = await mergeShardDir({
    dir: input.dir,
    scenario: input.scenario,
    trendStats: input.trendStats,
    submetrics: (input.watch ?? []).filter((name) => name.includes('{')),
    log: input.log,
  });
  await writeFile(path.join(input.resultsDir, input.summaryFile), legacySummaryExportText(merged.summary));
  return { ...merged, summaryFile: input.summaryFile };
}
