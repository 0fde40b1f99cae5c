import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyseSamples } from '../../src/samples/analysis.js';
import { collapseUrl, endpointName } from '../../src/samples/breakdown.js';
import { readRunSamples, startLiveAnalysis } from '../../src/samples/live.js';

const metric = (name: string, type: string, contains = 'default') =>
  `{"type":"Metric","data":{"name":"${name}","type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":"${name}"}\n`;
const point = (name: string, seconds: number, value: number, tags: Record<string, string>) =>
  `{"metric":"${name}","type":"Point","data":{"time":"2026-11-25T10:00:${String(seconds).padStart(2, '0')}.5Z","value":${value},"tags":${JSON.stringify(tags)}}}\n`;

function request(url: string, seconds: number, ms: number, status = '200', extra: Record<string, string> = {}): string {
  const tags = { method: 'GET', name: url, url, status, expected_response: status === '200' ? 'true' : 'false', ...extra };
  return point('http_req_duration', seconds, ms, tags) + point('http_req_failed', seconds, status === '200' ? 0 : 1, tags);
}

describe('endpoint names', () => {
  it('collapses IDs in URLs and keeps an explicit name tag', () => {
    expect(collapseUrl('http://127.0.0.1:8080/orders/123/items/9f86d081-884c-4d63-a5b2-a1b2c3d4e5f6?x=1')).toBe('/orders/{id}/items/{id}');
    expect(endpointName({ method: 'GET', url: 'http://h/products/42', name: 'http://h/products/42' })).toBe('GET /products/{id}');
    expect(endpointName({ method: 'POST', url: 'http://h/api/auth/login', name: 'login' })).toBe('login');
  });
});

describe('live analysis', () => {
  it('follows a file k6 is still writing: per-endpoint table, error mix with status and first time, failed checks', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-live-'));
    const file = path.join(dir, 'k6.json');
    const live = startLiveAnalysis({ file, pollMs: 20, watched: ['http_req_duration{status:200}'] });
    await new Promise((r) => setTimeout(r, 50)); // k6 has not created the file yet
    await writeFile(file, metric('http_req_duration', 'trend', 'time') + metric('http_req_failed', 'rate') + metric('checks', 'rate'));
    let body = '';
    for (let i = 0; i < 50; i++) body += request(`http://h/products/${i}`, 1, 10 + (i % 5));
    // A line cut in the middle, finished by the next write.
    const slow = request('http://h/api/orders', 3, 400, '503');
    await appendFile(file, body + slow.slice(0, 30));
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(
      file,
      slow.slice(30) + request('http://h/api/orders', 5, 380) + point('checks', 5, 0, { check: 'order accepted', group: '' }),
    );
    const run = await live.stop();
    expect(run.problem).toBeUndefined();
    expect(run.samples).toBe(105);
    expect(run.aggregator.trend('http_req_duration')!.count).toBe(52);
    expect(run.aggregator.trend('http_req_duration{status:200}')!.count).toBe(51);
    expect(run.aggregator.rate('http_req_failed')).toEqual({ passes: 1, fails: 51 });
    const analysis = analyseSamples(run.aggregator);
    expect(analysis.endpoints.map((e) => [e.endpoint, e.requests, e.failed])).toEqual([
      ['GET /api/orders', 2, 1],
      ['GET /products/{id}', 50, 0],
    ]);
    expect(analysis.errors).toEqual([
      {
        endpoint: 'GET /api/orders',
        status: '503',
        errorCode: undefined,
        count: 1,
        firstAt: '2026-11-25T10:00:03.500Z',
        firstAfterMs: 2000,
      },
    ]);
    expect(analysis.failedChecks).toEqual([{ name: 'order accepted', fails: 1, passes: 0 }]);
  });

  it('ranks endpoints by p(95) change against the baseline first', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-live-'));
    const file = path.join(dir, 'k6.json');
    let body = metric('http_req_duration', 'trend', 'time') + metric('http_req_failed', 'rate');
    for (let i = 0; i < 20; i++) body += request('http://h/a', 1, 100) + request('http://h/b', 1, 50) + request('http://h/c', 1, 30);
    await writeFile(file, body);
    const run = await startLiveAnalysis({ file }).stop();
    const base = (p95: number) => ({ p95, requests: 20 });
    const analysis = analyseSamples(run.aggregator, { baseline: { 'GET /a': base(100), 'GET /b': base(25), 'GET /c': base(30) } });
    expect(analysis.endpoints.map((e) => [e.endpoint, e.p95Change])).toEqual([
      ['GET /b', 1],
      ['GET /a', 0],
      ['GET /c', 0],
    ]);
  });

  it('compares no p(95) that rests on fewer than 20 requests, in this run or in the baseline', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-live-'));
    const file = path.join(dir, 'k6.json');
    // /health: one setup() request, cold this time (40 ms against 1 ms); /a and /b: 20 requests each.
    let body = metric('http_req_duration', 'trend', 'time') + metric('http_req_failed', 'rate') + request('http://h/health', 1, 40);
    for (let i = 0; i < 20; i++) body += request('http://h/a', 1, 60) + request('http://h/b', 1, 30);
    await writeFile(file, body);
    const run = await startLiveAnalysis({ file }).stop();
    const analysis = analyseSamples(run.aggregator, {
      baseline: { 'GET /health': { p95: 1, requests: 1 }, 'GET /a': { p95: 30, requests: 20 }, 'GET /b': { p95: 15, requests: 19 } },
    });
    expect(analysis.endpoints.map((e) => [e.endpoint, e.p95Change])).toEqual([
      ['GET /a', 1],
      ['GET /health', undefined],
      ['GET /b', undefined],
    ]);
  });

  it('counts a line that is not k6 JSON and keeps every other sample', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-live-'));
    const file = path.join(dir, 'k6.json');
    await writeFile(
      file,
      metric('http_req_duration', 'trend', 'time') + metric('http_req_failed', 'rate') + 'garbage\n' + request('http://h/a', 1, 5),
    );
    const run = await startLiveAnalysis({ file }).stop();
    expect(run.badLines).toBe(1);
    expect(run.problem).toMatch(/k6\.json:3 is not JSON: "garbage"/);
    expect(run.aggregator.trend('http_req_duration')!.count).toBe(1);
  });

  it('says so when k6 wrote no samples', async () => {
    const run = await startLiveAnalysis({ file: path.join(os.tmpdir(), 'k6-gate-live-missing.json') }).stop();
    expect(run.problem).toMatch(/k6 wrote no samples to .*k6-gate-live-missing\.json/);
  });

  it('reads a finished gzip raw file the same way, exposing trends by rank and rate passes/fails for watched submetrics', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-live-'));
    const file = path.join(dir, 'k6.json.gz');
    let body = metric('http_req_duration', 'trend', 'time') + metric('http_req_failed', 'rate');
    for (let i = 1; i <= 9; i++) body += request('http://h/a', 1, i * 10, i === 9 ? '500' : '200');
    await writeFile(file, gzipSync(body));
    const run = await readRunSamples(file, ['http_req_failed{status:500}']);
    const trend = run.aggregator.trend('http_req_duration')!;
    expect([trend.count, trend.valueAtRank(0), trend.valueAtRank(8), trend.percentile(50)]).toEqual([9, 10, 90, 50]);
    expect(run.aggregator.rate('http_req_failed{status:500}')).toEqual({ passes: 1, fails: 0 });
  });
});
