// The long trend a baseline keeps per scenario (default the last 50 accepted runs) and the
// change-point method `k6-gate baseline show --changes` runs over it. Pure.
//
// Layout: `stats` names the columns ("http_req_duration p(95)"), each run is one row
// `{ date, commit, values }` — one line in the file, so an update diffs as one added and one
// dropped line. A stat added later has no value in older rows (their `values` are shorter); a stat a
// run lacks is `null`.
//
// Change points (docs/baseline.md "Trend and change points"): penalised optimal partitioning. The
// series is cut into segments of at least MIN_SEGMENT runs so that the sum of the segments' costs
// plus a penalty per cut is smallest (optimal partitioning, Jackson et al. 2005; the penalised
// form PELT speeds up, Killick, Fearnhead & Eckley 2012, JASA 107:1590 — n ≤ a few hundred here,
// so the exact O(n²) search is used without pruning). A segment's cost is the Laplace
// log-likelihood around its median (Σ|x − median|), robust to one odd run, in units of ONE noise
// level for the whole series estimated from neighbouring differences (stepNoise). The penalty is
// STEP_PENALTY · ln n per cut: the modified BIC of Zhang & Siegmund (2007) uses 3 ln n for
// Gaussian noise; 5 ln n was measured to keep spurious cuts at a few % on series with 8–15 % noise
// and outliers (test/baseline/trend.test.ts). Finally a cut whose medians differ by less than
// MIN_RELATIVE_SHIFT is merged away.
//
// Why not binary segmentation with a per-split score (what this replaced): each half was searched
// again with its own MAD, and a 3-run segment's MAD is tiny, so a one-step series often reported a
// second, spurious step a few runs after the real one (half of the series with a +48 % step at run
// 19 of 30), blaming an innocent commit. One global noise level and one penalty for the whole
// series make a second cut pay for itself.
import { median } from './stats.js';

export interface TrendRun {
  date: string;
  commit?: string;
  values: (number | null)[];
}

export interface BaselineTrend {
  stats: string[];
  runs: TrendRun[];
}

export const DEFAULT_TREND_LIMIT = 50;
export const MIN_SEGMENT = 5;
/** Penalty per step, times ln(n) (see the header: above the 3 ln n of the modified BIC, measured). */
export const STEP_PENALTY = 5;
export const MIN_RELATIVE_SHIFT = 0.05;
const MAX_SEARCHED_RUNS = 500;

/** Appends one run (stat → value) and keeps the last `limit` runs. The input is not modified. */
export function appendTrend(
  trend: BaselineTrend | undefined,
  values: Record<string, number>,
  run: { date: string; commit?: string },
  limit = DEFAULT_TREND_LIMIT,
): BaselineTrend {
  const stats = [...(trend?.stats ?? [])];
  for (const stat of Object.keys(values)) if (!stats.includes(stat)) stats.push(stat);
  const row: TrendRun = { date: run.date, values: stats.map((stat) => values[stat] ?? null) };
  if (run.commit !== undefined) row.commit = run.commit;
  const runs = [...(trend?.runs ?? []).map((r) => ({ ...r, values: [...r.values] })), row].slice(-limit);
  return { stats, runs };
}

/** The values of one column, oldest first, with the run each came from (runs without it skipped). */
export function trendSeries(trend: BaselineTrend, stat: string): { value: number; run: TrendRun }[] {
  const column = trend.stats.indexOf(stat);
  if (column === -1) return [];
  return trend.runs.flatMap((run) => {
    const value = run.values[column];
    return typeof value === 'number' && Number.isFinite(value) ? [{ value, run }] : [];
  });
}

/** Median absolute deviation scaled to estimate a standard deviation under normal noise. */
const MAD_TO_SD = 1.4826;

/**
 * The noise level of a series with steps in it: from the differences of neighbouring runs, which a
 * step moves only once (a level shift does not inflate it, unlike the spread of the whole series).
 * A floor of 0.1 % of the level keeps a perfectly flat series finite.
 */
export function stepNoise(values: readonly number[]): number {
  const diffs: number[] = [];
  for (let i = 1; i < values.length; i++) diffs.push(Math.abs(values[i] - values[i - 1]));
  const level = Math.abs(median(values));
  return Math.max(diffs.length ? (MAD_TO_SD * median(diffs)) / Math.SQRT2 : 0, level * 1e-3, 1e-12);
}

