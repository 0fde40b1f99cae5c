import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NativeHistogram } from '../../src/observability/remote-write.js';
import { addHistograms, bucketMap, bucketsOf, downscale } from '../../src/shard/state-histogram.js';
import { checkStatesComplete, mergeStates } from '../../src/shard/state-merge.js';
import { summarizeState } from '../../src/shard/state-summary.js';
import { parseShardState, shardStateOf, shardStateText, type ShardState } from '../../src/shard/state.js';

const histogram = (schema: number, buckets: Record<number, number>, sum: number, zeroCount = 0): NativeHistogram => {
  const positive = new Map(Object.entries(buckets).map(([k, v]) => [Number(k), v]));
  const count = [...positive.values()].reduce((a, b) => a + b, zeroCount);
  return { schema, count, sum, zeroThreshold: 0, zeroCount, positive, negative: new Map(), timestampMs: 0 };
};

/** One shard's state as a k6 run of 1/N of the test would leave it. */
function shard(
  index: number,
  count: number,
  input: {
    requests?: number;
    failed?: number;
    buckets?: Record<number, number>;
    schema?: number;
    sum?: number;
    vus?: number;
    end?: number;
  } = {},
): ShardState {
  const requests = input.requests ?? 10;
  const failed = input.failed ?? 0;
  const point = (i: number) => (i === 0 ? '0' : i === count ? '1' : `${i}/${count}`);
  return shardStateOf({
    scenario: 'smoke',
    shard: { index, count },
    segment: `${point(index - 1)}:${point(index)}`,
    sequence: Array.from({ length: count + 1 }, (_, i) => point(i)).join(','),
    k6Version: '2.2.0',
    span: { startMs: 1_000 * index, endMs: (input.end ?? 60_000) + index },
    series: [
      { labels: { __name__: 'k6_http_reqs_total', name: 'home', status: '200' }, value: requests },
      {
        labels: { __name__: 'k6_http_req_duration_seconds', name: 'home', status: '200', k6_feature_native_histograms: 'true' },
        histogram: histogram(input.schema ?? 3, input.buckets ?? { [-40]: requests }, input.sum ?? requests * 0.03),
      },
      { labels: { __name__: 'k6_http_req_failed_rate', name: 'home', status: '200' }, value: failed / requests },
      { labels: { __name__: 'k6_vus' }, value: input.vus ?? 2 },
    ],
    summary: {
      format: 'legacy',
      metrics: {
        http_reqs: { name: 'http_reqs', type: 'counter', contains: 'default', values: { count: requests, rate: requests / 60 } },
        http_req_failed: {
          name: 'http_req_failed',
          type: 'rate',
          contains: 'default',
          values: { rate: failed / requests, passes: failed, fails: requests - failed },
        },
        http_req_duration: {
          name: 'http_req_duration',
          type: 'trend',
          contains: 'time',
          values: { min: 20 + index, max: 40 + index, avg: 30, 'p(95)': 39 },
        },
        vus: { name: 'vus', type: 'gauge', contains: 'default', values: { value: input.vus ?? 2, min: 1, max: input.vus ?? 2 } },
      },
      thresholds: [
        { metric: 'http_req_duration', expression: 'p(95)<500', ok: true },
        { metric: 'http_reqs', expression: 'count>25', ok: false },
      ],
      checks: [{ name: 'ok', path: '::ok', passes: requests - failed, fails: failed }],
      durationMs: 60_000 + index,
    },
  });
}

