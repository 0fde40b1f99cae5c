// Per-window, per-side statistics from k6's remote-write pushes, for duet verdicts (A and B measured
// at the same time; src/verdict/duet/). k6 pushes CUMULATIVE native histograms and counters per tag
// set (totals since its process started), and only the series that changed since its previous push.
// A push's contribution is therefore its difference from the previous state of each series it
// carries; a series it does not carry did not change. Those differences are summed per side (the
// `side` label, from `k6 run --tag side=A`) into time windows of fixed length on the receiver's
// clock, so the two k6 processes' windows cover the same seconds.
//
// Faults handled here (unit-tested in test/samples/windows.test.ts):
// - a series first seen late: all of its cumulative total is new in that push;
// - a push that never came (k6 skipped an interval): that side's window is empty, and the next
//   push's difference, which covers both intervals, lands in the next window;
// - a counter that went backwards (k6 restarted with the same tags): the new total is counted from 0;
// - a histogram whose bucket schema changed: treated like a restart (buckets cannot be subtracted).
//
// Memory: the latest cumulative state of each series (as the receiver keeps anyway) plus one merged
// histogram per side, window and watched metric: a 60 s duet holds 120 small histograms per metric.
import type { DecodedSeries, NativeHistogram } from '../observability/remote-write.js';
import { tagKey } from './aggregator.js';
import { TrendAccumulator } from './histogram.js';
import { k6MetricOfSeries, nativeToDistribution } from './remote-write.js';

/** The label k6 adds to every series of a `k6 run --tag side=A` process. */
export const SIDE_LABEL = 'side';
/** Window length: one of k6's 1 s pushes (docs/verdicts.md, "Duet verdicts", argues the choice). */
export const DEFAULT_WINDOW_MS = 1000;

/** One side's merged native histogram of one metric in one window (absolute counts, one schema). */
export interface WindowHistogram extends Pick<NativeHistogram, 'count' | 'sum' | 'zeroCount' | 'schema' | 'positive' | 'negative'> {
  /** Factor from the pushed unit to k6's (1000: seconds → ms). */
  scale: number;
}

/** What one side measured in one window: per watched trend metric its histogram, and request outcomes. */
export interface SideWindow {
  trends: Map<string, WindowHistogram>;
  /** http_req_duration samples of requests k6 counted as failed (expected_response=false). */
  failedRequests: number;
  /** http_req_duration samples in the window (failed or not). */
  requests: number;
  /** Pushes that fell into this window. */
  pushes: number;
}

export interface WindowOptions {
  /** Window length in ms (default DEFAULT_WINDOW_MS). */
  windowMs?: number;
  /** k6 trend metrics to keep per window (default: http_req_duration). */
  trends?: readonly string[];
  /** Windows are counted from here (ms since the epoch); default: half a window before the first push. */
  origin?: number;
}

interface SeriesCumulative {
  histogram?: NativeHistogram;
  value?: number;
}

function emptyHistogram(schema: number, scale = 1): WindowHistogram {
  return { count: 0, sum: 0, zeroCount: 0, schema, positive: new Map(), negative: new Map(), scale };
}

/** `current − previous` of one cumulative series; the whole `current` when it restarted or is new. */
export function histogramDelta(current: NativeHistogram, previous: NativeHistogram | undefined): WindowHistogram {
  const restarted = !previous || current.count < previous.count || current.schema !== previous.schema;
  const delta = emptyHistogram(current.schema);
  delta.count = current.count - (restarted ? 0 : previous.count);
  delta.sum = current.sum - (restarted ? 0 : previous.sum);
  delta.zeroCount = current.zeroCount - (restarted ? 0 : previous.zeroCount);
  for (const [which, out] of [
    ['positive', delta.positive],
    ['negative', delta.negative],
  ] as const) {
    for (const [index, n] of current[which]) {
      const d = n - (restarted ? 0 : (previous[which].get(index) ?? 0));
      if (d > 0) out.set(index, d);
    }
  }
  return delta;
}

