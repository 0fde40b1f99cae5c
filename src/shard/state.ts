// Shard state files: what one k6 instance measured, kept per series the way k6's remote-write output
// aggregates it (counter totals, rate fractions, last gauge values, native-histogram buckets), plus
// the exact per-metric numbers, checks and thresholds of k6's own summary. The states of all shards
// add up to the whole test: counts and buckets add exactly, so a percentile of the merged test is
// as fine as one run's live analysis (k6's buckets grow by ×1.09 at schema 3; docs/scale-out.md).
//
// The file shape is schemas/shard-state.schema.json (format "k6-gate-shard-state", version 1).
// Pure: text and objects in, text and objects out; shard runs and `k6-gate merge` do the I/O.
// This module is the format (its types, building a state, reading a file); the bucket arithmetic is
// state-histogram.ts, adding states up state-merge.ts, judging one state-summary.ts.
import type { ErrorObject } from 'ajv';
import type { CheckResult, MetricContains, MetricType, RunSummary } from '../model.js';
import { tagKey } from '../samples/aggregator.js';
import { k6MetricOfSeries, tagsOf, type ReceivedSeries } from '../samples/remote-write.js';
import { validate } from './generated/shard-state-validator.js';
import { ShardStateError } from './merge-error.js';
import { stateHistogramOf, type StateHistogram } from './state-histogram.js';

export const SHARD_STATE_FORMAT = 'k6-gate-shard-state';
export const SHARD_STATE_VERSION = 1;

/** One k6 metric with one tag set. */
export interface StateSeries {
  metric: string;
  type: MetricType;
  contains: MetricContains;
  tags: Record<string, string>;
  /** Counter: total; gauge: last value; rate: fraction of non-zero samples. */
  value?: number;
  /** Rate: non-zero and zero samples, when known (http_req_failed: from the request count of its tag set). */
  passes?: number;
  fails?: number;
  /** Trend: the factor from the histogram's unit to k6's (1000: seconds → ms). */
  scale?: number;
  histogram?: StateHistogram;
}

/** Exact per-metric numbers from k6's summary: counter `count`; rate `passes`, `fails`; gauge `value`, `min`, `max`; trend `min`, `max`. */
export interface StateMetric {
  type: MetricType;
  contains: MetricContains;
  values: Record<string, number>;
}

export interface ShardState {
  format: typeof SHARD_STATE_FORMAT;
  version: typeof SHARD_STATE_VERSION;
  scenario: string;
  k6Version?: string;
  /** `--shard I/N` of a sharded run; absent for a runner known only by its segment. */
  shard?: { index: number; count: number };
  /** k6's execution segment (`1/3:2/3`); `0:1` for a whole test. */
  segment: string;
  /** k6's execution segment sequence (`0,1/3,2/3,1`); empty when none was given. */
  sequence: string;
  /** Who measured (a runner's instance label); optional. */
  instance?: string;
  /** Wall-clock span in ms since the epoch; `durationMs`: k6's own test duration, when its summary said. */
  span: { startMs: number; endMs: number; durationMs?: number };
  series: StateSeries[];
  metrics: Record<string, StateMetric>;
  checks: CheckResult[];
  /** Threshold expressions per metric or submetric, as the script wrote them. */
  thresholds: Record<string, string[]>;
}

// ---------------------------------------------------------------------------------------------
// Building a state

/** The k6 stats of a metric that add up over shards (see StateMetric). */
const EXACT_STATS: Record<MetricType, readonly string[]> = {
  counter: ['count'],
  rate: ['passes', 'fails'],
  gauge: ['value', 'min', 'max'],
  trend: ['min', 'max'],
};

export function seriesKeyOf(metric: string, tags: Record<string, string>): string {
  // States list tags sorted by name (shardStateOf): then the key needs no sort.
  const names = Object.keys(tags);
  for (let i = 1; i < names.length; i++) if (names[i - 1] > names[i]) return `${metric}\u0002${tagKey(Object.entries(tags))}`;
  let key = metric;
  for (const name of names) key += `\u0002${name}\u0000${tags[name]}`;
  return key;
}

/**
 * The state of one k6 instance from its remote-write receiver's final series and (when there is one)
 * k6's end-of-test summary, which adds the exact per-metric numbers, the checks and the thresholds.
 */
