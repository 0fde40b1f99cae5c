// The duet decision on plain data: paired windows from the two sides, the block bootstrap, the
// verdicts and the floor each one says it used.
import { describe, expect, it } from 'vitest';
import type { SideWindow, WindowHistogram } from '../../../src/samples/windows.js';
import {
  blockBootstrapMean,
  blockLength,
  decideLook,
  DUET_BLOCK_RULE,
  lag1Autocorrelation,
  ruleBlockLength,
  DEFAULT_DUET_OPTIONS,
  DUET_DEFAULT_STATS,
  pairWindows,
  type PairedWindows,
} from '../../../src/verdict/duet/decision.js';
import { decideSequentially, lookPoints } from '../../../src/verdict/duet/replay.js';

/**
 * A window whose requests' latencies spread log-normally around `ms` (spread 0.2 in log), as bucket
 * counts of a schema-3 native histogram in seconds, the way k6 pushes them.
 */
function window(ms: number, requests = 200, failed = 0): SideWindow {
  const base = Math.pow(2, 1 / 8);
  const positive = new Map<number, number>();
  const centre = Math.log(ms / 1000);
  const cdf = (x: number) => 0.5 * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x ** 3)));
  for (let i = Math.floor((centre - 1) / Math.log(base)); i <= Math.ceil((centre + 1) / Math.log(base)); i++) {
    const n = requests * (cdf((i * Math.log(base) - centre) / 0.2) - cdf(((i - 1) * Math.log(base) - centre) / 0.2));
    if (n > 0) positive.set(i, n);
  }
  const h: WindowHistogram = {
    count: requests,
    sum: (requests * ms) / 1000,
    zeroCount: 0,
    schema: 3,
    positive,
    negative: new Map(),
    scale: 1000,
  };
  return { trends: new Map([['http_req_duration', h]]), requests, failedRequests: failed, pushes: 1 };
}

/** Deterministic wobble, the same on both sides of a window (the machine), plus a small own part. */
const wobble = (i: number) => 1 + 0.3 * Math.sin(i / 3);
const own = (i: number, side: number) => 1 + 0.005 * Math.sin(i * 7.1 + side * 2.3);

function sides(windows: number, ratio: number, failedB = 0): { a: SideWindow[]; b: SideWindow[] } {
  const a = Array.from({ length: windows }, (_, i) => window(30 * wobble(i) * own(i, 0)));
  const b = Array.from({ length: windows }, (_, i) => window(30 * ratio * wobble(i) * own(i, 1), 200, failedB));
  return { a, b };
}

function pairs(a: SideWindow[], b: SideWindow[]): PairedWindows[] {
  return DUET_DEFAULT_STATS.map((s) => pairWindows(a, b, s));
}

describe('paired windows', () => {
  it('pairs window i of A with window i of B, as log-ratios for latencies and differences for the error rate', () => {
    const a = [window(20), window(20), window(40, 200, 100)];
    const b = [window(30, 200, 20), { ...window(20), requests: 0, trends: new Map() }, window(40, 200, 0)];
    const p95 = pairWindows(a, b, { metric: 'http_req_duration', stat: 'p(95)' });
    // The empty B window is left out; the others pair up.
    expect(p95.d).toHaveLength(2);
    expect(Math.exp(p95.d[0])).toBeCloseTo(1.5, 1);
    expect(p95.d[1]).toBeCloseTo(0, 9);
    const errors = pairWindows(a, b, { metric: 'http_req_failed', stat: 'rate' });
    expect(errors.kind).toBe('difference');
    expect(errors.d).toEqual([0.1, -0.5]);
    expect(errors.pooledA).toBeCloseTo(100 / 400, 9);
    expect(() => pairWindows(a, b, { metric: 'http_req_duration', stat: 'p95' })).toThrow(/expected avg, med, min, max or p\(N\)/);
  });

  it('the block bootstrap SE is that of the mean for independent windows (b = 1) and grows with positive autocorrelation', () => {
    const white = [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1];
    const sd = Math.sqrt(white.reduce((s, x) => s + x * x, 0) / white.length);
    expect(blockBootstrapMean(white, white.length, 1).se).toBeCloseTo(sd / Math.sqrt(white.length), 9);
    const trending = [1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1];
    expect(blockBootstrapMean(trending, 12, 4).se).toBeGreaterThan(blockBootstrapMean(white, 12, 4).se * 3);
    expect([6, 20, 40, 60, 120].map((n) => blockLength(n))).toEqual([2, 3, 4, 4, 5]);
    expect(blockBootstrapMean(trending).df).toBe(12 / 4 - 1);
  });

  it('the block length is ⌈n^(1/3)⌉, and ⌈3·n^(1/3)⌉ (at most n/3) when the values are autocorrelated above 0.15', () => {
    const alternating = Array.from({ length: 20 }, (_, i) => (i % 2 ? 1 : -1));
    const wave = Array.from({ length: 20 }, (_, i) => Math.sin(i / 3));
    expect(lag1Autocorrelation(alternating)).toBeCloseTo(-0.95, 9);
    expect(lag1Autocorrelation(wave)).toBeGreaterThan(0.8);
    expect(ruleBlockLength(alternating)).toBe(3);
    expect(ruleBlockLength(wave)).toBe(6);
    expect(blockBootstrapMean(wave).df).toBe(Math.floor(20 / 6) - 1);
    expect(blockBootstrapMean(alternating).df).toBe(Math.floor(20 / 3) - 1);
    // The rule is an option (the noise lab compares rules): without the guard the wave gets 3.
    expect(ruleBlockLength(wave, 20, { scale: DUET_BLOCK_RULE.scale })).toBe(3);
    const look = decideLook([{ id: 'w', kind: 'log-ratio', d: wave, pooledA: 1, pooledB: 1 }], [1 / 3], false);
    expect(look.stats[0].blockLength).toBe(6);
    expect(look.stats[0].autocorrelation).toBeGreaterThan(0.8);
  });
});