/** Σ|x − median| of every segment [start, end) with at least MIN_SEGMENT values: cost[start][end]. */
function segmentCosts(values: readonly number[]): number[][] {
  const n = values.length;
  const cost: number[][] = [];
  for (let start = 0; start < n; start++) {
    const row: number[] = [];
    const sorted: number[] = [];
    for (let end = start + 1; end <= n; end++) {
      const v = values[end - 1];
      let at = sorted.length;
      while (at > 0 && sorted[at - 1] > v) at--;
      sorted.splice(at, 0, v);
      const mid = sorted.length >> 1;
      const med = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
      let sum = 0;
      for (const x of sorted) sum += Math.abs(x - med);
      row[end] = sum;
    }
    cost.push(row);
  }
  return cost;
}

/**
 * Optimal partition: the segment starts (after 0) that minimise Σ cost(segment)/scale + penalty per step,
 * every segment at least MIN_SEGMENT long.
 */
function optimalSteps(values: readonly number[], scale: number, penalty: number): number[] {
  const n = values.length;
  const cost = segmentCosts(values);
  const best: number[] = new Array(n + 1).fill(Infinity);
  const last: number[] = new Array(n + 1).fill(-1);
  best[0] = -penalty;
  for (let end = MIN_SEGMENT; end <= n; end++) {
    for (let start = 0; start <= end - MIN_SEGMENT; start++) {
      if (best[start] === Infinity) continue;
      const total = best[start] + cost[start][end] / scale + penalty;
      if (total < best[end]) {
        best[end] = total;
        last[end] = start;
      }
    }
  }
  const starts: number[] = [];
  for (let end = n; end > 0; end = last[end]) if (last[end] > 0) starts.unshift(last[end]);
  return starts;
}

export interface ChangePoint {
  stat: string;
  /** The first run on the new level. */
  index: number;
  commit?: string;
  date: string;
  /** Medians of the segments either side. */
  before: number;
  after: number;
  /** after / before − 1. */
  change: number;
  /** |after − before| in units of the series' noise (stepNoise). */
  score: number;
}

/** Steps in one stat's series, oldest first. */
export function findChangePoints(trend: BaselineTrend, stat: string): ChangePoint[] {
  // A hand-made trend could be any length; the exact search is cubic in it, so only the latest
  // MAX_SEARCHED_RUNS runs are searched (k6-gate keeps 50).
  const series = trendSeries(trend, stat).slice(-MAX_SEARCHED_RUNS);
  const offset = Math.max(0, trendSeries(trend, stat).length - MAX_SEARCHED_RUNS);
  const values = series.map((p) => p.value);
  if (values.length < 2 * MIN_SEGMENT) return [];
  const noise = stepNoise(values);
  // Twice the Laplace log-likelihood: Σ|x − median| / b with b = σ/√2, doubled.
  const starts = optimalSteps(values, noise / (2 * Math.SQRT2), STEP_PENALTY * Math.log(values.length));
  const levelOf = (from: number, to: number) => median(values.slice(from, to));
  // A statistically sure step smaller than MIN_RELATIVE_SHIFT is not worth a reader's time: the
  // smallest such step is merged into its neighbours until none is left.
  for (;;) {
    const bounds = [0, ...starts, values.length];
    let smallest = -1;
    let smallestShift = MIN_RELATIVE_SHIFT;
    for (let i = 0; i < starts.length; i++) {
      const before = levelOf(bounds[i], bounds[i + 1]);
      const after = levelOf(bounds[i + 1], bounds[i + 2]);
      const shift = before === 0 ? Infinity : Math.abs(after / before - 1);
      if (shift < smallestShift) {
        smallestShift = shift;
        smallest = i;
      }
    }
    if (smallest === -1) break;
    starts.splice(smallest, 1);
  }
  const bounds = [0, ...starts, values.length];
  return starts.map((index, i) => {
    const before = levelOf(bounds[i], index);
    const after = levelOf(index, bounds[i + 2]);
    const at = series[index];
    return {
      stat,
      index: offset + index,
      commit: at.run.commit,
      date: at.run.date,
      before,
      after,
      change: before === 0 ? Infinity : after / before - 1,
      score: Math.abs(after - before) / noise,
    };
  });
}

const BARS = '▁▂▃▄▅▆▇█';

/** `▁▂▂▃█`: one character per value, scaled between the series' min and max. */
export function sparkline(values: number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => (max === min ? BARS[3] : BARS[Math.min(7, Math.floor(((v - min) / (max - min)) * 8))])).join('');
}
