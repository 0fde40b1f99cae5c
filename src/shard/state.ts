// Shard state files: what one k6 instance measured, kept per series the way k6's remote-write output
// aggregates it (counter totals, rate fractions, last gauge values, native-histogram buckets), plus
// the exact per-metric numbers, checks and thresholds of k6's own summary. The states of all shards
// add up to the whole test: counts and buckets add exactly, so a percentile of the merged test is
// as fine as one run's live analysis (k6's buckets grow by ×1.09 at schema 3; docs/scale-out.md).
//
// The file shape is schemas/shard-state.schema.json (format "k6-gate-shard-state", version 1).
// Pure: text and objects in, text and objects out; shard runs and `k6-gate merge` do the I/O.
import type { ErrorObject } from 'ajv';
import type { CheckResult, MetricContains, MetricSummary, MetricType, RunSummary, ThresholdResult } from '../model.js';
import type { NativeHistogram } from '../observability/remote-write.js';
import { parseSubmetricName, tagKey } from '../samples/aggregator.js';
import { TrendAccumulator } from '../samples/histogram.js';
import { k6MetricOfSeries, nativeToDistribution, tagsOf, type ReceivedSeries } from '../samples/remote-write.js';
import { DEFAULT_TREND_STATS, PER_INSTANCE_GAUGES, trendStat, validateTrendStats } from '../samples/summary.js';
import { evaluateThreshold, parseThresholdExpression } from '../samples/thresholds.js';
import { validate } from './generated/shard-state-validator.js';
import { MergeError } from './merge-error.js';

export const SHARD_STATE_FORMAT = 'k6-gate-shard-state';
export const SHARD_STATE_VERSION = 1;

/** Occupied buckets: `spans` are [offset, length] (the first offset is the first bucket's index, later ones the gap since the previous span), `counts` one absolute count per bucket. */
export interface StateBuckets {
  spans: [number, number][];
  counts: number[];
}

/** A native histogram in Prometheus units (seconds for time); bucket i holds (base^(i-1), base^i], base = 2^(2^-schema). */
export interface StateHistogram {
  schema: number;
  count: number;
  sum: number;
  zeroThreshold: number;
  zeroCount: number;
  positive: StateBuckets;
  negative: StateBuckets;
}

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

/** A state file that cannot be used: not JSON, not this format or version, or not one set of shards. */
export class ShardStateError extends MergeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShardStateError';
  }
}

// ---------------------------------------------------------------------------------------------
// Histograms

/** Bucket index → count (ascending keys not required) → spans and counts. */
export function bucketsOf(map: ReadonlyMap<number, number>): StateBuckets {
  const keys = [...map.keys()].filter((k) => map.get(k)! > 0).sort((a, b) => a - b);
  const spans: [number, number][] = [];
  const counts: number[] = [];
  let next = NaN;
  for (const key of keys) {
    if (key === next) spans[spans.length - 1][1]++;
    else spans.push([spans.length === 0 ? key : key - next, 1]);
    counts.push(map.get(key)!);
    next = key + 1;
  }
  return { spans, counts };
}

/** Spans and counts → bucket index → count. */
export function bucketMap(buckets: StateBuckets): Map<number, number> {
  const out = new Map<number, number>();
  let index = 0;
  let i = 0;
  for (const [n, [offset, length]] of buckets.spans.entries()) {
    index = n === 0 ? offset : index + offset;
    for (let k = 0; k < length; k++, index++, i++) {
      if (i >= buckets.counts.length) throw new ShardStateError('a histogram has fewer bucket counts than its spans say');
      if (buckets.counts[i] > 0) out.set(index, (out.get(index) ?? 0) + buckets.counts[i]);
    }
  }
  if (i !== buckets.counts.length)
    throw new ShardStateError(`a histogram has ${buckets.counts.length} bucket counts but its spans say ${i}`);
  return out;
}

/** The receiver's histogram → the state's form. */
export function stateHistogramOf(h: NativeHistogram): StateHistogram {
  return {
    schema: h.schema,
    count: h.count,
    sum: h.sum,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    positive: bucketsOf(h.positive),
    negative: bucketsOf(h.negative),
  };
}

/** The state's histogram → the receiver's form (what nativeToDistribution reads). */
export function nativeHistogramOf(h: StateHistogram): NativeHistogram {
  return { ...h, positive: bucketMap(h.positive), negative: bucketMap(h.negative), timestampMs: 0 };
}

