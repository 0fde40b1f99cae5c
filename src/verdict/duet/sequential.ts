// Group-sequential boundaries: deciding after every block of a duet without raising the false-alarm
// rate. Looking at the data K times at a fixed level α would raise it to about 1 − (1 − α)^K for
// independent looks; a group-sequential design spends α over the looks instead. The statistic at
// look k, Z_k, is (approximately) normal with Z_k·√t_k a Brownian motion in the information fraction
// t_k (the share of the maximum sample seen), so the chance of crossing a boundary at look k given
// no earlier crossing is an integral over the continuation regions of the earlier looks (Armitage,
// McPherson & Rowe 1969; Jennison & Turnbull 2000, ch. 19), computed here on a grid with Simpson's rule.
//
// - Pocock (1977): the same boundary at every look; O'Brien & Fleming (1979): c·√(K/k), very strict
//   early and close to the fixed-sample 1.96 at the end. Both need the looks fixed in advance.
// - Lan & DeMets (1983): an α-spending function α(t) says how much α may be spent by information
//   fraction t, so the looks need not be known in advance (a duet stopped by k6 a second early still
//   has a valid boundary). `pocock`: α·ln(1 + (e − 1)·t); `obrien-fleming`: 2 − 2Φ(z₁₋α/₂ / √t).
// The tests check the numbers against the published tables.
import { normalCdf, normalQuantile } from '../../baseline/sampling.js';

export type SpendingFunction = 'pocock' | 'obrien-fleming';

/** α spent by information fraction t (0 < t ≤ 1) for a two-sided overall level `alpha`. */
export function alphaSpent(spending: SpendingFunction, t: number, alpha: number): number {
  if (t <= 0) return 0;
  const f = Math.min(1, t);
  if (spending === 'pocock') return alpha * Math.log(1 + (Math.E - 1) * f);
  return 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(f));
}

/** Grid points per look (odd, for Simpson's rule). */
const GRID = 301;
/** The density of the first look and the tails past this many standard deviations are left out. */
const RANGE_SD = 9;

interface Density {
  /** Points on the S = Z·√t scale. */
  s: Float64Array;
  /** Sub-density of S at those points (mass that has not crossed yet). */
  g: Float64Array;
  /** Simpson weights times the step. */
  w: Float64Array;
}

function simpsonWeights(n: number, h: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = ((i === 0 || i === n - 1 ? 1 : i % 2 === 1 ? 4 : 2) * h) / 3;
  return w;
}

function phi(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** P(cross at this look) for a boundary `c` on the Z scale, from the density of the previous look. */
function crossing(previous: Density | undefined, t: number, tPrevious: number, c: number): number {
  if (!previous) return 2 * (1 - normalCdf(c));
  const sd = Math.sqrt(t - tPrevious);
  const b = c * Math.sqrt(t);
  let p = 0;
  for (let i = 0; i < previous.s.length; i++) {
    const s = previous.s[i];
    p += previous.w[i] * previous.g[i] * (normalCdf((-b - s) / sd) + 1 - normalCdf((b - s) / sd));
  }
  return p;
}

/** The density at this look on its continuation region |Z| < c. */
function continueDensity(previous: Density | undefined, t: number, tPrevious: number, c: number): Density {
  const b = Math.min(c, RANGE_SD) * Math.sqrt(t);
  const h = (2 * b) / (GRID - 1);
  const s = new Float64Array(GRID);
  const g = new Float64Array(GRID);
  for (let i = 0; i < GRID; i++) s[i] = -b + i * h;
  if (!previous) {
    for (let i = 0; i < GRID; i++) g[i] = phi(s[i] / Math.sqrt(t)) / Math.sqrt(t);
  } else {
    const sd = Math.sqrt(t - tPrevious);
    for (let i = 0; i < GRID; i++) {
      let v = 0;
      for (let j = 0; j < previous.s.length; j++) v += previous.w[j] * previous.g[j] * phi((s[i] - previous.s[j]) / sd);
      g[i] = v / sd;
    }
  }
  return { s, g, w: simpsonWeights(GRID, h) };
}

/** Smallest c in [0, 40] with f(c) ≤ target, for f decreasing in c. */
function solveBoundary(f: (c: number) => number, target: number): number {
  if (target <= 0) return Infinity;
  let low = 0;
  let high = 40;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (f(mid) > target) low = mid;
    else high = mid;
  }
  return high;
}

export interface SequentialBoundary {
  /** Information fraction of each look. */
  fractions: number[];
  /** Two-sided boundary on the Z scale per look: stop when |Z_k| ≥ z[k]. */
  z: number[];
  /** The same as a two-sided nominal level per look: 2·(1 − Φ(z)). */
  nominal: number[];
  /** α spent at each look (sums to the overall α when the last fraction is 1). */
  spent: number[];
}

/**
 * Lan–DeMets boundaries for looks at the given information fractions (increasing, in (0, 1]),
 * two-sided at overall level `alpha`.
 */
export function spendingBoundaries(spending: SpendingFunction, fractions: readonly number[], alpha: number): SequentialBoundary {
  checkFractions(fractions, alpha);
  const z: number[] = [];
  const spent: number[] = [];
  let density: Density | undefined;
  let tPrevious = 0;
  for (const t of fractions) {
    const target = alphaSpent(spending, t, alpha) - alphaSpent(spending, tPrevious, alpha);
    const c = solveBoundary((x) => crossing(density, t, tPrevious, x), target);
    z.push(c);
    spent.push(target);
    density = continueDensity(density, t, tPrevious, c);
    tPrevious = t;
  }
  return { fractions: [...fractions], z, nominal: z.map((c) => 2 * (1 - normalCdf(c))), spent };
}

/** Total crossing probability of boundaries z at the given fractions (under no effect). */
export function crossingProbability(fractions: readonly number[], z: readonly number[]): number {
  let density: Density | undefined;
  let tPrevious = 0;
  let total = 0;
  fractions.forEach((t, k) => {
    total += crossing(density, t, tPrevious, z[k]);
    density = continueDensity(density, t, tPrevious, z[k]);
    tPrevious = t;
  });
  return total;
}

/**
 * The classic designs with K equally spaced looks: Pocock's constant boundary, or O'Brien–Fleming's
 * c·√(K/k). Returns the constant c (the boundary at the last look for O'Brien–Fleming).
 */
export function classicBoundaryConstant(design: 'pocock' | 'obrien-fleming', looks: number, alpha: number): number {
  const fractions = Array.from({ length: looks }, (_, k) => (k + 1) / looks);
  const shape = (k: number) => (design === 'pocock' ? 1 : Math.sqrt(looks / (k + 1)));
  return solveBoundary(
    (c) =>
      crossingProbability(
        fractions,
        fractions.map((_, k) => c * shape(k)),
      ),
    alpha,
  );
}

function checkFractions(fractions: readonly number[], alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha ${alpha}; expected a number strictly between 0 and 1`);
  if (fractions.length === 0) throw new RangeError('no looks; expected at least one information fraction');
  fractions.forEach((t, k) => {
    if (!(t > 0 && t <= 1) || (k > 0 && !(t > fractions[k - 1]))) {
      throw new RangeError(`information fractions ${JSON.stringify(fractions)}; expected increasing numbers in (0, 1]`);
    }
  });
}
