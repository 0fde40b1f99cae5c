import { describe, expect, it } from 'vitest';
import { LogHistogram, TrendAccumulator } from '../../src/samples/histogram.js';

/** k6's rule on a sorted copy: rank p·(n−1), linear interpolation. */
function k6Percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = (p / 100) * (sorted.length - 1);
  const lo = sorted[Math.floor(i)];
  const hi = sorted[Math.ceil(i)];
  return lo + (hi - lo) * (i - Math.floor(i));
}

function lognormal(n: number, seed = 7): number[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  return Array.from({ length: n }, () => Math.exp(3 + 0.8 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand())));
}

describe('histogram', () => {
  it('is exact below the exact limit', () => {
    const values = lognormal(5000);
    const trend = new TrendAccumulator({ exactLimit: 10_000 });
    values.forEach((v) => trend.add(v));
    expect(trend.isExact).toBe(true);
    for (const p of [0, 50, 90, 95, 99, 99.9, 100]) expect(trend.percentile(p)).toBe(k6Percentile(values, p));
    expect(trend.avg).toBeCloseTo(values.reduce((a, b) => a + b) / values.length, 9);
  });

  it('stays within the stated relative error past the limit, with a bounded number of buckets', () => {
    const values = lognormal(200_000);
    const trend = new TrendAccumulator({ exactLimit: 1000, relativeError: 0.001 });
    values.forEach((v) => trend.add(v));
    expect(trend.isExact).toBe(false);
    for (const p of [1, 50, 90, 95, 99, 99.9]) {
      const exact = k6Percentile(values, p);
      expect(Math.abs(trend.percentile(p) / exact - 1), `p(${p})`).toBeLessThanOrEqual(0.001);
    }
    expect(trend.percentile(100)).toBe(values.reduce((a, b) => Math.max(a, b)));
    expect(trend.count).toBe(200_000);
    // Buckets grow with the value range (log), not with the number of samples.
    expect(trend.retainedNumbers).toBeLessThan(20_000);
  });

  it('keeps zero and negative values in order', () => {
    const h = new LogHistogram(0.01);
    [-100, -1, 0, 0, 5, 50].forEach((v) => h.add(v));
    expect([0, 1, 2, 3, 4, 5].map((r) => h.valueAtRank(r)).map((v) => Math.round(v))).toEqual([-100, -1, 0, 0, 5, 50]);
    expect(() => new LogHistogram(2)).toThrow(/expected a number between 0 and 1/);
  });
});
