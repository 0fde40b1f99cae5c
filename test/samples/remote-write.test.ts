// The remote-write path of live analysis without k6: the wire decoders, and the receiver fed with
// pushes a real k6 2.2.0 made (test/data/remote-write/, recorded with its summary).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeRemoteWriteBody,
  decodeWriteRequest,
  encodeWriteRequest,
  RemoteWriteDecodeError,
  snappyDecode,
  snappyEncode,
  type TimeSeries,
} from '../../src/observability/remote-write.js';
import { liveRemoteWriteSetup, remoteWriteTakenBy } from '../../src/observability/metrics-output.js';
import { renderAnalysis } from '../../src/report/markdown-analysis.js';
import { analyseSamples } from '../../src/samples/analysis.js';
import { TrendAccumulator } from '../../src/samples/histogram.js';
import { addSummaryChecks, k6MetricOfSeries, startRemoteWriteAnalysis } from '../../src/samples/remote-write.js';

const DATA = path.join(import.meta.dirname, '../data/remote-write');
const recorded = JSON.parse(readFileSync(path.join(DATA, 'summary.json'), 'utf8'));
const pushes = [1, 2, 3, 4].map((n) => readFileSync(path.join(DATA, `push-${n}.bin`)));

async function push(url: string, body: Uint8Array): Promise<number> {
  const response = await fetch(url, { method: 'POST', body: Buffer.from(body), headers: { 'Content-Encoding': 'snappy' } });
  return response.status;
}

describe('remote-write wire format', () => {
  it('snappy: decodes literals and all three copy forms, and refuses a copy before the start', () => {
    // "abc" literal, then a 1-byte-offset copy of 9 (runs over its own output), then a 2-byte-offset copy of 3.
    const block = Uint8Array.from([15, (3 - 1) << 2, 97, 98, 99, ((9 - 4) << 2) | 1, 3, ((3 - 1) << 2) | 2, 12, 0]);
    expect(Buffer.from(snappyDecode(block)).toString()).toBe('abcabcabcabcabc');
    // A 4-byte-offset copy.
    const four = Uint8Array.from([5, (2 - 1) << 2, 120, 121, ((3 - 1) << 2) | 3, 2, 0, 0, 0]);
    expect(Buffer.from(snappyDecode(four)).toString()).toBe('xyxyx');
    expect(() => snappyDecode(Uint8Array.from([4, ((4 - 4) << 2) | 1, 9]))).toThrow(RemoteWriteDecodeError);
    const big = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
    expect(Buffer.from(snappyDecode(snappyEncode(big))).equals(Buffer.from(big))).toBe(true);
  });

  it('protobuf: reads back what the encoder writes (labels sorted, samples in order)', () => {
    const series: TimeSeries[] = [
      {
        labels: { __name__: 'k6_gate_outcome', scenario: 'smoke', job: 'k6-gate' },
        samples: [{ value: 1, timestampMs: 1_764_000_000_123 }],
      },
      { labels: { __name__: 'k6_gate_regressions' }, samples: [{ value: -2.5, timestampMs: 5 }] },
    ];
    const decoded = decodeWriteRequest(encodeWriteRequest(series));
    expect(decoded.map((s) => [s.labels, s.samples])).toEqual(series.map((s) => [s.labels, s.samples]));
    expect(() => decodeRemoteWriteBody(Uint8Array.from([200, 1, 0]))).toThrow(RemoteWriteDecodeError);
  });

  it("maps k6's Prometheus names back to k6 metrics and units", () => {
    expect(k6MetricOfSeries('k6_http_req_duration_seconds', true)).toEqual({
      name: 'http_req_duration',
      kind: 'trend',
      contains: 'time',
      scale: 1000,
    });
    expect(k6MetricOfSeries('k6_data_payload_bytes', true)).toMatchObject({ name: 'data_payload', contains: 'data', scale: 1 });
    expect(k6MetricOfSeries('k6_cart_items', true)).toMatchObject({ name: 'cart_items', kind: 'trend', contains: 'default' });
    expect(k6MetricOfSeries('k6_http_reqs_total', false)).toMatchObject({ name: 'http_reqs', kind: 'counter' });
    expect(k6MetricOfSeries('k6_checks_rate', false)).toMatchObject({ name: 'checks', kind: 'rate' });
    expect(k6MetricOfSeries('k6_vus', false)).toMatchObject({ name: 'vus', kind: 'gauge' });
    expect(k6MetricOfSeries('up', false)).toBeUndefined();
  });
});