/** Adds `h` into `into` (same schema; a different schema is rebucketed to the coarser one). */
export function addHistogram(into: WindowHistogram, h: WindowHistogram): void {
  if (h.count === 0) return;
  if (into.count === 0 && into.positive.size === 0 && into.negative.size === 0) into.schema = h.schema;
  // A coarser schema's bucket i holds the finer one's buckets (i−1)·2^s + 1 … i·2^s.
  const shift = h.schema - into.schema;
  const index = (i: number) => (shift <= 0 ? i : Math.ceil(i / 2 ** shift));
  into.count += h.count;
  into.sum += h.sum;
  into.zeroCount += h.zeroCount;
  for (const [i, n] of h.positive) into.positive.set(index(i), (into.positive.get(index(i)) ?? 0) + n);
  for (const [i, n] of h.negative) into.negative.set(index(i), (into.negative.get(index(i)) ?? 0) + n);
}

/** A trend accumulator over window histograms, in k6's unit: percentiles the way k6 reads them, from the buckets. */
export function trendOfWindows(histograms: readonly (WindowHistogram | undefined)[]): TrendAccumulator {
  const trend = new TrendAccumulator();
  for (const h of histograms) {
    if (!h || h.count <= 0) continue;
    trend.addBuckets(nativeToDistribution({ ...h, zeroThreshold: 0, timestampMs: 0 }, h.scale));
  }
  return trend;
}

/**
 * Keeps per-side, per-window differences of k6's cumulative pushes. Feed it every decoded push with
 * the time it arrived; read `windows(side)` at any time (the last window may still be filling).
 */
export class DuetWindows {
  readonly windowMs: number;
  private readonly trends: ReadonlySet<string>;
  private origin: number | undefined;
  private readonly cumulative = new Map<string, SeriesCumulative>();
  /** side → window index → what that side measured. */
  private readonly bySide = new Map<string, SideWindow[]>();
  /** Series without a side label (not part of a duet). */
  unlabelled = 0;

  constructor(options: WindowOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    if (!(this.windowMs > 0)) throw new RangeError(`window length ${this.windowMs} ms; expected a positive number of ms`);
    this.trends = new Set(options.trends ?? ['http_req_duration']);
    this.origin = options.origin;
  }

  /** The sides seen so far, sorted (`['A', 'B']` in a duet). */
  get sides(): string[] {
    return [...this.bySide.keys()].sort();
  }

  /** The window a push received at `at` belongs to. */
  windowOf(at: number): number {
    // Boundaries half a window away from the first process's pushes, so its pushes' jitter does not
    // move them from one window to the next.
    this.origin ??= at - this.windowMs / 2;
    return Math.max(0, Math.floor((at - this.origin) / this.windowMs));
  }

  private window(side: string, index: number): SideWindow {
    let list = this.bySide.get(side);
    if (!list) {
      list = [];
      this.bySide.set(side, list);
    }
    while (list.length <= index) list.push({ trends: new Map(), failedRequests: 0, requests: 0, pushes: 0 });
    return list[index];
  }

  /** One push from one k6 process, received at `at` (ms since the epoch). */
  accept(decoded: readonly DecodedSeries[], at: number): void {
    const index = this.windowOf(at);
    const touched = new Set<SideWindow>();
    for (const s of decoded) {
      const side = s.labels[SIDE_LABEL];
      const key = tagKey(Object.entries(s.labels));
      const previous = this.cumulative.get(key);
      const histogram = s.histograms.at(-1);
      const sample = s.samples.at(-1);
      this.cumulative.set(key, { histogram: histogram ?? previous?.histogram, value: sample?.value ?? previous?.value });
      if (side === undefined) {
        this.unlabelled++;
        continue;
      }
      if (!histogram) continue;
      const metric = k6MetricOfSeries(s.labels.__name__ ?? '', true);
      if (!metric || !this.trends.has(metric.name)) continue;
      const delta = histogramDelta(histogram, previous?.histogram);
      if (delta.count <= 0) continue;
      const window = this.window(side, index);
      touched.add(window);
      let merged = window.trends.get(metric.name);
      if (!merged) {
        merged = emptyHistogram(delta.schema, metric.scale);
        window.trends.set(metric.name, merged);
      }
      addHistogram(merged, delta);
      if (metric.name === 'http_req_duration') {
        window.requests += delta.count;
        if (s.labels.expected_response === 'false') window.failedRequests += delta.count;
      }
    }
    for (const w of touched) w.pushes++;
  }

  /** One side's windows, index 0 first; a window with no push of that side is empty (0 requests). */
  windows(side: string): SideWindow[] {
    return this.bySide.get(side) ?? [];
  }
}
