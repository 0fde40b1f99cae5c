// The minimum detectable effect against textbook computations.
import { describe, expect, it } from 'vitest';
import { mdeHistory, mdePaired, mdeTwoGroups, minimumDetectableEffect, relative } from '../../src/baseline/power.js';

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
});
