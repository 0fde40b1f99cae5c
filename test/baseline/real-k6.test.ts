// The baseline engine on summaries written by a real k6: metric names, stats and units as k6
// really spells them (rate → `rate`, submetrics only when a threshold names them, p(99) only
// when --summary-trend-stats asks for it).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareToBaseline } from '../../src/baseline/compare.js';
import { parseBaseline, serializeBaseline } from '../../src/baseline/format.js';
import { DEFAULT_RULES, parseWatchList } from '../../src/baseline/rules.js';
import { updateBaseline } from '../../src/baseline/update.js';
import { parseSummary } from '../../src/k6/summary.js';
import type { RunSummary } from '../../src/model.js';
import { testK6Path } from '../helpers/k6.js';

const run = promisify(execFile);

const SCRIPT = `
import http from 'k6/http';
import { check, sleep } from 'k6';
export const options = {
  vus: 1,
  duration: '1500ms',
  thresholds: { 'http_req_duration{name:login}': ['p(95)<5000'] },
};
export default function () {
  const res = http.get(__ENV.BASE_URL + '/items');
  http.post(__ENV.BASE_URL + '/login', '{}', { tags: { name: 'login' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(0.05);
}
`;

let dir: string;
let server: http.Server;
let summary: RunSummary;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-real-'));
  server = http.createServer((req, res) => setTimeout(() => res.end('{"ok":true}'), req.url === '/login' ? 8 : 3));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await writeFile(path.join(dir, 'script.js'), SCRIPT);
  const file = path.join(dir, 'summary.json');
  await run(
    testK6Path(),
    [
      'run',
      '--quiet',
      '--no-color',
      '--summary-export',
      file,
      '--summary-trend-stats',
      'avg,min,med,max,p(90),p(95),p(99)',
      '-e',
      `BASE_URL=${url}`,
      path.join(dir, 'script.js'),
    ],
    {
      env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
      timeout: 60_000,
    },
  );
  summary = parseSummary(await readFile(file, 'utf8'), 'summary.json');
});

afterAll(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a real k6 summary', () => {
  const rules = { ...DEFAULT_RULES, watch: parseWatchList(['defaults', 'http_req_duration{name:login}:p(95)'], 'watch') };

  it('yields every default watched stat plus the submetric, with units', async () => {
    const baseline = updateBaseline(
      undefined,
      [{ key: 'smoke', scenario: 'smoke', summary, k6Version: '2.2.0', date: new Date().toISOString() }],
      rules,
    );
    const metrics = baseline.scenarios.smoke.metrics;
    const recorded = Object.entries(metrics).flatMap(([metric, stats]) =>
      Object.entries(stats).map(([stat, s]) => `${metric} ${stat} ${s.unit}`),
    );
    expect(recorded.sort()).toEqual([
      'checks rate ratio',
      'http_req_duration p(95) ms',
      'http_req_duration p(99) ms',
      'http_req_duration{name:login} p(95) ms',
      'http_req_failed rate ratio',
      'http_reqs rate per-second',
      'iteration_duration p(95) ms',
    ]);
    expect(metrics.checks.rate.accepted).toBe(1);
    expect(metrics.http_req_failed.rate.accepted).toBe(0);
    expect(metrics['http_req_duration{name:login}']['p(95)'].accepted).toBeGreaterThanOrEqual(8);
    expect(await parseBaseline(serializeBaseline(baseline), 'b')).toEqual(baseline);
  });

  it('compares as unchanged against a baseline made from itself, and as regressed against a faster one', () => {
    const baseline = updateBaseline(
      undefined,
      [{ key: 'smoke', scenario: 'smoke', summary, k6Version: '2.2.0', date: new Date().toISOString() }],
      rules,
    );
    const same = compareToBaseline({ key: 'smoke', summary, baseline, rules });
    expect(same.map((c) => c.verdict)).toEqual(Array(7).fill('unchanged'));
    const faster = structuredClone(baseline);
    const login = faster.scenarios.smoke.metrics['http_req_duration{name:login}']['p(95)'];
    login.accepted = login.accepted / 3;
    const against = compareToBaseline({ key: 'smoke', summary, baseline: faster, rules });
    const verdict = against.find((c) => c.metric === 'http_req_duration{name:login}');
    expect(verdict).toMatchObject({ verdict: 'regressed', method: 'tolerance', unit: 'ms' });
    expect(verdict!.note).toMatch(/^p\(95\) \d+(\.\d+)? ms vs \d+(\.\d+)? ms, n=1, \+\d+\.\d%, limit/);
  });
});
