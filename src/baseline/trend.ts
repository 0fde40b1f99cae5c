// The long trend a baseline keeps per scenario (default the last 50 accepted runs) and the
// change-point method `k6-gate baseline show --changes` runs over it. Pure.
//
// Layout: `stats` names the columns ("http_req_duration p(95)"), each run is one row
// `{ date, commit, values }` — one line in the file, so an update diffs as one added and one
// dropped line. A stat added later has no value in older rows (their `values` are shorter); a stat a
// run lacks is `null`.
//
// Change points (docs/baseline.md "Trend and change points"): binary segmentation with a robust
// two-sample statistic. For every split with at least MIN_SEGMENT runs on each side, the score is
// |median(after) − median(before)| / (scaled MAD pooled over both sides); the best split is a step
// when its score is at least MIN_SCORE and the medians differ by at least MIN_RELATIVE_SHIFT; then
// both halves are searched again. Medians and MADs make one odd run (a noisy CI runner) unable to
// create or hide a step, which a mean-based CUSUM or e-divisive means is sensitive to at n ≈ 50; a
// step needs MIN_SEGMENT consecutive runs on its new level, which is how a person reads a trend.
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
export const MIN_SEGMENT = 3;
export const MIN_SCORE = 4;
export const MIN_RELATIVE_SHIFT = 0.05;

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
function scaledMad(values: number[], center: number): number {
  return 1.4826 * median(values.map((v) => Math.abs(v - center)));
}

export interface ChangePoint {
  stat: string;
  /** The first run on the new level. */
  index: number;
  commit?: string;
  date: string;
  before: number;
  after: number;
  /** after / before − 1. */
  change: number;
  score: number;
}

function bestSplit(values: number[]): { index: number; before: number; after: number; score: number } | undefined {
  let best: { index: number; before: number; after: number; score: number } | undefined;
  for (let k = MIN_SEGMENT; k <= values.length - MIN_SEGMENT; k++) {
    const left = values.slice(0, k);
    const right = values.slice(k);
    const before = median(left);
    const after = median(right);
    // Pooled robust spread; a floor of 0.1 % of the level keeps perfectly flat segments finite.
    const spread = Math.max(Math.sqrt((scaledMad(left, before) ** 2 + scaledMad(right, after) ** 2) / 2), Math.abs(before) * 1e-3, 1e-12);
    const score = Math.abs(after - before) / spread;
    if (!best || score > best.score) best = { index: k, before, after, score };
  }
  return best;
}

/** Steps in one stat's series, oldest first. */
export function findChangePoints(trend: BaselineTrend, stat: string): ChangePoint[] {
  const series = trendSeries(trend, stat);
  const found: ChangePoint[] = [];
  const search = (from: number, to: number) => {
    const values = series.slice(from, to).map((p) => p.value);
    const split = bestSplit(values);
    if (!split || split.score < MIN_SCORE) return;
    const relative = split.before === 0 ? Infinity : Math.abs(split.after / split.before - 1);
    if (relative < MIN_RELATIVE_SHIFT) return;
    const at = series[from + split.index];
    found.push({
      stat,
      index: from + split.index,
      commit: at.run.commit,
      date: at.run.date,
      before: split.before,
      after: split.after,
      change: split.before === 0 ? Infinity : split.after / split.before - 1,
      score: split.score,
    });
    search(from, from + split.index);
    search(from + split.index, to);
  };
  search(0, series.length);
  return found.sort((a, b) => a.index - b.index);
}

const BARS = '▁▂▃▄▅▆▇█';

/** `▁▂▂▃█`: one character per value, scaled between the series' min and max. */
export function sparkline(values: number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => (max === min ? BARS[3] : BARS[Math.min(7, Math.floor(((v - min) / (max - min)) * 8))])).join('');
}