/**
 * Buckets of a finer schema in a coarser one: 2^(from−to) neighbouring buckets become one, the way
 * Prometheus reduces a native histogram's resolution (bucket edges of the coarser schema are edges
 * of the finer one, so no count is split).
 */
export function downscale(buckets: ReadonlyMap<number, number>, from: number, to: number): Map<number, number> {
  if (to > from) throw new RangeError(`cannot raise a histogram's schema from ${from} to ${to}`);
  if (to === from) return new Map(buckets);
  const shift = from - to;
  const out = new Map<number, number>();
  for (const [index, count] of buckets) {
    const target = Math.floor((index - 1) / 2 ** shift) + 1;
    out.set(target, (out.get(target) ?? 0) + count);
  }
  return out;
}

/** The sum of two native histograms, exact per bucket, at the coarser of their schemas and the wider zero bucket. */
export function addHistograms(a: NativeHistogram, b: NativeHistogram): NativeHistogram {
  const schema = Math.min(a.schema, b.schema);
  const zeroThreshold = Math.max(a.zeroThreshold, b.zeroThreshold);
  let zeroCount = a.zeroCount + b.zeroCount;
  const base = 2 ** (2 ** -schema);
  const add = (side: 'positive' | 'negative') => {
    const out = downscale(a[side], a.schema, schema);
    for (const [index, count] of downscale(b[side], b.schema, schema)) out.set(index, (out.get(index) ?? 0) + count);
    // Buckets that end inside a wider zero bucket belong to it.
    if (zeroThreshold > 0) {
      for (const [index, count] of out) {
        if (base ** index <= zeroThreshold) {
          zeroCount += count;
          out.delete(index);
        }
      }
    }
    return out;
  };
  const positive = add('positive');
  const negative = add('negative');
  return { count: a.count + b.count, sum: a.sum + b.sum, schema, zeroThreshold, zeroCount, positive, negative, timestampMs: 0 };
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

function seriesKeyOf(metric: string, tags: Record<string, string>): string {
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

// ---------------------------------------------------------------------------------------------
// Completeness

type Fraction = [number, number];

function parsePoint(text: string, segment: string, source: string): Fraction {
  const t = text.trim();
  let match = /^(\d+)\/(\d+)$/.exec(t);
  if (match && Number(match[2]) > 0) return [Number(match[1]), Number(match[2])];
  match = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (match) {
    const decimals = match[2] ?? '';
    return [Number(match[1] + decimals), 10 ** decimals.length];
  }
  throw new ShardStateError(`${source}: execution segment ${JSON.stringify(segment)} is not "from:to"; expected e.g. "1/3:2/3"`);
}

function compareFractions(a: Fraction, b: Fraction): number {
  return a[0] * b[1] - b[0] * a[1];
}

function showFraction([n, d]: Fraction): string {
  if (n === 0) return '0';
  if (n === d) return '1';
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  const g = gcd(n, d);
  return `${n / g}/${d / g}`;
}

function who(state: ShardState, source: string): string {
  const shard = state.shard ? `shard ${state.shard.index}/${state.shard.count}` : state.instance ? `runner ${state.instance}` : 'a runner';
  return `${shard} (segment ${state.segment}, ${source})`;
}

/**
 * Checks that the states are one whole test: one scenario, one segment sequence, every shard once,
 * and segments that cover 0 to 1 without a gap or an overlap. Throws a ShardStateError naming the
 * missing or duplicated shard (or segment) otherwise. `sources` name the states (file names).
 */
export function checkStatesComplete(
  states: readonly ShardState[],
  sources: readonly string[] = states.map((_, i) => `state ${i + 1}`),
): void {
  if (states.length === 0) throw new ShardStateError('no shard states to merge; expected one state file per shard');
  const scenarios = new Set(states.map((s) => s.scenario));
  if (scenarios.size > 1) {
    throw new ShardStateError(
      `the shard states are of different scenarios (${[...scenarios].join(', ')}); expected the states of one test`,
    );
  }
  const sequences = new Set(states.map((s) => s.sequence));
  if (sequences.size > 1) {
    throw new ShardStateError(
      `the shard states come from different segment sequences (${[...sequences].map((s) => JSON.stringify(s)).join(', ')}); expected the shards of one run`,
    );
  }
  // Shard numbers first: the message a user of `--shard I/N` recognises.
  const byIndex = new Map<number, number>();
  let count: number | undefined;
  for (const [i, state] of states.entries()) {
    if (!state.shard) continue;
    if (count !== undefined && state.shard.count !== count) {
      throw new ShardStateError(
        `${who(state, sources[i])} is a shard of ${state.shard.count} but others are of ${count}; expected the shards of one run`,
      );
    }
    count = state.shard.count;
    const seen = byIndex.get(state.shard.index);
    if (seen !== undefined) {
      throw new ShardStateError(
        `shard ${state.shard.index} of ${count} appears twice (${sources[seen]} and ${sources[i]}); expected one state file per shard`,
      );
    }
    byIndex.set(state.shard.index, i);
  }
  if (count !== undefined && byIndex.size === states.length) {
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
    if (missing.length > 0) {
      throw new ShardStateError(
        `shard(s) ${missing.join(', ')} of ${count} missing; found ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')}. Did a shard job fail or its artifact expire?`,
      );
    }
  }
  // Segments: together exactly 0 to 1.
  const parts = states
    .map((state, i) => {
      const [from, to] = state.segment.split(':');
      return { i, from: parsePoint(from ?? '', state.segment, sources[i]), to: parsePoint(to ?? '', state.segment, sources[i]) };
    })
    .sort((a, b) => compareFractions(a.from, b.from) || compareFractions(a.to, b.to));
  let cursor: Fraction = [0, 1];
  let previous: (typeof parts)[number] | undefined;
  for (const part of parts) {
    const order = compareFractions(part.from, cursor);
    if (order < 0) {
      const twice = previous && compareFractions(previous.from, part.from) === 0 && compareFractions(previous.to, part.to) === 0;
      throw new ShardStateError(
        twice
          ? `segment ${states[part.i].segment} appears twice (${who(states[previous!.i], sources[previous!.i])} and ${who(states[part.i], sources[part.i])}); expected each segment once`
          : `${who(states[part.i], sources[part.i])} overlaps ${who(states[previous!.i], sources[previous!.i])}; expected segments of one sequence`,
      );
    }
    if (order > 0) {
      throw new ShardStateError(
        `segment ${showFraction(cursor)}:${showFraction(part.from)} missing (no state covers it); found ${parts.map((p) => states[p.i].segment).join(', ')}. Did a runner fail or its results not arrive?`,
      );
    }
    cursor = part.to;
    previous = part;
  }
  if (compareFractions(cursor, [1, 1]) !== 0) {
    throw new ShardStateError(
      `segment ${showFraction(cursor)}:1 missing (no state covers it); found ${parts.map((p) => states[p.i].segment).join(', ')}. Did a runner fail or its results not arrive?`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Merging

/**
 * Counts per bucket index in one dense array grown on either side (the indices of one series sit in
 * a narrow range: schema 3 from 1 µs to 1 h is ~400 indices); adding is an array index, not a Map.
 */
class DenseBuckets {
  private counts = new Float64Array(0);
  private offset = 0;

  add(index: number, n: number): void {
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) {
      const low = this.counts.length === 0 ? index - 16 : Math.min(this.offset, index - 16);
      const high = this.counts.length === 0 ? index + 16 : Math.max(this.offset + this.counts.length, index + 16);
      const grown = new Float64Array(high - low);
      if (this.counts.length > 0) grown.set(this.counts, this.offset - low);
      this.counts = grown;
      this.offset = low;
      i = index - low;
    }
    this.counts[i] += n;
  }

  toMap(): Map<number, number> {
    const out = new Map<number, number>();
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] > 0) out.set(i + this.offset, this.counts[i]);
    return out;
  }

  static from(map: ReadonlyMap<number, number>): DenseBuckets {
    const dense = new DenseBuckets();
    for (const [index, n] of map) dense.add(index, n);
    return dense;
  }
}

/** A histogram being added to, kept at the coarsest schema seen so far. */
interface HistogramSum {
  schema: number;
  count: number;
  sum: number;
  zeroThreshold: number;
  zeroCount: number;
  positive: DenseBuckets;
  negative: DenseBuckets;
}

/** Adds a state histogram's buckets into `into` (at `shift` schemas coarser), straight from its spans. */
function addBuckets(into: DenseBuckets, buckets: StateBuckets, shift: number): void {
  let index = 0;
  let i = 0;
  const factor = 2 ** shift;
  for (let n = 0; n < buckets.spans.length; n++) {
    const [offset, length] = buckets.spans[n];
    index = n === 0 ? offset : index + offset;
    for (let k = 0; k < length; k++, index++, i++) {
      const count = buckets.counts[i];
      if (!(count > 0)) continue;
      const target = shift === 0 ? index : Math.floor((index - 1) / factor) + 1;
      into.add(target, count);
    }
  }
}

function addInto(total: HistogramSum, h: StateHistogram): void {
  if (h.schema < total.schema) {
    total.positive = DenseBuckets.from(downscale(total.positive.toMap(), total.schema, h.schema));
    total.negative = DenseBuckets.from(downscale(total.negative.toMap(), total.schema, h.schema));
    total.schema = h.schema;
  }
  addBuckets(total.positive, h.positive, h.schema - total.schema);
  addBuckets(total.negative, h.negative, h.schema - total.schema);
  total.count += h.count;
  total.sum += h.sum;
  total.zeroCount += h.zeroCount;
  total.zeroThreshold = Math.max(total.zeroThreshold, h.zeroThreshold);
}

/** The sum as a state histogram; buckets that end inside the (widest) zero bucket belong to it. */
function histogramOfSum(total: HistogramSum): StateHistogram {
  const base = 2 ** (2 ** -total.schema);
  let zeroCount = total.zeroCount;
  const sides = [total.positive.toMap(), total.negative.toMap()];
  for (const side of total.zeroThreshold > 0 ? sides : []) {
    for (const [index, count] of side) {
      if (base ** index <= total.zeroThreshold) {
        zeroCount += count;
        side.delete(index);
      }
    }
  }
  const { schema, count, sum, zeroThreshold } = total;
  return { schema, count, sum, zeroThreshold, zeroCount, positive: bucketsOf(sides[0]), negative: bucketsOf(sides[1]) };
}

type SeriesSum = Omit<StateSeries, 'histogram'> & { parts: number; total?: HistogramSum };

/**
 * Adds shard states one at a time, so a merge holds one parsed file plus the running sums (series ×
 * buckets), never all files at once. `result()` checks completeness (checkStatesComplete) and
 * returns the state of the whole test (segment `0:1`): counters, passes and fails, histogram
 * buckets and checks add exactly; gauges keep the latest value (the sum for the per-instance `vus`
 * and `vus_max`); a histogram in a finer schema is downscaled to the coarser one.
 */
export class StateMerger {
  /** Every state added, without its series (what the completeness check reads). */
  private readonly heads: ShardState[] = [];
  private readonly sources: string[] = [];
  private readonly series = new Map<string, SeriesSum>();
  private readonly metrics: Record<string, StateMetric & { endMs: number }> = {};
  private readonly checks = new Map<string, CheckResult>();
  private readonly thresholds: Record<string, Set<string>> = {};
  /** Per gauge series, the end of the shard its value came from. */
  private readonly gaugeEnd = new Map<string, number>();

  add(state: ShardState, source = `state ${this.heads.length + 1}`): void {
    this.heads.push({ ...state, series: [] });
    this.sources.push(source);
    const endMs = state.span.endMs;
    for (const s of state.series) {
      const key = seriesKeyOf(s.metric, s.tags);
      let seen = this.series.get(key);
      if (!seen) {
        const { histogram, ...rest } = s;
        seen = { ...rest, tags: { ...s.tags }, parts: 0 };
        if (histogram) {
          seen.total = { ...histogram, count: 0, sum: 0, zeroCount: 0, positive: new DenseBuckets(), negative: new DenseBuckets() };
        }
        if (s.type === 'counter' || (s.type === 'gauge' && PER_INSTANCE_GAUGES.has(s.metric))) seen.value = 0;
        if (s.type === 'rate') {
          seen.value = 0;
          if (s.passes !== undefined) [seen.passes, seen.fails] = [0, 0];
        }
        this.series.set(key, seen);
      } else if (seen.type !== s.type) {
        throw new ShardStateError(
          `metric ${s.metric} is a ${s.type} in ${source} and a ${seen.type} in another shard; were the shards run from different scripts?`,
        );
      }
      seen.parts++;
      if (s.histogram) {
        seen.total ??= { ...s.histogram, count: 0, sum: 0, zeroCount: 0, positive: new DenseBuckets(), negative: new DenseBuckets() };
        addInto(seen.total, s.histogram);
      } else if (s.type === 'counter') seen.value! += s.value ?? 0;
      else if (s.type === 'gauge') {
        if (PER_INSTANCE_GAUGES.has(s.metric)) seen.value! += s.value ?? 0;
        else if (endMs >= (this.gaugeEnd.get(key) ?? -Infinity)) {
          seen.value = s.value;
          this.gaugeEnd.set(key, endMs);
        }
      } else if (s.type === 'rate') {
        if (seen.passes !== undefined && s.passes !== undefined && s.fails !== undefined) {
          seen.passes += s.passes;
          seen.fails! += s.fails;
          seen.value = seen.passes + seen.fails! > 0 ? seen.passes / (seen.passes + seen.fails!) : 0;
        } else {
          // Fractions without counts: their mean (only per-series detail; per-metric rates come from k6's summaries).
          delete seen.passes;
          delete seen.fails;
          seen.value = (seen.value! * (seen.parts - 1) + (s.value ?? 0)) / seen.parts;
        }
      }
    }
    for (const [name, m] of Object.entries(state.metrics)) {
      const seen = this.metrics[name];
      if (!seen) {
        this.metrics[name] = { type: m.type, contains: m.contains, values: { ...m.values }, endMs };
        continue;
      }
      const perInstance = PER_INSTANCE_GAUGES.has(name);
      for (const [stat, value] of Object.entries(m.values)) {
        const before = seen.values[stat];
        if (before === undefined) seen.values[stat] = value;
        else if (perInstance) seen.values[stat] = before + value;
        else if (stat === 'min') seen.values[stat] = Math.min(before, value);
        else if (stat === 'max') seen.values[stat] = Math.max(before, value);
        else if (stat === 'value') seen.values[stat] = endMs >= seen.endMs ? value : before;
        else seen.values[stat] = before + value;
      }
      seen.endMs = Math.max(seen.endMs, endMs);
    }
    for (const check of state.checks) {
      const key = check.path ?? check.name;
      const seen = this.checks.get(key);
      if (seen) {
        seen.passes += check.passes;
        seen.fails += check.fails;
      } else this.checks.set(key, { ...check });
    }
    for (const [metric, expressions] of Object.entries(state.thresholds)) {
      for (const expression of expressions) (this.thresholds[metric] ??= new Set()).add(expression);
    }
  }

  /** The whole test's state; throws a ShardStateError naming a missing or duplicated shard or segment. */
  result(): ShardState {
    const states = this.heads;
    checkStatesComplete(states, this.sources);
    const versions = new Set(states.map((s) => s.k6Version).filter((v): v is string => v !== undefined));
    const durations = states.map((s) => s.span.durationMs).filter((d): d is number => d !== undefined);
    const series: StateSeries[] = [];
    for (const { parts: _parts, total, ...s } of this.series.values()) {
      if (!total) {
        series.push(s);
        continue;
      }
      series.push({ ...s, histogram: histogramOfSum(total) });
    }
    return {
      format: SHARD_STATE_FORMAT,
      version: SHARD_STATE_VERSION,
      scenario: states[0].scenario,
      ...(versions.size > 0 ? { k6Version: [...versions].join(', ') } : {}),
      segment: '0:1',
      sequence: states[0].sequence,
      span: {
        startMs: Math.min(...states.map((s) => s.span.startMs)),
        endMs: Math.max(...states.map((s) => s.span.endMs)),
        // Shards run the same schedule: the test lasted as long as its longest shard (CI jobs start apart).
        ...(durations.length > 0 ? { durationMs: Math.max(...durations) } : {}),
      },
      series,
      metrics: Object.fromEntries(Object.entries(this.metrics).map(([name, { endMs: _endMs, ...m }]) => [name, m])),
      checks: [...this.checks.values()],
      thresholds: Object.fromEntries(Object.entries(this.thresholds).map(([m, set]) => [m, [...set]])),
    };
  }
}

/** The states of all shards as the state of the whole test (see StateMerger). */
export function mergeStates(states: readonly ShardState[], sources?: readonly string[]): ShardState {
  if (states.length === 0) checkStatesComplete(states);
  const merger = new StateMerger();
  for (const [i, state] of states.entries()) merger.add(state, sources?.[i]);
  return merger.result();
}

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