describe('duet verdicts', () => {
  it('B 30 % slower, on a machine whose speed swings ±30 % for both: regressed on every latency statistic at the first look', () => {
    const { a, b } = sides(20, 1.3);
    const look = decideLook(pairs(a, b), [1 / 3], false);
    expect(look.outcome).toBe('regressed');
    for (const s of look.stats.filter((x) => x.kind === 'log-ratio')) {
      expect(s.verdict).toBe('regressed');
      expect(s.change).toBeGreaterThan(0.2);
      expect(s.interval[0]).toBeGreaterThan(0);
    }
    expect(look.reason).toMatch(/^B is worse than A on http_req_duration:p\(90\)/);
  });

  it('the same machine swing with B unchanged: equivalent within ±2 %, stopping at the first look', () => {
    const { a, b } = sides(20, 1);
    const look = decideLook(pairs(a, b), [1 / 3], false);
    expect(look.outcome).toBe('equivalent');
    expect(look.reason).toBe('B is equivalent to A within ±2.0 % on latencies and ±0.50 pp on the error rate');
    const p95 = look.stats.find((s) => s.id === 'http_req_duration:p(95)')!;
    expect(p95.verdict).toBe('equivalent');
    expect(p95.note).toBe('equivalent within ±2.0 %');
    expect(p95.interval[0]).toBeGreaterThan(-0.02);
    expect(p95.interval[1]).toBeLessThan(0.02);
    // Quiet windows: the practical size is the larger floor, and the MDE is well below it.
    expect(p95.floor.source).toBe('practical size');
    expect(p95.mde).toBeLessThan(0.02);
  });

  it('A answers 200s and B 500s to every tenth request: the error rate regresses, not an averaged number', () => {
    const { a, b } = sides(20, 1, 20);
    const look = decideLook(pairs(a, b), [1 / 3], false);
    expect(look.outcome).toBe('regressed');
    const errors = look.stats.find((s) => s.id === 'http_req_failed:rate')!;
    expect(errors.verdict).toBe('regressed');
    expect(errors.change).toBeCloseTo(0.1, 9);
  });

  it('noisy windows: the window noise is the floor that applied, and the look goes on, then ends inconclusive', () => {
    const a = Array.from({ length: 20 }, (_, i) => window(30 * (1 + 0.4 * Math.sin(i * 2.7))));
    const b = Array.from({ length: 20 }, (_, i) => window(31 * (1 + 0.4 * Math.sin(i * 1.3 + 1))));
    const p = [pairWindows(a, b, { metric: 'http_req_duration', stat: 'p(95)' })];
    const interim = decideLook(p, [1 / 3], false);
    expect(interim.outcome).toBe('continue');
    expect(interim.stats[0].floor.source).toBe('window noise');
    expect(interim.stats[0].floor.value).toBeGreaterThan(0.02);
    expect(interim.stats[0].note).toMatch(/interval reaches past ±2.0 %/);
    const last = decideLook(p, [1], true);
    expect(last.outcome).toBe('inconclusive');
    expect(last.reason).toMatch(/max-duration reached without a decision on http_req_duration:p\(95\)/);
  });

  it('too few windows are undecided and say how many are needed', () => {
    const { a, b } = sides(4, 1.3);
    const look = decideLook(pairs(a, b), [1], true);
    expect(look.outcome).toBe('inconclusive');
    expect(look.stats[0].note).toBe('4 paired windows; at least 6 are needed');
  });

  it('sequentially: a clear change stops at the first block; the looks fall on block ends and the maximum', () => {
    const { a, b } = sides(60, 1.3);
    const decision = decideSequentially((w) => pairs(a.slice(0, w), b.slice(0, w)), { blockWindows: 20, maxWindows: 60 });
    expect(decision.looks).toHaveLength(1);
    expect(decision.windows).toBe(20);
    expect(decision.final.outcome).toBe('regressed');
    expect(lookPoints({ blockWindows: 20, maxWindows: 50 })).toEqual([20, 40, 50]);
    expect(() => lookPoints({ blockWindows: 20, maxWindows: 10 })).toThrow(/max-duration of 10 windows is shorter than one block/);
    expect(DEFAULT_DUET_OPTIONS.spending).toBe('pocock');
  });
});