describe('bucketed trends', () => {
  it('percentiles from ×1.09 buckets stay within the bucket width of the exact ones; count, sum and avg stay exact', () => {
    // A skewed latency-like sample: 20,000 values from a log-normal, deterministic.
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const values = Array.from({ length: 20_000 }, () => {
      const z = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
      return 20 * Math.exp(0.4 * z);
    });
    const exact = new TrendAccumulator();
    values.forEach((v) => exact.add(v));
    // The buckets k6's native histograms use (schema 3: ×2^(1/8) per bucket).
    const base = 2 ** (1 / 8);
    const counts = new Map<number, number>();
    for (const v of values) {
      const index = Math.ceil(Math.log(v) / Math.log(base));
      counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    const bucketed = new TrendAccumulator();
    bucketed.addBuckets({
      count: values.length,
      sum: values.reduce((a, b) => a + b, 0),
      zeros: 0,
      ranges: [...counts].map(([i, n]) => [base ** (i - 1), base ** i, n] as const),
    });
    expect(bucketed.count).toBe(exact.count);
    expect(bucketed.avg).toBeCloseTo(exact.avg, 9);
    for (const p of [50, 90, 95, 99]) {
      const error = Math.abs(bucketed.percentile(p) / exact.percentile(p) - 1);
      expect(error, `p(${p})`).toBeLessThan(base - 1);
    }
    // Monotone in rank, like any sorted sample.
    const ranks = [0, 100, 5_000, 19_000, 19_999].map((r) => bucketed.valueAtRank(r));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('a single value in a bucket is known exactly: it is the sum', () => {
    const one = new TrendAccumulator();
    one.addBuckets({ count: 1, sum: 4.871, zeros: 0, ranges: [[4.65, 5.07, 1]] });
    expect([one.min, one.percentile(50), one.percentile(95), one.max]).toEqual([4.871, 4.871, 4.871, 4.871]);
  });
});

describe('remote-write receiver', () => {
  it("turns a real k6 run's pushes into the per-endpoint table, the error mix and trends that agree with k6's summary", async () => {
    const receiver = await startRemoteWriteAnalysis({ watched: ['http_req_duration{expected_response:true}'] });
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write$/);
    for (const body of pushes) expect(await push(receiver.url, body)).toBe(204);
    const run = await receiver.stop();
    addSummaryChecks(run, Object.values(recorded.checks));
    expect(run.problem).toBeUndefined();
    expect(run.source).toBe('remote-write');
    const duration = run.aggregator.trend('http_req_duration')!;
    // Counts and sums are exact: the histograms carry them.
    expect(duration.count).toBe(recorded.metrics.http_reqs.count);
    expect(duration.avg).toBeCloseTo(recorded.metrics.http_req_duration.avg, 6);
    // Percentiles are interpolated inside k6's ×1.09 buckets.
    for (const stat of ['med', 'p(95)']) {
      const p = stat === 'med' ? 50 : 95;
      expect(Math.abs(duration.percentile(p) / recorded.metrics.http_req_duration[stat] - 1), stat).toBeLessThan(0.09);
    }
    expect(run.aggregator.trend('http_req_duration{expected_response:true}')!.count).toBe(recorded.metrics.http_req_failed.fails);
    const analysis = analyseSamples(run.aggregator);
    expect(analysis.endpoints.map((e) => [e.endpoint, e.requests, e.failed]).sort()).toEqual([
      ['GET /api/products/{id}', 442, 0],
      ['GET /nope', 442, 442],
    ]);
    expect(analysis.errors).toEqual([expect.objectContaining({ endpoint: 'GET /nope', status: '404', errorCode: '1404', count: 442 })]);
    expect(analysis.errors[0].firstAfterMs).toBeGreaterThanOrEqual(0);
    // Remote write carries no check counts: they come from the summary (all passed here).
    expect(analysis.failedChecks).toEqual([]);
    // The report says where its per-endpoint percentiles come from.
    const report = renderAnalysis({ ...analysis, source: run.source });
    expect(report).toContain("p(95) and median from k6's native histograms, interpolated inside buckets ×1.09 wide");
    expect(report).toContain('Max (upper bound)');
    expect(renderAnalysis({ ...analysis, source: 'json' })).not.toContain('native histograms');
  });

  it('a push that is not remote write gets 400 and a problem in words; the other pushes still count', async () => {
    const receiver = await startRemoteWriteAnalysis();
    expect(await push(receiver.url, Uint8Array.from([1, 2, 3, 4]))).toBe(400);
    for (const body of pushes) expect(await push(receiver.url, body)).toBe(204);
    const run = await receiver.stop();
    expect(run.problem).toMatch(/^a remote-write push from k6 could not be read: snappy/);
    expect(run.aggregator.trend('http_req_duration')!.count).toBe(recorded.metrics.http_reqs.count);
  });

  it('keeps at most maxSeries tag sets and says how many it left out', async () => {
    const receiver = await startRemoteWriteAnalysis({ maxSeries: 10 });
    for (const body of pushes) await push(receiver.url, body);
    const run = await receiver.stop();
    expect(run.problem).toMatch(/^\d+ time series past the first 10 were not analysed \(too many distinct tag sets/);
  });

  it("keeps a series' last number when k6 ends it with a stale marker (NaN)", async () => {
    const receiver = await startRemoteWriteAnalysis();
    const series = (value: number, timestampMs: number): TimeSeries => ({
      labels: { __name__: 'k6_http_reqs_total', name: 'home' },
      samples: [{ value, timestampMs }],
    });
    expect(await push(receiver.url, snappyEncode(encodeWriteRequest([series(41, 1000)])))).toBe(204);
    // Prometheus' stale marker is the NaN with payload 0x7ff0000000000002: not a number k6 counted.
    const stale = new DataView(new ArrayBuffer(8));
    stale.setBigUint64(0, 0x7ff0000000000002n);
    expect(await push(receiver.url, snappyEncode(encodeWriteRequest([series(stale.getFloat64(0), 2000)])))).toBe(204);
    await receiver.stop();
    expect(receiver.series()).toEqual([expect.objectContaining({ value: 41 })]);
  });

  it('says so when k6 never pushed', async () => {
    const run = await (await startRemoteWriteAnalysis()).stop();
    expect(run.problem).toBe('k6 pushed no metrics to the live-analysis receiver');
    expect(run.samples).toBe(0);
  });
});

describe('which sample source a run uses', () => {
  it("uses k6's remote-write output unless the user's own Prometheus or k6 arguments already hold it", () => {
    expect(remoteWriteTakenBy([], [], {})).toBeUndefined();
    expect(remoteWriteTakenBy([{ kind: 'prometheus', target: 'http://p/api/v1/write' }], [], {})).toBe(
      'metrics-output sends to Prometheus',
    );
    expect(remoteWriteTakenBy([], ['--out', 'experimental-prometheus-rw'], {})).toMatch(/k6 arguments/);
    expect(remoteWriteTakenBy([], [], { K6_OUT: 'experimental-prometheus-rw' })).toMatch(/k6 arguments/);
    expect(remoteWriteTakenBy([], [], { K6_PROMETHEUS_RW_SERVER_URL: 'http://p' })).toBe('K6_PROMETHEUS_RW_SERVER_URL is set');
    expect(remoteWriteTakenBy([{ kind: 'json', target: 'x.json' }], [], {})).toBeUndefined();
  });

  it('points k6 at the receiver with native histograms: a feature flag from k6 2 on (the user keeps theirs), a variable before', () => {
    const v2 = liveRemoteWriteSetup('http://127.0.0.1:1/api/v1/write', '2.2.0', { K6_FEATURES: 'other' });
    expect(v2.args).toEqual(['--out', 'experimental-prometheus-rw']);
    expect(v2.env).toMatchObject({ K6_PROMETHEUS_RW_SERVER_URL: 'http://127.0.0.1:1/api/v1/write', K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s' });
    expect(v2.env.K6_FEATURES!.split(',').sort()).toEqual(['native-histograms', 'other']);
    const v1 = liveRemoteWriteSetup('http://127.0.0.1:1/api/v1/write', '1.8.1', {});
    expect(v1.env).toMatchObject({ K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true' });
    expect(v1.env.K6_PROMETHEUS_RW_TREND_STATS).toBeUndefined();
  });
});
