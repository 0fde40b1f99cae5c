// The I/O around shard state files (src/shard/state.ts): a shard run keeps its remote-write
// receiver's final state next to k6's summary; the merge reads every shard's file, adds them and
// judges the whole test. Raw `--out json` samples remain the path of `--raw-output`.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatCount, formatDuration } from '../format.js';
import { parseSummary } from '../k6/summary.js';
import type { Logger } from '../log.js';
import type { RunSummary } from '../model.js';
import { liveRemoteWriteSetup, remoteWriteTakenBy, type MetricsOutput } from '../observability/metrics-output.js';
import type { TrendAccumulator } from '../samples/histogram.js';
import { startRemoteWriteAnalysis } from '../samples/remote-write.js';
import { executionSegment, segmentSequence, shardStateFileName, type ShardSpec } from './shard.js';
import { ShardStateError } from './merge-error.js';
import { parseShardState, shardStateOf, shardStateText } from './state.js';
import { StateMerger } from './state-merge.js';
import { summarizeState } from './state-summary.js';

export interface ShardStateRun {
  /** Extra k6 arguments (k6's remote-write output); its variables were added to the given env. */
  args: string[];
  /**
   * Call once k6 exited: stops the receiver and writes `state-<scenario>.shard-<i>-of-<N>.json`
   * into `resultsDir` from its series and k6's summary. Returns the file name, or the problem
   * that kept it from being written.
   */
  finish(input: { summaryFile: string }): Promise<{ file?: string; problem?: string }>;
}

/**
 * Starts the loopback receiver a shard's k6 pushes to. Undefined when k6's remote-write output is
 * already the user's (then the shard writes raw samples, as with --raw-output).
 */
export async function startShardStateRun(input: {
  /** The scenario's file-name form. */
  scenario: string;
  shard: ShardSpec;
  resultsDir: string;
  k6Version: string;
  metricsOutputs?: readonly MetricsOutput[];
  k6Args: readonly string[];
  /** The variables k6 gets; the receiver's are added to it. */
  env: Record<string, string>;
  log: Logger;
}): Promise<ShardStateRun | undefined> {
  const taken = remoteWriteTakenBy(input.metricsOutputs, input.k6Args, { ...process.env, ...input.env });
  if (taken) {
    input.log.warning(`k6-gate: shard ${input.shard.index}/${input.shard.count} writes raw samples instead of a state file (${taken})`);
    return undefined;
  }
  const startMs = Date.now();
  // No breakdown or windows: the receiver only keeps the newest push of each series.
  const receiver = await startRemoteWriteAnalysis({ log: input.log, aggregator: { breakdown: false } });
  const setup = liveRemoteWriteSetup(receiver.url, input.k6Version, input.env);
  Object.assign(input.env, setup.env);
  return {
    args: setup.args,
    finish: async ({ summaryFile }) => {
      const samples = await receiver.stop();
      const endMs = Date.now();
      const series = receiver.series();
      if (series.length === 0) {
        const why = samples.problem && !samples.problem.includes('pushed no metrics') ? ` (${samples.problem})` : '';
        return { problem: `no state file written: k6 pushed no metrics to the shard's remote-write receiver${why}` };
      }
      let summary: RunSummary | undefined;
      try {
        summary = parseSummary(await readFile(summaryFile, 'utf8'), path.basename(summaryFile));
      } catch (error) {
        // The state still carries every series; only k6's exact extras (checks, thresholds) are missing.
        input.log.warning(`k6-gate: the shard state has no checks or thresholds: ${(error as Error).message}`);
      }
      const state = shardStateOf({
        series,
        summary,
        scenario: input.scenario,
        shard: input.shard,
        segment: executionSegment(input.shard),
        sequence: segmentSequence(input.shard.count),
        k6Version: input.k6Version,
        span: { startMs, endMs },
      });
      const file = shardStateFileName(input.scenario, input.shard);
      const text = shardStateText(state);
      try {
        await writeFile(path.join(input.resultsDir, file), text);
      } catch (error) {
        return { problem: `could not write the shard state ${file}: ${(error as Error).message}` };
      }
      input.log.info(
        `k6-gate: shard state ${file}: ${formatCount(state.series.length)} series, ${(Buffer.byteLength(text) / 2 ** 10).toFixed(0)} KiB` +
          (samples.problem ? ` (${samples.problem})` : ''),
      );
      return { file, ...(samples.problem ? { problem: samples.problem } : {}) };
    },
  };
}

export interface StateMergeResult {
  summary: RunSummary;
  trends: Map<string, TrendAccumulator>;
  durationMs: number;
}

/** Reads, checks and adds the shards' state files; the summary of the whole test, thresholds evaluated on it. */
export async function mergeStateFiles(input: {
  files: readonly string[];
  trendStats?: readonly string[];
  /** Extra submetrics to compute, e.g. `http_req_duration{name:login}` watched by baseline rules. */
  submetrics?: readonly string[];
  log?: Logger;
}): Promise<StateMergeResult> {
  const started = Date.now();
  // One file at a time: the merge holds the running sums and one parsed file, never all of them.
  const merger = new StateMerger();
  const versions = new Set<string>();
  for (const file of input.files) {
    const text = await readFile(file, 'utf8').catch((error: Error) => {
      throw new ShardStateError(`cannot read the shard state file ${file}: ${error.message}`, { cause: error });
    });
    const state = await parseShardState(text, file);
    if (state.k6Version) versions.add(state.k6Version);
    merger.add(state, file);
  }
  const merged = merger.result();
  const { summary, trends } = summarizeState(merged, { trendStats: input.trendStats, submetrics: input.submetrics });
  if (versions.size > 1)
    input.log?.warning(`k6-gate: the shards of ${merged.scenario} ran different k6 versions (${[...versions].join(', ')})`);
  input.log?.info(
    `merged ${input.files.length} shard state file(s) (${formatCount(merged.series.length)} series) in ${formatDuration(Date.now() - started)}; ` +
      `test duration ${formatDuration(summary.durationMs ?? 0)}; percentiles interpolated within k6's native-histogram buckets`,
  );
  return { summary, trends, durationMs: summary.durationMs ?? 0 };
}
