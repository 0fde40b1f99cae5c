// The small amount of statistics the baseline engine needs, written out so that the numbers can be
// checked against printed tables (no dependency whose approximations we cannot see).

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the series in the range where it is accurate.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < c.length; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz's method). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    // even step
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // odd step
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast only on one side of the mean; use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t distribution with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom ${df}; expected a positive number`);
  if (t === 0) return 0.5;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t distribution: the t with P(T ≤ t) = p. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability ${p}; expected a number strictly between 0 and 1`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom ${df}; expected a positive number`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  // Closed forms exist for 1 and 2 degrees of freedom; they also check the general path in tests.
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  let low = 0;
  let high = 1;
  while (studentTCdf(high, df) < p) {
    low = high;
    high *= 2;
    if (high > 1e12) return high;
  }
  // Bisection: the CDF is monotone, and 100 halvings reach the limit of double precision.
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (studentTCdf(mid, df) < p) low = mid;
    else high = mid;
    if (high - low <= 1e-13 * Math.max(1, high)) break;
  }
  return (low + high) / 2;
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n − 1 in the denominator). */
export function sampleStdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (values.length - 1));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface PredictionInterval {
  low: number;
  high: number;
  /** Centre of the interval in the original units (geometric mean on the log scale). */
  centre: number;
  /** `log` when every value was positive (multiplicative noise), `linear` otherwise. */
  scale: 'log' | 'linear';
  /** The Student-t quantile used. */
  t: number;
  n: number;
  /** The history's standard deviation s, in the interval's scale (of log values on the log scale). */
  spread: number;
  /** s·√(1 + 1/n): the standard error of one new value's distance from the history's mean. */
  standardError: number;
}

/**
 * The standard error of the difference between ONE new value and the mean of n earlier ones whose
 * standard deviation is s: s·√(1 + 1/n). The prediction interval and the history's minimum
 * detectable effect (power.ts) both rest on it.
 */
export function predictionStandardError(spread: number, n: number): number {
  return spread * Math.sqrt(1 + 1 / n);
}

/**
 * Two-sided prediction interval for ONE new observation from the same distribution as `values`:
 * mean ± t(1 − α/2, n − 1) · s · √(1 + 1/n). Latencies are right-skewed and their noise is
 * multiplicative, so the interval is built on log values when all are positive; with a zero in
 * the history (an error rate of 0) logs do not exist and the linear scale is used.
 */
export function predictionInterval(values: readonly number[], confidence: number): PredictionInterval {
  const n = values.length;
  if (n < 2) throw new RangeError(`a prediction interval needs at least 2 values, got ${n}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence}; expected a number strictly between 0 and 1`);
  const scale: PredictionInterval['scale'] = values.every((v) => v > 0) ? 'log' : 'linear';
  const points = scale === 'log' ? values.map(Math.log) : [...values];
  const m = mean(points);
  const t = studentTQuantile((1 + confidence) / 2, n - 1);
  const spread = sampleStdDev(points);
  const standardError = predictionStandardError(spread, n);
  const half = t * standardError;
  const shape = { scale, t, n, spread, standardError };
  if (scale === 'log') return { low: Math.exp(m - half), high: Math.exp(m + half), centre: Math.exp(m), ...shape };
  return { low: m - half, high: m + half, centre: m, ...shape };
}

/**
 * The history without runs that were disturbed: values whose log is more than `cutoff` robust
 * standard deviations (1.4826 · MAD) from the median log. One main-branch run that shared its
 * runner with a noisy neighbour would otherwise widen the interval for the next `historyLimit`
 * runs and hide real regressions. Nothing is removed when the MAD is 0 (no spread to judge by),
 * when a value is not positive, when fewer than `keepAtLeast` values would remain, or when more
 * than a fifth of the values stand out: then the spread is how this environment is, not a few
 * disturbed runs.
 */
export function withoutOutliers(values: readonly number[], keepAtLeast: number, cutoff = 3.5): { kept: number[]; dropped: number[] } {
  if (values.length < 3 || values.some((v) => !(v > 0))) return { kept: [...values], dropped: [] };
  const logs = values.map(Math.log);
  const centre = median(logs);
  const mad = median(logs.map((v) => Math.abs(v - centre)));
  if (mad === 0) return { kept: [...values], dropped: [] };
  const scale = 1.4826 * mad;
  const kept: number[] = [];
  const dropped: number[] = [];
  values.forEach((v, i) => (Math.abs(logs[i] - centre) / scale > cutoff ? dropped : kept).push(v));
  if (kept.length < keepAtLeast || dropped.length > Math.floor(values.length / 5)) return { kept: [...values], dropped: [] };
  return { kept, dropped };
}