export function shardStateOf(input: {
  series: readonly ReceivedSeries[];
  summary?: RunSummary;
  scenario: string;
  shard?: { index: number; count: number };
  segment?: string;
  sequence?: string;
  instance?: string;
  k6Version?: string;
  span: { startMs: number; endMs: number; durationMs?: number };
}): ShardState {
  const series: StateSeries[] = [];
  const requestCounts = new Map<string, number>();
  for (const s of input.series) {
    const metric = k6MetricOfSeries(s.labels.__name__ ?? '', s.histogram !== undefined);
    if (!metric) continue;
    const labels = tagsOf(s.labels);
    // Sorted by name: a stable file and a cheap series key (seriesKeyOf).
    const tags = Object.fromEntries(
      Object.keys(labels)
        .sort()
        .map((name) => [name, labels[name]]),
    );
    if (metric.kind === 'trend') {
      if (!s.histogram) continue;
      series.push({
        metric: metric.name,
        type: 'trend',
        contains: metric.contains,
        tags,
        scale: metric.scale,
        histogram: stateHistogramOf(s.histogram),
      });
      if (metric.name === 'http_req_duration') requestCounts.set(tagKey(Object.entries(tags)), s.histogram.count);
    } else if (s.value !== undefined && Number.isFinite(s.value)) {
      series.push({ metric: metric.name, type: metric.kind, contains: metric.contains, tags, value: s.value });
    }
  }
  // k6 pushes a rate as its fraction only; http_req_failed's tag set is the request's, whose count is known.
  for (const s of series) {
    if (s.type !== 'rate' || s.metric !== 'http_req_failed') continue;
    const requests = requestCounts.get(tagKey(Object.entries(s.tags)));
    if (requests === undefined) continue;
    s.passes = Math.round(s.value! * requests);
    s.fails = requests - s.passes;
  }
  series.sort((a, b) => (seriesKeyOf(a.metric, a.tags) < seriesKeyOf(b.metric, b.tags) ? -1 : 1));

  const metrics: Record<string, StateMetric> = {};
  const thresholds: Record<string, string[]> = {};
  for (const [name, m] of Object.entries(input.summary?.metrics ?? {})) {
    const values: Record<string, number> = {};
    for (const stat of EXACT_STATS[m.type]) if (Number.isFinite(m.values[stat])) values[stat] = m.values[stat];
    metrics[name] = { type: m.type, contains: m.contains, values };
  }
  for (const t of input.summary?.thresholds ?? []) (thresholds[t.metric] ??= []).push(t.expression);
  const durationMs = input.span.durationMs ?? input.summary?.durationMs;
  return {
    format: SHARD_STATE_FORMAT,
    version: SHARD_STATE_VERSION,
    scenario: input.scenario,
    ...(input.k6Version ? { k6Version: input.k6Version } : {}),
    ...(input.shard ? { shard: { index: input.shard.index, count: input.shard.count } } : {}),
    segment: input.segment ?? '0:1',
    sequence: input.sequence ?? '',
    ...(input.instance ? { instance: input.instance } : {}),
    span: { startMs: input.span.startMs, endMs: input.span.endMs, ...(durationMs !== undefined ? { durationMs } : {}) },
    series,
    metrics,
    checks: (input.summary?.checks ?? []).map((c) => ({ ...c })),
    thresholds,
  };
}

/** The file's text: one line per series, so a diff or a `grep` stays readable. */
export function shardStateText(state: ShardState): string {
  const { series, ...head } = state;
  const lines = series.map((s) => `    ${JSON.stringify(s)}`);
  const headText = JSON.stringify(head, null, 2);
  return `${headText.slice(0, -2)},\n  "series": [${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading a state file

function describe(error: ErrorObject): string {
  const where = `$${error.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
  return `${where} ${error.message ?? 'is not valid'}`;
}

/** A state file's text → the state, or a ShardStateError saying what is wrong with it and what was expected. */
export async function parseShardState(text: string, source: string): Promise<ShardState> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ShardStateError(
      `${source} is not JSON (${(error as Error).message}); expected a k6-gate shard state file (state-<scenario>.shard-<i>-of-<N>.json)`,
      { cause: error },
    );
  }
  const head = data as { format?: unknown; version?: unknown } | null;
  if (!head || typeof head !== 'object' || head.format !== SHARD_STATE_FORMAT) {
    throw new ShardStateError(`${source} is not a k6-gate shard state file; expected a JSON object with "format": "${SHARD_STATE_FORMAT}"`);
  }
  if (head.version !== SHARD_STATE_VERSION) {
    throw new ShardStateError(
      `${source} is a shard state file of version ${JSON.stringify(head.version)}; this k6-gate reads version ${SHARD_STATE_VERSION} (run the shards and the merge with the same k6-gate version)`,
    );
  }
  // ajv's code for schemas/shard-state.schema.json, generated ahead of time (scripts/shard-state-validator.mjs).
  if (!validate(data)) {
    throw new ShardStateError(
      `${source} is not a valid shard state file: ${(validate.errors ?? []).slice(0, 3).map(describe).join('; ')} (schemas/shard-state.schema.json)`,
    );
  }
  const state = data as ShardState;
  for (const s of state.series) {
    for (const buckets of s.histogram ? [s.histogram.positive, s.histogram.negative] : []) {
      const spanned = buckets.spans.reduce((n, [, length]) => n + length, 0);
      if (spanned !== buckets.counts.length) {
        throw new ShardStateError(
          `${source}: series ${s.metric} ${JSON.stringify(s.tags)}: a histogram has ${buckets.counts.length} bucket counts but its spans say ${spanned}`,
        );
      }
    }
  }
  return state;
}
