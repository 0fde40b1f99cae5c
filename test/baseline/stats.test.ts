import { describe, expect, it } from 'vitest';
import { median, predictionInterval, sampleStdDev, studentTCdf, studentTQuantile, withoutOutliers } from '../../src/baseline/stats.js';

describe('studentTQuantile', () => {
  // Two-sided critical values as printed in every statistics textbook table (3 decimals).
  const table: [p: number, df: number, t: number][] = [
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 4, 2.776],
    [0.975, 9, 2.262],
    [0.975, 30, 2.042],
    [0.995, 4, 4.604],
    [0.995, 7, 3.499],
    [0.995, 9, 3.25],
    [0.95, 10, 1.812],
    [0.99, 20, 2.528],
    [0.9, 5, 1.476],
    [0.995, 120, 2.617],
  ];
  it.each(table)('t(%s, df=%s) = %s', (p, df, t) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(t, 3);
  });

  it('is symmetric around zero', () => {
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-2.262, 3);
    expect(studentTQuantile(0.5, 9)).toBe(0);
  });

  it('approaches the normal quantile for many degrees of freedom', () => {
    expect(studentTQuantile(0.975, 100_000)).toBeCloseTo(1.95996, 4);
  });

  it('agrees with the CDF (general path checked against the df=1 closed form)', () => {
    expect(studentTCdf(12.706204736, 1)).toBeCloseTo(0.975, 9);
    expect(studentTCdf(studentTQuantile(0.99, 3.5), 3.5)).toBeCloseTo(0.99, 10);
  });

  it('rejects probabilities outside (0, 1) and non-positive df', () => {
    expect(() => studentTQuantile(1, 5)).toThrow(/strictly between 0 and 1/);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/degrees of freedom/);
  });
});

describe('median and standard deviation', () => {
  it('takes the middle value or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('uses n - 1 in the sample standard deviation', () => {
    expect(sampleStdDev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3);
  });
});

describe('predictionInterval', () => {
  it('matches a worked example on log values (n=8, 99%)', () => {
    // ln values: mean 5.20401, s = 0.0792376; t(0.995, 7) = 3.4995; half = t·s·√(1 + 1/8) = 0.294095.
    const interval = predictionInterval([180, 160, 205, 175, 195, 170, 190, 185], 0.99);
    expect(interval.scale).toBe('log');
    expect(interval.n).toBe(8);
    expect(interval.t).toBeCloseTo(3.4995, 3);
    expect(interval.centre).toBeCloseTo(182.0, 1);
    expect(interval.low).toBeCloseTo(135.6, 0);
    expect(interval.high).toBeCloseTo(244.2, 0);
  });

  it('falls back to the linear scale when a value is zero (an error rate of 0)', () => {
    const interval = predictionInterval([0, 0, 0.01, 0, 0], 0.95);
    expect(interval.scale).toBe('linear');
    expect(interval.centre).toBeCloseTo(0.002, 6);
    // s = 0.004472; t(0.975, 4) = 2.776; half = 2.776 · 0.004472 · √1.2 = 0.0136
    expect(interval.high).toBeCloseTo(0.002 + 0.0136, 3);
  });

  it('is a single point when the history never varied', () => {
    const interval = predictionInterval([50, 50, 50, 50, 50], 0.99);
    expect(interval.low).toBeCloseTo(50, 9);
    expect(interval.high).toBeCloseTo(50, 9);
  });

  it('needs two values at least', () => {
    expect(() => predictionInterval([1], 0.99)).toThrow(/at least 2/);
  });
});

describe('withoutOutliers', () => {
  it('leaves out up to two disturbed runs of ten (measured history of the detection benchmark)', () => {
    // Robust z of the logs: 67.2 → 4.1, 87.5 → 14.9, all others < 1.
    const history = [67.2, 59.8, 60.9, 60.2, 60.5, 87.5, 59.6, 60.1, 62.0, 62.0];
    expect(withoutOutliers(history, 5)).toEqual({ kept: [59.8, 60.9, 60.2, 60.5, 59.6, 60.1, 62.0, 62.0], dropped: [67.2, 87.5] });
  });
  it('keeps everything when more than a fifth stands out (a noisy environment, not a disturbed run)', () => {
    const history = [60, 150, 65, 145, 100, 106, 95, 103, 98];
    expect(withoutOutliers(history, 5).dropped).toEqual([]);
  });
  it('keeps everything without spread, with zeros, or when too few would remain', () => {
    expect(withoutOutliers([5, 5, 5, 5, 9], 3).dropped).toEqual([]);
    expect(withoutOutliers([0, 0, 0.01, 0, 0], 3).dropped).toEqual([]);
    expect(withoutOutliers([100, 101, 99, 100, 300], 5).dropped).toEqual([]);
  });
});
