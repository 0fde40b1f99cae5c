// The collector's rules with plain data (RunnerFleet) and over HTTP on loopback (startCollector).
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { decodeRemoteWriteBody, remoteWriteBody, type NativeHistogram, type TimeSeries } from '../../src/observability/remote-write.js';
import { startCollector } from '../../src/shard/collector-server.js';
import { collectionProblems, RunnerFleet, runnerStates, type Collection } from '../../src/shard/collector.js';
import { mergeStates } from '../../src/shard/state-merge.js';
import { summarizeState } from '../../src/shard/state-summary.js';

const RUN = 'checkout-load';
const TOKEN = 'c0ffee-c0ffee-c0ffee-c0ffee';

function histogram(count: number, sum: number): NativeHistogram {
  // Schema 3: bucket 0 is (0.917, 1] s; counts split over three neighbouring buckets.
  const a = Math.floor(count / 2);
  const b = Math.floor(count / 4);
  return {
    count,
    sum,
    schema: 3,
    zeroThreshold: 0,
    zeroCount: 0,
    positive: new Map([
      [-40, a],
      [-39, b],
      [-30, count - a - b],
    ]).set(-30, count - a - b),
    negative: new Map(),
    timestampMs: 1_000,
  };
}

/** One push of runner `instance`: its cumulative request count so far, and k6's end marker if `end`. */
function push(instance: number, requests: number, options: { end?: boolean; run?: string; extra?: TimeSeries[] } = {}): TimeSeries[] {
  const tags = { instance_id: String(instance), testrun_name: options.run ?? RUN, name: 'fast', method: 'GET', status: '200' };
  const stale = options.end ? [{ value: NaN, timestampMs: 2_000, stale: true as const }] : [];
  return [
    { labels: { __name__: 'k6_http_reqs_total', ...tags }, samples: [{ value: requests, timestampMs: 1_000 }, ...stale] },
    { labels: { __name__: 'k6_http_req_duration_seconds', ...tags }, samples: stale, histograms: [histogram(requests, requests * 0.01)] },
    { labels: { __name__: 'k6_http_req_failed_rate', ...tags }, samples: [{ value: 0, timestampMs: 1_000 }, ...stale] },
    ...(options.extra ?? []),
  ];
}

const decoded = (series: TimeSeries[]) => decodeRemoteWriteBody(remoteWriteBody(series));

function quietLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warning: (m) => lines.push(m),
    error: (m) => lines.push(m),
    debug: () => undefined,
    group: (_t, fn) => fn(),
    addSecret: () => undefined,
  };
}

function fleet(runners = 4, maxSeriesPerRunner?: number): RunnerFleet {
  return new RunnerFleet({ runId: RUN, runners, runnerTimeoutMs: 10_000, maxSeriesPerRunner }, 0);
}

describe('remote-write encoding of what k6 sends the collector', () => {
  it('native histograms and the stale marker survive a round trip; a plain NaN is not a stale marker', () => {
    const h = histogram(100, 1.5);
    const [series] = decoded([
      { labels: { __name__: 'k6_x_seconds' }, samples: [{ value: NaN, timestampMs: 5, stale: true }], histograms: [h] },
    ]);
    expect(series.samples[0].stale).toBe(true);
    expect(series.histograms[0]).toMatchObject({ count: 100, sum: 1.5, schema: 3, positive: h.positive });
    const [plain] = decoded([
      { labels: { __name__: 'k6_y', name: 'café/ü', url: `/${'x'.repeat(200)}` }, samples: [{ value: NaN, timestampMs: 5 }] },
    ]);
    expect(plain.samples[0].stale).toBeUndefined();
    // Labels decode the same on the short-ASCII fast path and through the UTF-8 decoder.
    expect(plain.labels).toEqual({ __name__: 'k6_y', name: 'café/ü', url: `/${'x'.repeat(200)}` });
  });
});