describe('shard state', () => {
  it('keeps buckets as spans and counts and reads them back unchanged', () => {
    const map = new Map([
      [-3, 1],
      [-2, 4],
      [5, 2],
      [6, 7],
      [9, 1],
    ]);
    const buckets = bucketsOf(map);
    expect(buckets).toEqual({
      spans: [
        [-3, 2],
        [6, 2],
        [2, 1],
      ],
      counts: [1, 4, 2, 7, 1],
    });
    expect(bucketMap(buckets)).toEqual(map);
  });

  it('downscales a finer schema by merging 2^(difference) neighbouring buckets, as Prometheus does', () => {
    // Schema 1 → 0: buckets (1,2] at schema 0 is index 1 = schema-1 indices 1 and 2; index 3, 4 → 2; 0, −1 → 0.
    expect(
      downscale(
        new Map([
          [-1, 1],
          [0, 2],
          [1, 3],
          [2, 4],
          [3, 5],
        ]),
        1,
        0,
      ),
    ).toEqual(
      new Map([
        [0, 3],
        [1, 7],
        [2, 5],
      ]),
    );
    // Two steps: 4 buckets become one.
    expect(
      downscale(
        new Map([
          [8, 1],
          [5, 2],
          [6, 3],
          [4, 1],
        ]),
        3,
        1,
      ),
    ).toEqual(
      new Map([
        [2, 6],
        [1, 1],
      ]),
    );
  });

  it('adds histograms bucket by bucket, at the coarser schema when the two differ', () => {
    const same = addHistograms(histogram(3, { 10: 2, 11: 1 }, 5), histogram(3, { 11: 4, 12: 1 }, 7, 2));
    expect([same.schema, same.count, same.sum, same.zeroCount]).toEqual([3, 10, 12, 2]);
    expect(same.positive).toEqual(
      new Map([
        [10, 2],
        [11, 5],
        [12, 1],
      ]),
    );
    const mixed = addHistograms(histogram(3, { 9: 1, 10: 2, 11: 1 }, 5), histogram(2, { 5: 4 }, 7));
    expect(mixed.schema).toBe(2);
    // Schema-3 indices 9, 10 → schema 2 index 5; 11 → 6.
    expect(mixed.positive).toEqual(
      new Map([
        [5, 7],
        [6, 1],
      ]),
    );
    expect(mixed.count).toBe(8);
  });

  it('merges shards: counters, passes and fails, checks and buckets add; vus adds; thresholds evaluated on the whole test', async () => {
    const states = [
      shard(1, 3, { requests: 10, failed: 1 }),
      shard(2, 3, { requests: 12 }),
      shard(3, 3, { requests: 8, failed: 2, vus: 3 }),
    ];
    const merged = mergeStates(states);
    const counter = merged.series.find((s) => s.metric === 'http_reqs')!;
    expect(counter.value).toBe(30);
    const duration = merged.series.find((s) => s.metric === 'http_req_duration')!;
    expect(duration.histogram!.count).toBe(30);
    expect(bucketMap(duration.histogram!.positive)).toEqual(new Map([[-40, 30]]));
    const failed = merged.series.find((s) => s.metric === 'http_req_failed')!;
    expect([failed.passes, failed.fails]).toEqual([3, 27]);
    expect(merged.checks).toEqual([{ name: 'ok', path: '::ok', passes: 27, fails: 3 }]);
    expect(merged.span.durationMs).toBe(60_003);

    const { summary, trends } = summarizeState(merged, { trendStats: ['avg', 'min', 'max', 'p(95)', 'count'] });
    expect(summary.metrics.http_reqs.values.count).toBe(30);
    expect(summary.metrics.http_req_failed.values).toEqual({ rate: 0.1, passes: 3, fails: 27 });
    expect(summary.metrics.vus.values).toEqual({ value: 7, min: 3, max: 7 });
    // k6's min and max (the summaries') are exact; p(95) lies in bucket −40 at schema 3: (2^(−41/8), 2^(−5)] s.
    expect(summary.metrics.http_req_duration.values.min).toBe(21);
    expect(summary.metrics.http_req_duration.values.max).toBe(43);
    const p95 = summary.metrics.http_req_duration.values['p(95)'];
    expect(p95).toBeGreaterThan(1000 * 2 ** (-41 / 8));
    expect(p95).toBeLessThanOrEqual(1000 * 2 ** -5);
    expect(trends.get('http_req_duration')!.count).toBe(30);
    // count>25 failed on every shard (10, 12, 8) but holds for the whole test.
    expect(summary.thresholds).toEqual([
      { metric: 'http_req_duration', expression: 'p(95)<500', ok: true },
      { metric: 'http_reqs', expression: 'count>25', ok: true },
    ]);
  });

  it('reads the first rank of a bucket from that bucket, not from the end of the one below (k6 buckets of a real run)', () => {
    // http_req_duration{name:fast} of three real shards, 72 samples: ranks 0–67 lie in buckets up to
    // −44 ((20.3, 22.1] ms), rank 68 in bucket −40 ((28.0, 30.6] ms).
    const buckets = { [-61]: 1, [-60]: 2, [-58]: 2, [-57]: 2, [-56]: 4, [-55]: 3, [-54]: 4, [-53]: 6, [-52]: 1, [-51]: 2, [-50]: 6 };
    Object.assign(buckets, { [-49]: 7, [-48]: 6, [-47]: 9, [-46]: 5, [-45]: 3, [-44]: 5, [-40]: 1, [-38]: 1, [-37]: 1, [-35]: 1 });
    const state = shardStateOf({
      scenario: 'smoke',
      span: { startMs: 0, endMs: 1 },
      series: [{ labels: { __name__: 'k6_http_req_duration_seconds' }, histogram: histogram(3, buckets, 1.03) }],
    });
    const { trends } = summarizeState(state);
    const trend = trends.get('http_req_duration')!;
    expect(trend.count).toBe(72);
    expect(trend.valueAtRank(67)).toBeLessThanOrEqual(1000 * 2 ** (-44 / 8) * 1.001);
    // (The merged trend's own 0.1 % buckets straddle the edge: its first one may sit 0.2 % below it.)
    expect(trend.valueAtRank(68)).toBeGreaterThan((1000 * 2 ** (-41 / 8)) / 1.002);
  });

  it('computes a submetric from the series whose tags match it', () => {
    const merged = mergeStates([shard(1, 2), shard(2, 2)]);
    const { summary } = summarizeState(merged, { submetrics: ['http_req_duration{name:home}', 'http_reqs{name:other}'] });
    expect(summary.metrics['http_req_duration{name:home}'].values.med).toBeGreaterThan(0);
    // No sample matched: no numbers (its thresholds then pass, as k6's do).
    expect(summary.metrics['http_reqs{name:other}']).toBeUndefined();
  });

  it('names a missing shard, a duplicated shard and a missing segment', () => {
    expect(() => mergeStates([shard(1, 3), shard(3, 3)], ['a.json', 'c.json'])).toThrow(/shard\(s\) 2 of 3 missing; found 1, 3/);
    expect(() => mergeStates([shard(1, 2), shard(2, 2), shard(2, 2)], ['a.json', 'b.json', 'b2.json'])).toThrow(
      'shard 2 of 2 appears twice (b.json and b2.json)',
    );
    const runner = (segment: string, instance: string): ShardState => ({
      ...shard(1, 1),
      shard: undefined,
      segment,
      sequence: '',
      instance,
    });
    expect(() => checkStatesComplete([runner('0:1/4', 'a'), runner('1/2:1', 'c')])).toThrow(/segment 1\/4:1\/2 missing/);
    expect(() => checkStatesComplete([runner('0:1/2', 'a'), runner('0:1/2', 'b'), runner('1/2:1', 'c')])).toThrow(
      /segment 0:1\/2 appears twice \(runner a .* and runner b/,
    );
    expect(() => checkStatesComplete([runner('0:0.5', 'a'), runner('1/2:1', 'b')])).not.toThrow();
  });

  it('round-trips through its file text and refuses garbage, another format and another version with what was expected', async () => {
    const state = shard(1, 2);
    const text = shardStateText(state);
    expect(await parseShardState(text, 'a.json')).toEqual(JSON.parse(JSON.stringify(state)));
    await expect(parseShardState('{"format": "k6-gate-shard-st', 'x.json')).rejects.toThrow(
      /^x.json is not JSON .*expected a k6-gate shard state file/,
    );
    await expect(parseShardState('{"metrics": {}}', 'y.json')).rejects.toThrow(
      'y.json is not a k6-gate shard state file; expected a JSON object with "format": "k6-gate-shard-state"',
    );
    await expect(parseShardState(JSON.stringify({ ...state, version: 0 }), 'z.json')).rejects.toThrow(
      'z.json is a shard state file of version 0; this k6-gate reads version 1',
    );
    const at = state.series.findIndex((s) => s.histogram);
    const broken = JSON.parse(text);
    broken.series[at].histogram.schema = 'three';
    await expect(parseShardState(JSON.stringify(broken), 'w.json')).rejects.toThrow(
      /w.json is not a valid shard state file: \$\.series\[\d\]\.histogram\.schema must be integer/,
    );
    const short = JSON.parse(text);
    short.series[at].histogram.positive.counts = [];
    await expect(parseShardState(JSON.stringify(short), 'v.json')).rejects.toThrow(
      /v.json: series http_req_duration .*a histogram has 0 bucket counts but its spans say 1/,
    );
  });

  it('is checked by what scripts/shard-state-validator.mjs makes of the schema now (run it after changing the schema)', async () => {
    // @ts-expect-error: a plain .mjs script without types
    const { shardStateValidatorSource, GENERATED_SHARD_STATE_VALIDATOR } = await import('../../scripts/shard-state-validator.mjs');
    expect(readFileSync(GENERATED_SHARD_STATE_VALIDATOR, 'utf8')).toBe(shardStateValidatorSource());
  });
});
