// Per-window, per-side histograms from k6's cumulative remote-write pushes (src/samples/windows.ts):
// made-up pushes for each fault, and a real k6 run's pushes (test/data/remote-write/) for the sums.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRemoteWriteBody, type DecodedSeries, type NativeHistogram } from '../../src/observability/remote-write.js';
import { startRemoteWriteAnalysis } from '../../src/samples/remote-write.js';
import { DuetWindows, histogramDelta, trendOfWindows } from '../../src/samples/windows.js';

const T0 = 1_800_000_000_000;

/** A cumulative http_req_duration series of one side: `buckets` maps bucket index → total count. */
function duration(side: string, buckets: Record<number, number>, extra: Record<string, string> = {}): DecodedSeries {
  const positive = new Map(Object.entries(buckets).map(([k, v]) => [Number(k), v]));
  let count = 0;
  let sum = 0;
  const base = Math.pow(2, Math.pow(2, -3));
  for (const [i, n] of positive) {
    count += n;
    sum += n * Math.pow(base, i - 0.5);
  }
  const histogram: NativeHistogram = {
    count,
    sum,
    schema: 3,
    zeroThreshold: 0,
    zeroCount: 0,
    positive,
    negative: new Map(),
    timestampMs: 0,
  };
  return {
    labels: { __name__: 'k6_http_req_duration_seconds', side, expected_response: 'true', name: 'home', ...extra },
    samples: [],
    histograms: [histogram],
  };
}

const requests = (w: DuetWindows, side: string) => w.windows(side).map((x) => x.requests);

