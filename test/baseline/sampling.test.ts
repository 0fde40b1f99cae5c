import { describe, expect, it } from 'vitest';
import {
  binomialCdf,
  normalQuantile,
  percentOfStat,
  percentileInterval,
  wilcoxonSignedRank,
  wilsonInterval,
} from '../../src/baseline/sampling.js';
import { decide } from '../../src/baseline/compare.js';

/** 1, 2, …, n as a sample set: the value at 0-based rank r is r + 1. */
function ranks(n: number) {
  return { count: n, valueAtRank: (r: number) => r + 1 };
}

describe('normalQuantile and binomialCdf', () => {
  it('match printed tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    // Binomial(10, 0.5): P(X ≤ 2) = 56/1024.
    expect(binomialCdf(2, 10, 0.5)).toBeCloseTo(56 / 1024, 10);
    expect(binomialCdf(39, 100, 0.5)).toBeCloseTo(0.0176, 4);
  });
});

describe('percentileInterval', () => {
  it('gives the textbook order statistics for a median from 100 samples: x(40), x(61)', () => {
    const interval = percentileInterval(ranks(100), 50, 0.95);
    expect([interval.lowRank, interval.highRank]).toEqual([40, 61]);
    expect([interval.low, interval.high]).toEqual([40, 61]);
    expect(interval.coverage).toBeGreaterThanOrEqual(0.95);
    expect(interval.coverage).toBeCloseTo(0.9648, 3);
  });

  it('bounds p(99) of 400 samples only by the maximum above and near p(97.7) below', () => {
    // P(all 400 below the true p(99)) = 0.99^400 = 1.8 % < 2.5 %: the maximum is the upper end.
    const interval = percentileInterval(ranks(400), 99, 0.95);
    expect(interval.highRank).toBe(400);
    expect(interval.lowRank).toBeGreaterThanOrEqual(390);
    expect(interval.lowRank).toBeLessThanOrEqual(393);
  });

  it('leaves p(99) of 200 samples unbounded above (0.99^200 = 13 % of runs have every sample below it)', () => {
    const interval = percentileInterval(ranks(200), 99, 0.95);
    expect(interval.high).toBeUndefined();
    expect(interval.highRank).toBe(201);
  });

  it('narrows as samples grow: p(95) of 10,000 samples within ±0.5 percentile points', () => {
    const interval = percentileInterval(ranks(10_000), 95, 0.95);
    expect(interval.low! / 100).toBeGreaterThan(94.5);
    expect(interval.high! / 100).toBeLessThan(95.5);
  });

  it('covers the true percentile at least as often as promised (simulation, exponential samples)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const truth = -Math.log(1 - 0.95);
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const values = Array.from({ length: 300 }, () => -Math.log(1 - random())).sort((a, b) => a - b);
      const i = percentileInterval({ count: values.length, valueAtRank: (r) => values[r] }, 95, 0.95);
      if ((i.low ?? -Infinity) <= truth && truth <= (i.high ?? Infinity)) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
  });

  it('reads percentile stats', () => {
    expect(percentOfStat('p(99)')).toBe(99);
    expect(percentOfStat('p(99.9)')).toBe(99.9);
    expect(percentOfStat('med')).toBe(50);
    expect(percentOfStat('avg')).toBeUndefined();
  });
});

describe('wilsonInterval', () => {
  it.each([
    [8, 10, 0.4902, 0.9433],
    [0, 20, 0, 0.1611],
    [20, 20, 0.8389, 1],
    [50, 100, 0.4038, 0.5962],
  ])('%s of %s → [%s, %s]', (k, n, low, high) => {
    const interval = wilsonInterval(k, n, 0.95);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });
});

describe('wilcoxonSignedRank', () => {
  it('exact: 10 positive differences give p = 2/1024; 5 give 2/32', () => {
    expect(wilcoxonSignedRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).p).toBeCloseTo(2 / 1024, 10);
    expect(wilcoxonSignedRank([0.1, 0.2, 0.3, 0.4, 0.5]).p).toBeCloseTo(2 / 32, 10);
  });

  it('exact: W+ = 3 of n = 8 (ranks 1 and 2 positive) has two-sided p = 2·5/256', () => {
    // Sign patterns with W+ ≤ 3: {}, {1}, {2}, {3}, {1,2} = 5.
    const result = wilcoxonSignedRank([1, 2, -3, -4, -5, -6, -7, -8]);
    expect(result.wPlus).toBe(3);
    expect(result.p).toBeCloseTo(10 / 256, 10);
  });

  it('finds no difference in balanced differences and drops zeros', () => {
    const result = wilcoxonSignedRank([1, -1.5, 2, -2.5, 3, -3.5, 0, 0]);
    expect(result.n).toBe(6);
    expect(result.p).toBeGreaterThan(0.5);
  });

  it('uses the normal approximation with ties', () => {
    const result = wilcoxonSignedRank([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(result.method).toBe('normal');
    expect(result.p).toBeLessThan(0.01);
  });
});

describe('decide with a sampling band', () => {
  const base = {
    accepted: 100,
    history: [],
    direction: 'lower-is-better' as const,
    unit: 'ms' as const,
    tolerance: 0.1,
    noiseFloor: 2,
    confidence: 0.99,
    minHistory: 5,
  };
  it('regresses only when the band is past the limit too', () => {
    expect(decide({ ...base, current: 130 }).verdict).toBe('regressed');
    expect(decide({ ...base, current: 130, sampling: { n: 5000, low: 125, high: 135, confidence: 0.95 } }).verdict).toBe('regressed');
    const thin = decide({ ...base, current: 130, sampling: { n: 400, low: 104, confidence: 0.95 } });
    expect(thin.verdict).toBe('unchanged');
    expect(thin.thin).toBe(true);
  });

  it('judges a success ratio on its complement: a Wilson band reaching back inside holds the verdict', () => {
    const ratio = { ...base, accepted: 0.999, direction: 'higher-is-better' as const, unit: 'ratio' as const, noiseFloor: 0.005 };
    expect(decide({ ...ratio, current: 0.97 }).verdict).toBe('regressed');
    expect(decide({ ...ratio, current: 0.97, sampling: { n: 33, low: 0.85, high: 0.995, confidence: 0.95 } }).verdict).toBe('unchanged');
  });
});
