// The mean of a duet statistic's paired window values and its standard error (decision.ts). Pure.
//
// Windows next to each other can be alike (a GC pause or a neighbour's burst may last longer than a
// window), and a test that assumes independent windows then raises false alarms. The standard error
// comes from the moving-block bootstrap (Künsch 1989): b/n times the variance of the means of all
// overlapping blocks of b windows, computed exactly rather than by resampling; the reference is
// Student's t with ⌊n/b⌋ − 1 degrees of freedom (independent blocks less one), because a variance
// from few blocks is itself noisy.
//
// The block length grows as n^(1/3), the rate Hall, Horowitz & Jing (1995) found best for variance
// estimation; the constant was chosen from measurements (docs/verdicts.md, "The test"). The duets
// measured here had paired values with a lag-1 autocorrelation of about −0.1 (1 s windows, every
// statistic, quiet and busy machine alike): what is left after the pairing is mostly each window's
// own sampling noise. So b = ⌈n^(1/3)⌉ (3 to 4 windows; 5 to 14 degrees of freedom): at the measured
// autocorrelation it stays below the nominal level. A longer block would only cost degrees of
// freedom: the first rule, ⌈3·n^(1/3)⌉, was sized for ρ = 0.5 and left 2 to 4, with t quantiles so
// large that a live +5 % was found in 2 of 8 duets. For windows that are alike after all (another
// service, another runner) a guard: when the values' lag-1 autocorrelation is above 0.15, the block
// is ⌈3·n^(1/3)⌉ again. At ρ = 0.5 that keeps false alarms near α (5.8 % in simulation; 12.8 %
// without the guard), not at it: a pre-test on 20 windows misses some autocorrelated series. Every
// block length is at most n/3, so that at least three blocks are left to estimate the variance from.

/**
 * How the block length follows the number of windows n: ⌈scale·n^(1/3)⌉, at most ⌊n/3⌋; when the
 * paired values' lag-1 autocorrelation is above `guard.autocorrelation`, ⌈guard.scale·n^(1/3)⌉.
 */
export interface BlockRule {
  scale: number;
  guard?: { autocorrelation: number; scale: number };
}

export const DUET_BLOCK_RULE: BlockRule = { scale: 1, guard: { autocorrelation: 0.15, scale: 3 } };

/** The block length for n windows: ⌈scale·n^(1/3)⌉, at most ⌊n/3⌋, at least 1. */
export function blockLength(n: number, scale = DUET_BLOCK_RULE.scale): number {
  return Math.max(1, Math.min(Math.ceil(scale * Math.cbrt(n)), Math.floor(n / 3)));
}

/** Lag-1 autocorrelation of the first n values (0 when they do not vary). */
export function lag1Autocorrelation(d: ArrayLike<number>, n = d.length): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d[i];
  mean /= n;
  let lagged = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    squares += (d[i] - mean) ** 2;
    if (i > 0) lagged += (d[i] - mean) * (d[i - 1] - mean);
  }
  return squares > 0 ? lagged / squares : 0;
}

/** The block length the rule gives these values. */
export function ruleBlockLength(d: ArrayLike<number>, n = d.length, rule: BlockRule = DUET_BLOCK_RULE): number {
  const guarded = rule.guard !== undefined && lag1Autocorrelation(d, n) > rule.guard.autocorrelation;
  return blockLength(n, guarded && rule.guard ? rule.guard.scale : rule.scale);
}

export interface BlockBootstrapMean {
  n: number;
  mean: number;
  /** Standard error of the mean from the moving-block bootstrap. */
  se: number;
  blockLength: number;
  /** ⌊n/b⌋ − 1: the degrees of freedom of the t reference. */
  df: number;
}

/**
 * Mean of `d` and its moving-block bootstrap standard error: b/n times the variance of the means of
 * the n − b + 1 overlapping blocks of length b (the exact variance of the bootstrap mean, no resampling).
 */
export function blockBootstrapMean(d: ArrayLike<number>, n = d.length, b = ruleBlockLength(d, n)): BlockBootstrapMean {
  let total = 0;
  for (let i = 0; i < n; i++) total += d[i];
  const mean = total / n;
  const blocks = n - b + 1;
  let window = 0;
  for (let i = 0; i < b; i++) window += d[i];
  let squares = 0;
  for (let s = 0; ; s++) {
    const m = window / b - mean;
    squares += m * m;
    if (s + 1 >= blocks) break;
    window += d[s + b] - d[s];
  }
  const variance = ((squares / blocks) * b) / n;
  return { n, mean, se: Math.sqrt(variance), blockLength: b, df: Math.max(1, Math.floor(n / b) - 1) };
}
