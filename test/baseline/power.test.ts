// The minimum detectable effect against textbook computations.
import { describe, expect, it } from 'vitest';
import {
  historyRunsFor,
  mdeHistory,
  mdeOfInterval,
  mdePaired,
  mdeTwoGroups,
  mdeUnlimitedHistory,
  minimumDetectableEffect,
  logRatioTowards,
  relative,
  relativeTowards,
} from '../../src/baseline/power.js';
import { predictionInterval } from '../../src/baseline/stats.js';

describe('minimum detectable effect', () => {
  it('two groups: the textbook sample size n = 2(z₀.₉₇₅ + z₀.₈)²σ²/Δ² inverts to the MDE', () => {
    // The textbook two-sample formula (e.g. Chow, Shao & Wang, Sample Size Calculations in Clinical
    // Research, ch. 3): σ = 10, Δ = 5, α = 0.05 two-sided, power 80 % → n = 2·(1.95996 + 0.84162)²·100/25
    // = 62.8, i.e. 63 per group.
    const n = (2 * (1.959964 + 0.841621) ** 2 * 10 ** 2) / 5 ** 2;
    expect(n).toBeCloseTo(62.79, 2);
    expect(mdeTwoGroups(10, n)).toBeCloseTo(5, 6);
    expect(mdeTwoGroups(10, 63)).toBeLessThan(5);
    expect(mdeTwoGroups(10, 62)).toBeGreaterThan(5);
    // z₀.₉₇₅ + z₀.₈ = 2.8016: the factor every power table starts from.
    expect(minimumDetectableEffect(1)).toBeCloseTo(2.8016, 4);
    expect(minimumDetectableEffect(1, { alpha: 0.01, power: 0.9 })).toBeCloseTo(2.5758 + 1.2816, 3);
  });

  it('paired: SE = σ_d/√n, so n pairs see what 2n observations per group would at the same σ', () => {
    expect(mdePaired(10, 16)).toBeCloseTo((2.8016 * 10) / 4, 3);
    expect(mdePaired(10 * Math.SQRT2, 63)).toBeCloseTo(mdeTwoGroups(10, 63), 9);
    // Pairing pays when A and B share their noise: σ_d = 2 instead of σ·√2 = 14.1 → 7× smaller MDE.
    expect(mdeTwoGroups(10, 30) / mdePaired(2, 30)).toBeCloseTo(Math.SQRT2 * 5, 6);
  });

  it('history mode: one new run against n runs uses t with n − 1 df and √(1 + 1/n)', () => {
    // s = 0.05 on the log scale (5 % run-to-run noise), 10 runs: (t₀.₉₇₅,₉ = 2.2622 + 0.8416)·0.05·√1.1.
    const mde = mdeHistory(0.05, 10);
    expect(mde).toBeCloseTo((2.262157 + 0.841621) * 0.05 * Math.sqrt(1.1), 5);
    expect(relative(mde)).toBeCloseTo(0.1768, 3);
    expect(() => mdeHistory(0.05, 1)).toThrow(/at least 2/);
    expect(() => minimumDetectableEffect(1, { power: 1 })).toThrow(/power 1; expected/);
  });

  it('the interval a verdict used gives the same MDE as the formula, and its half-width is t·SE', () => {
    const history = [180, 176, 185, 182, 178, 190, 181, 179];
    const interval = predictionInterval(history, 0.99);
    const spread = interval.spread;
    expect(mdeOfInterval(interval, 0.99)).toBeCloseTo(mdeHistory(spread, 8, { alpha: 0.01 }), 12);
    expect(Math.log(interval.high / interval.centre)).toBeCloseTo(interval.t * interval.standardError, 12);
    expect(mdeOfInterval(interval, 0.99)).toBeCloseTo((3.4995 + 0.8416) * spread * Math.sqrt(1 + 1 / 8), 3);
  });

  it('more history: never below (z₀.₉₉₅ + z₀.₈)·s, and the fewest runs that reach a target', () => {
    // s = 0.024068 (the logs of 180, 176, 185, 182, 178, 190, 181, 179): with unlimited history
    // (2.5758 + 0.8416)·s = 0.0823 (+8.6 %), under ln 1.1 = 0.0953, so a 10 % tolerance is reachable.
    // By the t table: n = 14 → (t₀.₉₉₅,₁₃ = 3.0123 + 0.8416)·s·√(15/14) = 0.0960 > 0.0953;
    // n = 15 → (t₀.₉₉₅,₁₄ = 2.9768 + 0.8416)·s·√(16/15) = 0.0949 ≤ 0.0953.
    const s = 0.024068;
    expect(mdeUnlimitedHistory(s, { alpha: 0.01 })).toBeCloseTo((2.5758 + 0.8416) * s, 4);
    expect(mdeHistory(s, 14, { alpha: 0.01 })).toBeCloseTo((3.0123 + 0.8416) * s * Math.sqrt(15 / 14), 4);
    expect(mdeHistory(s, 15, { alpha: 0.01 })).toBeCloseTo((2.9768 + 0.8416) * s * Math.sqrt(16 / 15), 4);
    expect(historyRunsFor(Math.log(1.1), s, { alpha: 0.01 })).toBe(15);
    // s = 0.0792 (the noisy worked example): even unlimited history sees only +31 %; no count reaches 10 %.
    expect(relative(mdeUnlimitedHistory(0.0792, { alpha: 0.01 }))).toBeCloseTo(0.311, 3);
    expect(historyRunsFor(Math.log(1.1), 0.0792, { alpha: 0.01 })).toBeUndefined();
    // A target the history already meets: the smallest history there is.
    expect(historyRunsFor(1, 0.01, { alpha: 0.01 })).toBe(2);
  });

  it('a log-ratio MDE is a rise of e^m − 1 or a fall of 1 − e^−m, and back', () => {
    expect(relativeTowards(Math.log(1.25), 'up')).toBeCloseTo(0.25, 12);
    expect(relativeTowards(Math.log(1.25), 'down')).toBeCloseTo(0.2, 12);
    expect(logRatioTowards(0.2, 'down')).toBeCloseTo(Math.log(1.25), 12);
    expect(logRatioTowards(0.25, 'up')).toBeCloseTo(Math.log(1.25), 12);
  });
});
