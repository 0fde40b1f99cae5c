// The smallest change a comparison can see (minimum detectable effect, MDE): for a two-sided test at
// level α with power 1 − β, a true effect Δ is found with probability 1 − β when
// Δ ≥ (z₁₋α/₂ + z₁₋β) · SE, SE being the standard error of the compared estimate. Pure.
//
// - Two independent groups of n each, noise σ per observation: SE = σ·√(2/n).
// - n paired observations (A and B measured together, e.g. the windows of a duet): the pair's
//   difference carries the noise, SE = σ_d·√(1/n) with σ_d the standard deviation of the paired
//   differences. When A and B share most of their noise (same machine, same seconds), σ_d is far
//   below σ·√2, which is the whole point of pairing. With autocorrelated pairs the SE comes from
//   the block bootstrap instead (src/verdict/duet/decision.ts); `standardError` takes it as is.
// - History mode compares ONE new run with n earlier ones: the difference of a new value and the
//   history's mean has SE = s·√(1 + 1/n) (the prediction interval's width), and with s estimated
//   from n values the first quantile is Student's t with n − 1 degrees of freedom.
// On log values (latencies: multiplicative noise) the MDE is a log-ratio; `relative` turns it into
// a change (e^MDE − 1).
import { normalQuantile } from './sampling.js';
import { predictionStandardError, studentTQuantile, type PredictionInterval } from './stats.js';

/** The power every MDE k6-gate reports is computed at: a change of exactly the MDE is found 4 times in 5. */
export const MDE_POWER = 0.8;

export interface MdeOptions {
  /** Two-sided level of the test (default 0.05). */
  alpha?: number;
  /** Probability of finding an effect of exactly the MDE (default 0.8). */
  power?: number;
  /** Degrees of freedom of an estimated SE: Student's t replaces z₁₋α/₂ (default: z). */
  df?: number;
}

function checkLevels(alpha: number, power: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha ${alpha}; expected a number strictly between 0 and 1, e.g. 0.05`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power ${power}; expected a number strictly between 0 and 1, e.g. 0.8`);
}

/** (q₁₋α/₂ + z₁₋β) · SE, q being z, or Student's t when `df` is given. */
export function minimumDetectableEffect(standardError: number, options: MdeOptions = {}): number {
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? MDE_POWER;
  checkLevels(alpha, power);
  const first = options.df !== undefined ? studentTQuantile(1 - alpha / 2, options.df) : normalQuantile(1 - alpha / 2);
  return (first + normalQuantile(power)) * standardError;
}

/** MDE of a difference of two independent means of n observations each, noise σ: SE = σ·√(2/n). */
export function mdeTwoGroups(sigma: number, n: number, options: MdeOptions = {}): number {
  if (!(n > 0)) throw new RangeError(`n ${n}; expected a positive count`);
  return minimumDetectableEffect(sigma * Math.sqrt(2 / n), options);
}

/** MDE of the mean of n paired differences whose standard deviation is σ_d: SE = σ_d·√(1/n). */
export function mdePaired(sigmaDifferences: number, n: number, options: MdeOptions = {}): number {
  if (!(n > 0)) throw new RangeError(`n ${n}; expected a positive count`);
  return minimumDetectableEffect(sigmaDifferences / Math.sqrt(n), options);
}

/**
 * MDE of history mode: one new run against a history of n runs with spread s (standard deviation,
 * of log values for latencies): SE = s·√(1 + 1/n), t with n − 1 degrees of freedom.
 */
export function mdeHistory(spread: number, n: number, options: Omit<MdeOptions, 'df'> = {}): number {
  if (!(n >= 2)) throw new RangeError(`a history of ${n} runs; expected at least 2`);
  return minimumDetectableEffect(predictionStandardError(spread, n), { ...options, df: n - 1 });
}

/**
 * The MDE of a decision by a prediction interval at `confidence` (two-sided α = 1 − confidence): the
 * interval's own standard error and degrees of freedom, so the MDE and the limit the verdict used
 * cannot disagree. In the interval's scale (a log-ratio on the log scale).
 */
export function mdeOfInterval(interval: PredictionInterval, confidence: number, power = MDE_POWER): number {
  return minimumDetectableEffect(interval.standardError, { alpha: 1 - confidence, power, df: interval.n - 1 });
}

/**
 * The best a history of such runs could ever do: with n → ∞ the mean and s are known exactly, t
 * becomes z and √(1 + 1/n) becomes 1, so (z₁₋α/₂ + z₁₋β)·s. More history cannot go below it.
 */
export function mdeUnlimitedHistory(spread: number, options: Omit<MdeOptions, 'df'> = {}): number {
  return minimumDetectableEffect(spread, options);
}

/** The most runs of history historyRunsFor considers: the largest `history-limit` there is. */
export const HISTORY_SEARCH_LIMIT = 1000;

/**
 * The fewest runs of history at this spread whose MDE is at most `target` (same scale), or undefined
 * when no history can reach it (the target is at or below mdeUnlimitedHistory) or it takes more than
 * `most` runs.
 */
export function historyRunsFor(
  target: number,
  spread: number,
  options: Omit<MdeOptions, 'df'> = {},
  most = HISTORY_SEARCH_LIMIT,
): number | undefined {
  if (!(target > mdeUnlimitedHistory(spread, options))) return undefined;
  // The MDE falls monotonically with n: bisect for the first n at or under the target.
  if (mdeHistory(spread, most, options) > target) return undefined;
  let low = 2;
  let high = most;
  if (mdeHistory(spread, low, options) <= target) return low;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (mdeHistory(spread, mid, options) <= target) high = mid;
    else low = mid;
  }
  return high;
}

/** A log-ratio MDE as a relative change: e^mde − 1 (0.0488 → +5 %). */
export function relative(logRatio: number): number {
  return Math.expm1(logRatio);
}

/**
 * A log-ratio MDE as the size of the relative change it means in the direction that is worse: a
 * rise of e^m − 1 for lower-is-better values, a fall of 1 − e^−m for higher-is-better ones (a
 * log-ratio of 0.365 is +44 % up but −31 % down, and a throughput's tolerance is measured down).
 */
export function relativeTowards(logRatio: number, worse: 'up' | 'down'): number {
  return worse === 'up' ? Math.expm1(logRatio) : -Math.expm1(-logRatio);
}

/** The inverse of relativeTowards: the log-ratio of a relative change of this size in that direction. */
export function logRatioTowards(change: number, worse: 'up' | 'down'): number {
  return worse === 'up' ? Math.log1p(change) : -Math.log1p(-change);
}
