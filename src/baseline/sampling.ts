// The uncertainty of ONE run's own statistics (sampling noise), apart from the run-to-run noise the
// history's prediction interval measures. Pure: numbers in, numbers out.
//
// - A percentile from n samples: the distribution-free order-statistic interval. The number of
//   samples below the true q-quantile is Binomial(n, q), so [x(l), x(u)] covers the quantile with at
//   least the stated confidence when l and u cut α/2 off each tail of that binomial. p(99) from 400
//   samples has no upper bound at 95 % (the top 4 samples cannot pin it) and a lower bound near
//   p(97.7): that is what "thin" means in the report.
// - A rate from passes/fails: the Wilson score interval (sane at 0 and at 1, unlike the Wald one).
// - A paired comparison of per-round statistics (A/B mode): the Wilcoxon signed-rank test, exact
//   for small n without ties, normal approximation with tie correction otherwise.
import { regularizedIncompleteBeta } from './stats.js';

/** What an interval over one run's samples needs: the count and the value at a 0-based rank in sorted order. */
export interface RankedSamples {
  readonly count: number;
  valueAtRank(rank: number): number;
}

/** The quantile of the standard normal distribution (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability ${p}; expected a number strictly between 0 and 1`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const whole = Math.floor(k);
  return regularizedIncompleteBeta(1 - p, n - whole, whole + 1);
}

export interface PercentileInterval {
  /** Samples the interval rests on. */
  n: number;
  /** Lower end, or undefined when n is too small to bound the percentile from below. */
  low?: number;
  /** Upper end, or undefined when n is too small to bound it from above (p(99) of a few hundred samples). */
  high?: number;
  /** 1-based order statistics used (x(lowRank), x(highRank)); 0 / n+1 mean "unbounded". */
  lowRank: number;
  highRank: number;
  /** Probability that the interval covers the true percentile (≥ the confidence asked for). */
  coverage: number;
}

/** Smallest k in [lo, hi] with f(k) true, for a monotone f; hi + 1 when none. */
function firstTrue(lo: number, hi: number, f: (k: number) => boolean): number {
  let a = lo;
  let b = hi + 1;
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    if (f(mid)) b = mid;
    else a = mid + 1;
  }
  return a;
}

/**
 * Distribution-free two-sided interval for the `percent` percentile from the run's samples
 * (order statistics; see the module comment). With B ~ Binomial(n, q): l is the largest rank with
 * P(B ≤ l − 1) ≤ α/2 and u the smallest with P(B ≤ u − 1) ≥ 1 − α/2.
 */
export function percentileInterval(samples: RankedSamples, percent: number, confidence = 0.95): PercentileInterval {
  if (!(percent > 0 && percent < 100)) throw new RangeError(`percentile ${percent}; expected a number strictly between 0 and 100`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence}; expected a number strictly between 0 and 1`);
  const n = samples.count;
  const q = percent / 100;
  const tail = (1 - confidence) / 2;
  // l − 1 = the largest k with cdf(k) ≤ tail, i.e. (first k with cdf(k) > tail) − 1.
  const lowRank = n === 0 ? 0 : firstTrue(-1, n, (k) => binomialCdf(k, n, q) > tail);
  const highRank = n === 0 ? 1 : firstTrue(0, n, (k) => binomialCdf(k, n, q) >= 1 - tail) + 1;
  const lowOk = lowRank >= 1;
  const highOk = highRank <= n;
  const coverage = (highOk ? binomialCdf(highRank - 1, n, q) : 1) - (lowOk ? binomialCdf(lowRank - 1, n, q) : 0);
  return {
    n,
    low: lowOk ? samples.valueAtRank(lowRank - 1) : undefined,
    high: highOk ? samples.valueAtRank(highRank - 1) : undefined,
    lowRank: lowOk ? lowRank : 0,
    highRank: highOk ? highRank : n + 1,
    coverage,
  };
}

/** Wilson score interval for a proportion `successes / n`. */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): { low: number; high: number } {
  if (!(n > 0)) return { low: 0, high: 1 };
  const z = normalQuantile((1 + confidence) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The statistic a sampling interval is computed for, in `--summary-trend-stats` spelling. */
export function percentOfStat(stat: string): number | undefined {
  if (stat === 'med') return 50;
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (!m) return undefined;
  const percent = Number(m[1]);
  return percent > 0 && percent < 100 ? percent : undefined;
}

export interface SignedRankResult {
  /** Non-zero differences used. */
  n: number;
  /** Sum of the ranks of the positive differences. */
  wPlus: number;
  /** Two-sided p-value of "the differences are centred on 0". */
  p: number;
  method: 'exact' | 'normal';
}

/**
 * Wilcoxon signed-rank test of paired differences (zeros dropped, ties get mid-ranks). Exact
 * null distribution for n ≤ 30 without ties (all 2^n sign patterns, counted by dynamic
 * programming), normal approximation with continuity and tie correction otherwise.
 */
export function wilcoxonSignedRank(differences: readonly number[]): SignedRankResult {
  const d = differences.filter((x) => x !== 0 && Number.isFinite(x));
  const n = d.length;
  if (n === 0) return { n: 0, wPlus: 0, p: 1, method: 'exact' };
  const order = d.map((x, i) => ({ a: Math.abs(x), i })).sort((x, y) => x.a - y.a);
  const ranks = new Array<number>(n);
  let ties = false;
  let tieTerm = 0;
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && order[e + 1].a === order[s].a) e++;
    const rank = (s + e + 2) / 2;
    for (let k = s; k <= e; k++) ranks[order[k].i] = rank;
    const t = e - s + 1;
    if (t > 1) {
      ties = true;
      tieTerm += t * t * t - t;
    }
    s = e + 1;
  }
  let wPlus = 0;
  d.forEach((x, i) => {
    if (x > 0) wPlus += ranks[i];
  });
  const total = (n * (n + 1)) / 2;
  if (!ties && n <= 30) {
    // counts[s] = number of sign patterns whose positive ranks sum to s.
    let counts = new Float64Array(total + 1);
    counts[0] = 1;
    for (let r = 1; r <= n; r++) {
      const next = new Float64Array(total + 1);
      for (let s = 0; s <= total; s++) {
        if (counts[s] === 0) continue;
        next[s] += counts[s];
        next[s + r] += counts[s];
      }
      counts = next;
    }
    const patterns = Math.pow(2, n);
    const extreme = Math.min(wPlus, total - wPlus);
    let tailCount = 0;
    for (let s = 0; s <= extreme; s++) tailCount += counts[s];
    return { n, wPlus, p: Math.min(1, (2 * tailCount) / patterns), method: 'exact' };
  }
  const meanW = total / 2;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const z = variance > 0 ? Math.max(0, Math.abs(wPlus - meanW) - 0.5) / Math.sqrt(variance) : 0;
  return { n, wPlus, p: Math.min(1, 2 * (1 - normalCdf(z))), method: 'normal' };
}

/** Φ(z), the standard normal CDF (via erfc; |error| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}