describe('RunnerFleet', () => {
  it('is finished once every runner sent k6’s end-of-test marker, and its states add up to the whole test', () => {
    const f = fleet(4);
    for (const i of [1, 2, 3, 4]) f.accept(decoded(push(i, 10 * i)), 1_000, 100);
    expect(f.settled(1_500, 60_000)).toBeUndefined();
    for (const i of [1, 2, 3, 4]) f.accept(decoded(push(i, 20 * i, { end: true })), 3_000, 100);
    expect(f.settled(3_000, 60_000)).toBe('finished');
    const collection = f.conclude('finished', 3_000);
    expect(collectionProblems(collection)).toEqual([]);
    const states = runnerStates(collection, 'steady');
    expect(states.map((s) => [s.shard, s.segment, s.sequence])).toEqual([
      [{ index: 1, count: 4 }, '0:1/4', '0,1/4,1/2,3/4,1'],
      [{ index: 2, count: 4 }, '1/4:1/2', '0,1/4,1/2,3/4,1'],
      [{ index: 3, count: 4 }, '1/2:3/4', '0,1/4,1/2,3/4,1'],
      [{ index: 4, count: 4 }, '3/4:1', '0,1/4,1/2,3/4,1'],
    ]);
    const { summary } = summarizeState(mergeStates(states), { trendStats: ['count', 'p(95)'] });
    // The runners' own tags name the states, not the series: one tag set, one merged series.
    const requests = mergeStates(states).series.filter((s) => s.metric === 'http_reqs');
    expect(requests.map((s) => [s.tags, s.value])).toEqual([[{ name: 'fast', method: 'GET', status: '200' }, 200]]);
    // The stale marker did not overwrite the final totals: 20 + 40 + 60 + 80.
    expect(summary.metrics.http_reqs.values.count).toBe(200);
    expect(summary.metrics.http_req_duration.values.count).toBe(200);
    expect(summary.metrics.http_req_failed.values).toMatchObject({ passes: 0, fails: 200 });
  });

  it('names the runner that never finished by its instance_id and segment, once the others are done and it is silent', () => {
    const f = fleet(4);
    for (const i of [1, 2, 4]) f.accept(decoded(push(i, 5, { end: true })), 1_000, 100);
    f.accept(decoded(push(3, 5)), 1_000, 100);
    expect(f.settled(5_000, 60_000)).toBeUndefined();
    expect(f.settled(11_000, 60_000)).toBe('stopped');
    const problems = collectionProblems(f.conclude('stopped', 11_000));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^1 of 4 runners did not finish: instance_id=3 \(execution segment 1\/2:3\/4\) stopped pushing 10 s before the end without k6's end-of-test marker/,
    );
  });

  it('names a runner that never pushed when the deadline passes', () => {
    const f = fleet(2);
    f.accept(decoded(push(1, 5, { end: true })), 1_000, 100);
    expect(f.settled(2_000, 3_000)).toBeUndefined();
    expect(f.settled(3_000, 3_000)).toBe('deadline');
    expect(collectionProblems(f.conclude('deadline', 3_000))[0]).toBe(
      '1 of 2 runners did not finish by the deadline: instance_id=2 (execution segment 1/2:1) never pushed; the merged numbers would miss their share of the load',
    );
  });

  it.each([
    [
      'two processes name themselves',
      (f: RunnerFleet) => [f.accept(decoded(push(2, 5)), 1, 1, 'pod-a'), f.accept(decoded(push(2, 6)), 2, 1, 'pod-b')],
      /pushed by 2 k6 processes \(pod-a, pod-b\)/,
    ],
    [
      'a push after the end marker',
      (f: RunnerFleet) => [f.accept(decoded(push(2, 5, { end: true })), 1_000, 1), f.accept(decoded(push(2, 7)), 3_000, 1)],
      /pushed again 2 s after its end-of-test marker/,
    ],
    [
      'a total that goes back',
      (f: RunnerFleet) => [f.accept(decoded(push(2, 50)), 1, 1), f.accept(decoded(push(2, 7)), 2, 1)],
      /went back from 50 to 7/,
    ],
  ])('a duplicated segment (%s) is an error naming it', (_name, act, why) => {
    const f = fleet(2);
    act(f);
    const problems = collectionProblems(f.conclude('closed', 4_000));
    const duplicate = problems.find((p) => p.includes('is duplicated'));
    expect(duplicate).toMatch(/^instance_id=2 \(execution segment 1\/2:1\) is duplicated: it /);
    expect(duplicate).toMatch(why);
  });

  it.each([
    [push(1, 5, { run: 'other-run' }), /the series are of run "other-run", not "checkout-load"/],
    [push(7, 5), /instance_id "7" is not one of 1\.\.4/],
    [
      [{ labels: { __name__: 'k6_vus', testrun_name: RUN }, samples: [{ value: 1, timestampMs: 1 }] }],
      /carry no instance_id tag; expected k6 run with --tag instance_id=<1\.\.4>/,
    ],
    [[...push(1, 5), ...push(2, 5)], /one push mixes series of several runners/],
    [[], /holds no time series/],
  ])('refuses a push that is not one of this run’s runners (%#) and keeps nothing of it', (series, message) => {
    const f = fleet(4);
    expect(() => f.accept(decodeRemoteWriteBody(remoteWriteBody(series)), 1, 1)).toThrow(message);
    expect(f.runners.every((r) => r.pushes === 0 && r.series.size === 0)).toBe(true);
  });

  it('keeps at most the series cap per runner; the rest are dropped and make the run an error naming the runner', () => {
    const f = fleet(1, 3);
    const many = Array.from({ length: 10 }, (_, i) => ({
      labels: { __name__: 'k6_http_reqs_total', instance_id: '1', testrun_name: RUN, url: `/item/${i}` },
      samples: [{ value: 1, timestampMs: 1 }],
    }));
    f.accept(decoded(many), 1, 1);
    expect(f.runners[0].series.size).toBe(3);
    const problems = collectionProblems(f.conclude('closed', 2));
    expect(problems).toContain(
      'instance_id=1 (execution segment 0:1) pushed more series than the collector keeps; 7 were dropped, so its totals would be short (name requests with a `name` tag to keep the tag sets few)',
    );
  });

  it('refuses a histogram with more buckets than k6 ever sends', () => {
    const f = fleet(1);
    const huge = histogram(10, 1);
    for (let i = 0; i < 5_000; i++) huge.positive.set(i, 1);
    const series = [{ labels: { __name__: 'k6_x_seconds', instance_id: '1', testrun_name: RUN }, samples: [], histograms: [huge] }];
    expect(() => f.accept(decoded(series), 1, 1)).toThrow(/is a histogram with 5003 buckets/);
  });
});

