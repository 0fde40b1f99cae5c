// Group-sequential boundaries against published tables.
// Classic designs, two-sided α = 0.05, K equally spaced looks: Jennison & Turnbull, "Group Sequential
// Methods with Applications to Clinical Trials" (2000), Table 2.1 (Pocock's C_P) and Table 2.3
// (O'Brien & Fleming's C_B), which reproduce Pocock (1977) and O'Brien & Fleming (1979).
// Lan–DeMets Pocock-type spending, K = 5 equally spaced looks, two-sided α = 0.05: DeMets & Lan,
// "Interim analysis: the alpha spending function approach", Statistics in Medicine 13 (1994).
// (Tables of the O'Brien–Fleming-type function are usually printed for a one-sided α = 0.025, whose
// spending function is not the symmetric two-sided one used here; it is checked by its first look,
// which spends exactly α(t₁), and by its total.)
import { describe, expect, it } from 'vitest';
import { alphaSpent, classicBoundaryConstant, crossingProbability, spendingBoundaries } from '../../../src/verdict/duet/sequential.js';

describe('group-sequential boundaries', () => {
  it.each([
    [2, 2.178],
    [3, 2.289],
    [4, 2.361],
    [5, 2.413],
  ])("Pocock's constant boundary for K = %i looks at α = 0.05 is the published %f", (looks, published) => {
    expect(classicBoundaryConstant('pocock', looks, 0.05)).toBeCloseTo(published, 2);
  });

  it.each([
    [2, 1.977],
    [3, 2.004],
    [4, 2.024],
    [5, 2.04],
  ])("O'Brien-Fleming's final boundary for K = %i looks at α = 0.05 is the published %f", (looks, published) => {
    expect(classicBoundaryConstant('obrien-fleming', looks, 0.05)).toBeCloseTo(published, 2);
  });

  it("Lan-DeMets spending with K = 5 equal looks gives DeMets & Lan's Pocock-type boundaries and spends exactly α", () => {
    const fractions = [0.2, 0.4, 0.6, 0.8, 1];
    const obf = spendingBoundaries('obrien-fleming', fractions, 0.05);
    // First look: the whole α(0.2) = 2 − 2Φ(1.96/√0.2) is spent there, so the boundary is 1.96/√0.2.
    expect(obf.z[0]).toBeCloseTo(1.959964 / Math.sqrt(0.2), 3);
    expect(crossingProbability(fractions, obf.z)).toBeCloseTo(0.05, 4);
    // Strict early, close to the fixed-sample 1.96 at the end.
    expect(obf.z[4]).toBeGreaterThan(1.96);
    expect(obf.z[4]).toBeLessThan(2.1);
    const pocock = spendingBoundaries('pocock', fractions, 0.05);
    [2.438, 2.427, 2.41, 2.397, 2.386].forEach((published, k) => expect(Math.abs(pocock.z[k] - published)).toBeLessThan(0.005));
    // The boundaries spend exactly α in total, and one look alone is the fixed-sample test.
    expect(crossingProbability(fractions, pocock.z)).toBeCloseTo(0.05, 4);
    expect(spendingBoundaries('pocock', [1], 0.05).z[0]).toBeCloseTo(1.96, 2);
    expect(alphaSpent('obrien-fleming', 1, 0.05)).toBeCloseTo(0.05, 6);
  });

  it('refuses looks that are not increasing fractions of the maximum', () => {
    expect(() => spendingBoundaries('pocock', [0.5, 0.4], 0.05)).toThrow(/increasing numbers in \(0, 1\]/);
    expect(() => spendingBoundaries('pocock', [], 0.05)).toThrow(/at least one/);
  });
});
