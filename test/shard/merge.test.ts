import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync, createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSummary } from '../../src/k6/summary.js';
import { findShardFiles, mergeShardDir, mergeShardResults, parseSubmetricName } from '../../src/shard/merge.js';
import { toLegacySummaryExport } from '../../src/k6/summary.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-merge-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const metricLine = (name: string, type: string, contains = 'default', thresholds: string[] = [], submetrics: unknown = null) =>
  JSON.stringify({ type: 'Metric', data: { name, type, contains, thresholds, submetrics }, metric: name });
const point = (metric: string, second: number, value: number, tags: Record<string, string> = {}) =>
  JSON.stringify({ metric, type: 'Point', data: { time: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(), value, tags } });

async function write(name: string, lines: string[], gzip = true): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  const text = lines.join('\n') + '\n';
  await writeFile(file, gzip ? gzipSync(text) : text);
  return file;
}

describe('merge', () => {
  it('adds counters, rates and checks of all shards and takes rates over the test duration, not the sum of shards', async () => {
    // Shard 2 started 30 s later (CI jobs do not start together); both ran a 10 s test.
    const a = await write('a/k6-s.shard-1-of-2.json.gz', [
      metricLine('http_reqs', 'counter', 'default', ['count>25']),
      metricLine('checks', 'rate'),
      ...Array.from({ length: 11 }, (_, i) => point('http_reqs', i, 1)),
      point('checks', 1, 1, { check: 'ok', group: '' }),
      point('checks', 2, 0, { check: 'ok', group: '' }),
      point('checks', 3, 1, { check: 'in group', group: '::login' }),
    ]);
    const b = await write(
      'b/k6-s.shard-2-of-2.json',
      [
        metricLine('http_reqs', 'counter', 'default', ['count>25']),
        metricLine('checks', 'rate'),
        ...Array.from({ length: 11 }, (_, i) => point('http_reqs', 30 + i, 1)),
        point('checks', 31, 1, { check: 'ok', group: '' }),
      ],
      false,
    );
    const { summary, durationMs, samples } = await mergeShardResults({ files: [a, b] });
    expect(samples).toBe(26);
    expect(durationMs).toBe(10_000);
    expect(summary.metrics.http_reqs.values).toEqual({ count: 22, rate: 2.2 });
    expect(summary.metrics.checks.values).toEqual({ rate: 0.75, passes: 3, fails: 1 });
    expect(summary.checks).toEqual([
      { name: 'ok', path: '::ok', passes: 2, fails: 1 },
      { name: 'in group', path: '::login::in group', passes: 1, fails: 0 },
    ]);
    expect(summary.thresholds).toEqual([{ metric: 'http_reqs', expression: 'count>25', ok: false }]);
    // Written as a legacy summary export, the merged summary reads back the same through the normal parser.
    const reread = parseSummary(JSON.stringify(toLegacySummaryExport(summary)), 'merged');
    // Only where the types come from differs: the merge read them from k6's Metric lines.
    const fromK6 = Object.fromEntries(Object.entries(reread.metrics).map(([name, m]) => [name, { ...m, typeFrom: 'k6' }]));
    expect(fromK6).toEqual(summary.metrics);
    expect(reread.thresholds).toEqual(summary.thresholds);
    expect(reread.checks).toEqual(summary.checks);
    expect(reread.durationMs).toBe(10_000);
  });

  it('sums per-instance gauges (vus, vus_max) and takes the last value of other gauges', async () => {
    const shard = (n: number, offset: number) =>
      write(`g/k6-g.shard-${n}-of-2.json.gz`, [
        metricLine('vus_max', 'gauge'),
        metricLine('queue', 'gauge'),
        point('vus_max', 0, 3 + n),
        point('vus_max', 5, 3 + n),
        point('queue', offset, 10 * n),
        point('queue', offset + 1, n),
      ]);
    const files = [await shard(1, 0), await shard(2, 4)];
    const { summary } = await mergeShardResults({ files });
    expect(summary.metrics.vus_max.values).toEqual({ value: 9, min: 9, max: 9 });
    expect(summary.metrics.queue.values).toEqual({ value: 2, min: 1, max: 20 });
  });

  it('computes submetrics named by thresholds, watch rules and the Metric lines, and evaluates their thresholds', async () => {
    const file = await write('sub/k6-t.shard-1-of-1.json.gz', [
      metricLine(
        'http_req_duration',
        'trend',
        'time',
        ['p(95)<100'],
        [{ name: 'http_req_duration{expected_response:true}', suffix: 'expected_response:true', tags: { expected_response: 'true' } }],
      ),
      ...Array.from({ length: 100 }, (_, i) =>
        point('http_req_duration', i % 10, i + 1, {
          name: i < 50 ? 'login' : 'home',
          expected_response: i % 4 === 0 ? 'false' : 'true',
          method: 'GET',
        }),
      ),
    ]);
    const { summary } = await mergeShardResults({
      files: [file],
      thresholds: { 'http_req_duration{name:login}': [{ threshold: 'max<50', abortOnFail: true }, 'p(99)<60', 'avg<25', 'med<=25.5'] },
      submetrics: ['http_req_duration{name:home,method:GET}'],
      trendStats: ['min', 'max', 'p(95)', 'count'],
    });
    expect(summary.metrics['http_req_duration{name:login}'].values).toEqual({ min: 1, max: 50, 'p(95)': 47.55, count: 50 });
    expect(summary.metrics['http_req_duration{name:home,method:GET}'].values).toMatchObject({ min: 51, max: 100, count: 50 });
    expect(summary.metrics['http_req_duration{expected_response:true}'].values.count).toBe(75);
    expect(summary.metrics.http_req_duration.contains).toBe('time');
    expect(summary.thresholds).toEqual([
      { metric: 'http_req_duration{name:login}', expression: 'max<50', ok: false },
      { metric: 'http_req_duration{name:login}', expression: 'p(99)<60', ok: true },
      // avg and med are not among the reported trend stats; the thresholds still read them.
      { metric: 'http_req_duration{name:login}', expression: 'avg<25', ok: false },
      { metric: 'http_req_duration{name:login}', expression: 'med<=25.5', ok: true },
      { metric: 'http_req_duration', expression: 'p(95)<100', ok: true },
    ]);
  });

  it('reads submetric names the way k6 writes them', () => {
    expect(parseSubmetricName('http_req_duration{name:login, method:"GET"}')).toEqual({
      parent: 'http_req_duration',
      tags: [
        ['name', 'login'],
        ['method', 'GET'],
      ],
    });
    expect(parseSubmetricName('checks{group:::auth}')).toEqual({ parent: 'checks', tags: [['group', '::auth']] });
    expect(() => parseSubmetricName('http_req_duration{name}')).toThrow(/"name" is not tag:value/);
  });

  describe('finding shard files', () => {
    it('finds a complete set in nested artifact folders, in shard order', async () => {
      for (const i of [1, 2, 10, 3, 4, 5, 6, 7, 8, 9])
        await write(`set/artifact-${i}/k6-web.shard-${i}-of-10.json.gz`, [metricLine('x', 'counter'), point('x', 0, 1)]);
      const files = await findShardFiles(path.join(dir, 'set'), 'web');
      expect(files.map((f) => path.basename(f).replace(/\.json\.gz$/, ''))).toEqual(
        Array.from({ length: 10 }, (_, i) => `k6-web.shard-${i + 1}-of-10`),
      );
      const { summary } = await mergeShardDir({ dir: path.join(dir, 'set'), scenario: 'web' });
      expect(summary.metrics.x.values.count).toBe(10);
    });
    it('refuses a set with a shard missing', async () => {
      await write('gap/k6-web.shard-1-of-3.json.gz', []);
      await write('gap/k6-web.shard-3-of-3.json.gz', []);
      await expect(findShardFiles(path.join(dir, 'gap'), 'web')).rejects.toThrow(/shard\(s\) 2 of 3 missing; found 1, 3/);
    });
    it('says what it found when nothing matches', async () => {
      await write('none/summary-web.json', [], false);
      await expect(findShardFiles(path.join(dir, 'none'), 'web')).rejects.toThrow(
        /no shard files of scenario "web".*expected state-web\.shard-<i>-of-<N>\.json \(or, from shards run with --raw-output, k6-web\.shard-<i>-of-<N>\.json\.gz\) \(found summary-web\.json\)/,
      );
    });
  });

  describe('bad input', () => {
    it('names the file and line of a line that is not JSON', async () => {
      const file = await write('bad/k6-b.shard-1-of-1.json', [metricLine('x', 'counter'), '{"metric":"x","type":"Po'], false);
      await expect(mergeShardResults({ files: [file] })).rejects.toThrow(
        /k6-b\.shard-1-of-1\.json:2 is not JSON: "\{\\"metric\\":\\"x\\",\\"type\\":\\"Po"/,
      );
    });
    it('explains a gzip stream cut short', async () => {
      const whole = gzipSync([metricLine('x', 'trend'), ...Array.from({ length: 5000 }, (_, i) => point('x', i % 60, i))].join('\n'));
      const file = path.join(dir, 'bad', 'cut.json.gz');
      await writeFile(file, whole.subarray(0, Math.floor(whole.length / 2)));
      await expect(mergeShardResults({ files: [file] })).rejects.toThrow(
        /could not read .*cut\.json\.gz after line \d+: .*did k6 stop before closing the file\?/,
      );
    });
    it('refuses points of an undefined metric and unknown trend stats', async () => {
      const file = await write('bad/k6-p.json', [point('x', 0, 1)], false);
      await expect(mergeShardResults({ files: [file] })).rejects.toThrow(/Point of metric "x" comes before its Metric line/);
      await expect(mergeShardResults({ files: [file], trendStats: ['p95'] })).rejects.toThrow(/trend stat "p95" is not supported/);
    });
  });

  it('keeps memory bounded: 1,000,000 samples grow the retained heap by less than 4 MB', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const file = path.join(dir, 'big.json.gz');
    const out = createGzip({ level: 1 });
    const done = new Promise<void>((resolve, reject) =>
      out
        .pipe(createWriteStream(file))
        .on('finish', () => resolve())
        .on('error', reject),
    );
    out.write(metricLine('http_req_duration', 'trend', 'time', ['p(99)<1000']) + '\n');
    const total = 1_000_000;
    // Written in batches: one write per line would make the generator, not the merge, the slow part.
    for (let start = 0; start < total; start += 10_000) {
      let batch = '';
      for (let i = start; i < start + 10_000; i++) {
        batch += `{"metric":"http_req_duration","type":"Point","data":{"time":"2026-01-01T00:${String(Math.floor(i / 20_000)).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z","value":${(1 + ((i * 7919) % 10_007) / 10).toFixed(3)},"tags":{"name":"home","status":"200"}}}\n`;
      }
      if (!out.write(batch)) await new Promise((resolve) => out.once('drain', resolve));
    }
    out.end();
    await done;

    const generated = Date.now();
    gc();
    const before = process.memoryUsage().heapUsed;
    const retained: number[] = [];
    const { summary, samples, percentiles } = await mergeShardResults({
      files: [file],
      submetrics: ['http_req_duration{name:home}'],
      onProgress: (n) => {
        if (n % 500_000 === 0 || n === total) {
          gc();
          retained.push(process.memoryUsage().heapUsed - before);
        }
      },
    });
    console.log(`merge of ${total} samples: ${Date.now() - generated} ms`);
    expect(samples).toBe(total);
    expect(percentiles).toBe('bounded');
    expect(summary.metrics.http_req_duration.values.max).toBeCloseTo(1001.6, 6);
    // Two series (the metric and the submetric) × 1,000,000 numbers would be 16 MB at least if kept.
    expect(Math.max(...retained)).toBeLessThan(4 * 1024 * 1024);
    // And the file really was streamed: it unpacks to far more than the heap grew.
    expect((await readFile(file)).length).toBeGreaterThan(1_000_000);
  }, 120_000);
});
