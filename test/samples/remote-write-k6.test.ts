// The remote-write source of live analysis against a real k6 (v2 and v1): one run writes both
// k6's `--out json` (every sample, exact) and its remote-write pushes to k6-gate's receiver, and
// the two views of the same run must agree — counts exactly, percentiles and sampling bands
// within k6's ×1.09 native-histogram buckets.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentileInterval } from '../../src/baseline/sampling.js';
import { liveRemoteWriteSetup } from '../../src/observability/metrics-output.js';
import { analyseSamples } from '../../src/samples/analysis.js';
import { readRunSamples } from '../../src/samples/live.js';
import { startRemoteWriteAnalysis } from '../../src/samples/remote-write.js';
import { TEST_K6_V1_VERSION, TEST_K6_VERSION, testK6Path, testK6V1Path } from '../helpers/k6.js';

let server: http.Server;
let base: string;

beforeAll(async () => {
  // Three endpoints: fast, slow (a few ms more, jittered), and one that fails half the time.
  let n = 0;
  server = http.createServer((req, res) => {
    const id = ++n;
    const delay = req.url!.startsWith('/slow') ? 8 + (id % 7) : id % 3;
    setTimeout(() => {
      if (req.url!.startsWith('/flaky') && id % 2 === 0) res.writeHead(503).end('busy');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function runBoth(k6: string, version: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-rw-'));
  const script = path.join(dir, 'script.js');
  await writeFile(
    script,
    `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 4, duration: '3s' };
export default function () {
  http.get('${base}/fast/' + __ITER);
  http.get('${base}/slow', { tags: { name: 'slow page' } });
  const r = http.get('${base}/flaky');
  check(r, { 'flaky answered 200': (x) => x.status === 200 });
}
`,
  );
  const watched = ['http_req_duration{expected_response:true}'];
  const receiver = await startRemoteWriteAnalysis({ watched });
  const setup = liveRemoteWriteSetup(receiver.url, version, {});
  const raw = path.join(dir, 'samples.json');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(k6, ['run', '--quiet', '--no-color', '--out', `json=${raw}`, ...setup.args, script], {
      env: { PATH: process.env.PATH, HOME: dir, K6_NO_USAGE_REPORT: 'true', ...setup.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => (c === 0 ? resolve(c) : reject(new Error(`k6 exit ${c}: ${err.slice(-500)}`))));
  });
  expect(code).toBe(0);
  return { pushed: await receiver.stop(), exact: await readRunSamples(raw, watched) };
}

describe.each([
  ['k6 v2 (native histograms by feature flag)', () => testK6Path(), TEST_K6_VERSION],
  ['k6 v1 (native histograms by variable)', () => testK6V1Path(), TEST_K6_V1_VERSION],
])('%s', (_label, k6, version) => {
  it('the pushed aggregates agree with every sample of the same run', async () => {
    const { pushed, exact } = await runBoth(k6(), version);
    expect(pushed.problem).toBeUndefined();
    expect(pushed.source).toBe('remote-write');
    const fromPush = analyseSamples(pushed.aggregator);
    const fromSamples = analyseSamples(exact.aggregator);
    // The same endpoints with the same request and failure counts, exactly.
    const rows = (a: typeof fromPush) => a.endpoints.map((e) => [e.endpoint, e.requests, e.failed]).sort();
    expect(rows(fromPush)).toEqual(rows(fromSamples));
    expect(rows(fromPush).map((r) => r[0])).toEqual(['GET /fast/{id}', 'GET /flaky', 'GET slow page']);
    expect(fromPush.errors.map((e) => [e.endpoint, e.status, e.count])).toEqual(
      fromSamples.errors.map((e) => [e.endpoint, e.status, e.count]),
    );
    expect(fromPush.errors[0]).toMatchObject({ endpoint: 'GET /flaky', status: '503' });
    // First seen within a push interval (1 s) and a little of the exact first failure.
    const exactFirst = Date.parse(fromSamples.errors[0].firstAt);
    const pushedFirst = Date.parse(fromPush.errors[0].firstAt);
    expect(pushedFirst - exactFirst).toBeGreaterThanOrEqual(0);
    expect(pushedFirst - exactFirst).toBeLessThan(2500);
    // Percentiles: inside k6's buckets (×1.09), per endpoint and overall.
    for (const row of fromPush.endpoints) {
      const twin = fromSamples.endpoints.find((e) => e.endpoint === row.endpoint)!;
      expect(Math.abs(row.p95 / twin.p95 - 1), `${row.endpoint} p95 ${row.p95} vs ${twin.p95}`).toBeLessThan(0.09);
      expect(row.avg).toBeCloseTo(twin.avg, 3);
    }
    const a = pushed.aggregator.trend('http_req_duration{expected_response:true}')!;
    const b = exact.aggregator.trend('http_req_duration{expected_response:true}')!;
    expect(a.count).toBe(b.count);
    const bandA = percentileInterval(a, 95);
    const bandB = percentileInterval(b, 95);
    expect([bandA.lowRank, bandA.highRank]).toEqual([bandB.lowRank, bandB.highRank]);
    expect(Math.abs(bandA.low! / bandB.low! - 1)).toBeLessThan(0.09);
    expect(Math.abs(bandA.high! / bandB.high! - 1)).toBeLessThan(0.09);
  });
});
