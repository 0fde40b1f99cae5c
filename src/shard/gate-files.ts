// The gate's two sharded moments: a shard job keeps its summary and log under shard names (every
// shard's files meet in one folder at merge time), and the merge job builds the whole test's
// summary from the shards' state files (state-files.ts), or from their raw samples when the shards
// ran with --raw-output. Judging the merged summary is the gate's, as for any run.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { k6FileNames, safeFileName } from '../k6/files.js';
import { legacySummaryExportText, noteK6Version, parseSummary } from '../k6/summary.js';
import type { Logger } from '../log.js';
import type { RunSummary } from '../model.js';
import type { TrendAccumulator } from '../samples/histogram.js';
import { findShardStateFiles } from './discovery.js';
import { findShardSummaryFiles, mergeScenarioShards } from './merge.js';
import { mergeStateFiles } from './state-files.js';
import { shardLogFileName, shardSummaryFileName } from './shard.js';

/**
 * Copies a shard run's summary and log under the shard's names; returns the names that were written.
 * The summary copy notes which k6 measured it: the merge job installs none and records this version.
 */
export async function keepShardFiles(input: {
  scenario: string;
  shard: { index: number; count: number };
  resultsDir: string;
  files: { summary: string; log: string };
  k6Version: string;
}): Promise<{ shardSummary?: string; log?: string }> {
  const name = safeFileName(input.scenario);
  const shardSummary = shardSummaryFileName(name, input.shard);
  const shardLog = shardLogFileName(name, input.shard);
  const kept: { shardSummary?: string; log?: string } = {};
  await readFile(input.files.summary, 'utf8')
    .then((text) => writeFile(path.join(input.resultsDir, shardSummary), noteK6Version(text, input.k6Version)))
    .then(
      () => (kept.shardSummary = shardSummary),
      () => undefined,
    );
  // …and so does the log: every shard's log reaches the merge job, not only the last one's.
  await copyFile(input.files.log, path.join(input.resultsDir, shardLog)).then(
    () => (kept.log = shardLog),
    () => undefined,
  );
  return kept;
}

export interface MergedScenario {
  summary: RunSummary;
  /** The merged summary's file name in the results dir. */
  summaryFile: string;
  /** Every trend series of all shards, for the sampling bands. */
  trends: Map<string, TrendAccumulator>;
}

/**
 * Merge mode for one scenario: the summary of the whole sharded test from the shards' state files
 * under `dir` (or, when there are none, their raw samples), written into `resultsDir`, with the k6
 * version the shards noted.
 */
export async function mergeScenarioForGate(input: {
  dir: string;
  scenario: string;
  resultsDir: string;
  /** Metric names watched by the rules or present in the baseline (submetrics among them are computed). */
  watch: string[];
  /** The trend stats of the merged summary (the run's `--summary-trend-stats`). */
  trendStats: readonly string[];
  log: Logger;
}): Promise<MergedScenario> {
  const stateFiles = await findShardStateFiles(input.dir, safeFileName(input.scenario));
  if (stateFiles.length > 0) {
    input.log.info(`merging ${stateFiles.length} shard state file(s) of ${input.scenario} from ${input.dir}`);
    const merged = await mergeStateFiles({
      files: stateFiles,
      trendStats: input.trendStats,
      submetrics: input.watch.filter((name) => name.includes('{')),
      log: input.log,
    });
    const summaryFile = k6FileNames(input.scenario).summary;
    await writeFile(path.join(input.resultsDir, summaryFile), legacySummaryExportText(merged.summary));
    return { summary: merged.summary, summaryFile, trends: merged.trends };
  }
  const merged = await mergeScenarioShards({
    dir: input.dir,
    scenario: safeFileName(input.scenario),
    resultsDir: input.resultsDir,
    summaryFile: k6FileNames(input.scenario).summary,
    watch: input.watch,
    trendStats: input.trendStats,
    log: input.log,
  });
  const k6Version = merged.summary.k6Version ?? (await shardK6Version(input.dir, input.scenario, input.log));
  return { summary: { ...merged.summary, k6Version }, summaryFile: merged.summaryFile, trends: merged.trends };
}

/** The k6 version the shards noted in their summaries (see noteK6Version); undefined when none did. */
async function shardK6Version(dir: string, scenario: string, log: Logger): Promise<string | undefined> {
  const files = await findShardSummaryFiles(dir, safeFileName(scenario));
  const versions = new Set<string>();
  for (const file of files) {
    const version = await readFile(file, 'utf8').then(
      (text) => parseSummary(text, path.basename(file)).k6Version,
      () => undefined,
    );
    if (version) versions.add(version);
  }
  if (versions.size > 1) log.warning(`k6-gate: the shards of ${scenario} ran different k6 versions (${[...versions].join(', ')})`);
  return versions.size > 0 ? [...versions].join(', ') : undefined;
}