describe('per-window histograms from cumulative pushes', () => {
  it('a window holds the difference of two consecutive pushes, per side and bucket', () => {
    const w = new DuetWindows();
    w.accept([duration('A', { [-40]: 5 }), duration('B', { [-38]: 4 })], T0);
    w.accept([duration('A', { [-40]: 9, [-39]: 2 }), duration('B', { [-38]: 10 })], T0 + 1000);
    expect(w.sides).toEqual(['A', 'B']);
    expect(requests(w, 'A')).toEqual([5, 6]);
    expect(requests(w, 'B')).toEqual([4, 6]);
    const second = w.windows('A')[1].trends.get('http_req_duration')!;
    expect([...second.positive]).toEqual([
      [-40, 4],
      [-39, 2],
    ]);
    // The window's statistics read the way k6 reads its own: in ms, from the buckets.
    const trend = trendOfWindows([second]);
    expect(trend.count).toBe(6);
    expect(trend.avg).toBeCloseTo((second.sum / 6) * 1000, 9);
  });

  it('a series that first appears late counts all of its total in the window it appears in', () => {
    const w = new DuetWindows();
    w.accept([duration('A', { [-40]: 5 })], T0);
    w.accept([duration('A', { [-40]: 7 })], T0 + 1000);
    w.accept([duration('A', { [-40]: 8 }), duration('A', { [-30]: 3 }, { name: 'login' })], T0 + 2000);
    expect(requests(w, 'A')).toEqual([5, 2, 4]);
  });

  it('a series missing from a push did not change; a missing push leaves its window empty and the next one holds both intervals', () => {
    const w = new DuetWindows();
    w.accept([duration('A', { [-40]: 5 }), duration('A', { [-30]: 1 }, { name: 'login' })], T0);
    // The login series is not in this push: k6 sends only series that changed.
    w.accept([duration('A', { [-40]: 8 })], T0 + 1000);
    // No push from A in the third second; the fourth carries the two seconds since the last one.
    w.accept([duration('A', { [-40]: 14 }), duration('A', { [-30]: 2 }, { name: 'login' })], T0 + 3000);
    expect(requests(w, 'A')).toEqual([6, 3, 0, 7]);
    expect(w.windows('A')[2].pushes).toBe(0);
  });

  it('a total that went backwards (k6 restarted with the same tags) counts from 0, and a schema change the same way', () => {
    expect(histogramDelta(duration('A', { [-40]: 3 }).histograms[0], duration('A', { [-40]: 50 }).histograms[0]).count).toBe(3);
    const coarser = { ...duration('A', { [-20]: 4 }).histograms[0], schema: 2 };
    expect(histogramDelta(coarser, duration('A', { [-40]: 3 }).histograms[0]).count).toBe(4);
    const w = new DuetWindows();
    w.accept([duration('A', { [-40]: 50 })], T0);
    w.accept([duration('A', { [-40]: 3 })], T0 + 1000);
    expect(requests(w, 'A')).toEqual([50, 3]);
  });

  it('counts failed requests (expected_response=false) per window, and leaves series without a side out', () => {
    const w = new DuetWindows();
    w.accept([duration('B', { [-40]: 10 }), duration('B', { [-45]: 2 }, { expected_response: 'false', status: '500' })], T0);
    w.accept([duration('B', { [-40]: 15 }), duration('B', { [-45]: 7 }, { expected_response: 'false', status: '500' })], T0 + 1000);
    const unlabelled = duration('A', { [-40]: 3 });
    delete unlabelled.labels.side;
    w.accept([unlabelled], T0 + 1000);
    expect(w.windows('B').map((x) => [x.requests, x.failedRequests])).toEqual([
      [12, 2],
      [10, 5],
    ]);
    expect(w.unlabelled).toBe(1);
  });

  it('pushes jittered around one-second ticks stay one per window', () => {
    const w = new DuetWindows();
    const jitter = [0, 140, -90, 200, -180, 60, -230, 10];
    jitter.forEach((j, i) => w.accept([duration('A', { [-40]: 10 * (i + 1) })], T0 + 1000 * i + j));
    expect(requests(w, 'A')).toEqual(jitter.map(() => 10));
  });

  it("a real k6 run's pushes: the windows add up to k6's final totals", () => {
    const DATA = path.join(import.meta.dirname, '../data/remote-write');
    const w = new DuetWindows();
    const finals = new Map<string, number>();
    [1, 2, 3, 4].forEach((n) => {
      const decoded = decodeRemoteWriteBody(readFileSync(path.join(DATA, `push-${n}.bin`)));
      for (const s of decoded) s.labels.side = 'A';
      w.accept(decoded, T0 + 1000 * n);
      for (const s of decoded) {
        if (s.labels.__name__ === 'k6_http_req_duration_seconds' && s.histograms.length > 0) {
          finals.set(JSON.stringify(s.labels), s.histograms.at(-1)!.count);
        }
      }
    });
    const total = [...finals.values()].reduce((a, b) => a + b, 0);
    const windows = w.windows('A');
    expect(windows.reduce((a, x) => a + x.requests, 0)).toBe(total);
    expect(windows.every((x) => x.requests > 0)).toBe(true);
    const failed = [...finals].filter(([k]) => k.includes('"expected_response":"false"')).reduce((a, [, v]) => a + v, 0);
    expect(windows.reduce((a, x) => a + x.failedRequests, 0)).toBe(failed);
    expect(failed).toBeGreaterThan(0);
  });

  it('the receiver keeps the windows next to its live analysis, which reads the same pushes as before', async () => {
    const DATA = path.join(import.meta.dirname, '../data/remote-write');
    const windows = new DuetWindows();
    const receiver = await startRemoteWriteAnalysis({ windows });
    for (const n of [1, 2]) {
      const response = await fetch(receiver.url, { method: 'POST', body: readFileSync(path.join(DATA, `push-${n}.bin`)) });
      expect(response.status).toBe(204);
    }
    const samples = await receiver.stop();
    expect(samples.problem).toBeUndefined();
    expect(samples.aggregator.metrics.get('http_req_duration')!.main.trend!.count).toBeGreaterThan(0);
    // That run had no side tag: its series are counted as outside any duet, not mixed into a side.
    expect(windows.sides).toEqual([]);
    expect(windows.unlabelled).toBeGreaterThan(100);
  });
});