describe('startCollector on loopback', () => {
  async function collector(runners = 2) {
    const log = quietLog();
    const running = await startCollector({
      runId: RUN,
      runners,
      token: TOKEN,
      runnerTimeoutMs: 60_000,
      deadlineAt: Date.now() + 60_000,
      host: '127.0.0.1',
      port: 0,
      log,
    });
    const send = (body: Uint8Array<ArrayBuffer>, token: string | null = TOKEN) =>
      fetch(running.url, {
        method: 'POST',
        body,
        headers: { 'Content-Encoding': 'snappy', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      });
    return { running, send, log };
  }

  it('a wrong or missing token gets 401 and nothing of the push is merged; the token never reaches the log', async () => {
    const { running, send, log } = await collector(1);
    expect((await send(remoteWriteBody(push(1, 5, { end: true })), 'wrong-token-wrong-token')).status).toBe(401);
    expect((await send(remoteWriteBody(push(1, 5, { end: true })), null)).status).toBe(401);
    expect(running.fleet.runners[0].pushes).toBe(0);
    running.close();
    const collection: Collection = await running.done;
    expect(collection.refusals.unauthorized).toBe(2);
    expect(collection.missing.map((m) => m.instance)).toEqual([1]);
    expect(runnerStates(collection, 'steady')).toEqual([]);
    expect(log.lines.join('\n')).toContain('refused 2 without the right token (401)');
    expect(log.lines.join('\n')).not.toContain(TOKEN);
  });

  it('a garbage push gets 400 and is reported; the runners’ pushes around it count, and all finished ends the collection', async () => {
    const { running, send, log } = await collector(2);
    expect((await send(remoteWriteBody(push(1, 5)))).status).toBe(204);
    expect((await send(new TextEncoder().encode('this is not snappy protobuf at all'))).status).toBe(400);
    expect((await send(remoteWriteBody(push(1, 9, { end: true })))).status).toBe(204);
    expect((await send(remoteWriteBody(push(2, 4, { end: true })))).status).toBe(204);
    const collection = await running.done;
    expect(collection.ended).toBe('finished');
    expect(collection.refusals.garbage).toBe(1);
    expect(log.lines.some((l) => /a push that could not be taken: snappy: .* \(answered 400\)/.test(l))).toBe(true);
    expect(log.lines.join('\n')).toContain('refused 1 that were not k6 pushes of this run (400)');
    const { summary } = summarizeState(mergeStates(runnerStates(collection, 'steady')));
    expect(summary.metrics.http_reqs.values.count).toBe(13);
  });
});
