// Every workload of scenarios/ under the smoke profile, run by the real k6 against the bundled demo
// target: what a team sees on its first run must be green with zero failed checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { readStat } from '../../src/k6/summary.js';
import type { RunSummary } from '../../src/model.js';
import { testK6Path, testK6V1Path } from '../helpers/k6.js';
import { runK6, TINY_RUN, WORKLOADS, type K6Result } from './run-k6.js';

/** A custom metric of each workload that must have samples when the workload really ran. */
const BUSINESS_METRIC: Record<(typeof WORKLOADS)[number], string> = {
  'http-endpoints': 'endpoint_duration',
  'crud-flow': 'crud_login_duration',
  jsonrpc: 'jsonrpc_call_duration',
  websocket: 'ws_echo_round_trip',
  'user-flow': 'poll_time_to_ready',
};

function expectCleanRun(result: K6Result): RunSummary {
  expect(result.code, result.stderr).toBe(0);
  const summary = result.summary as RunSummary;
  expect(summary).toBeDefined();
  const checks = summary.metrics.checks?.values;
  expect(checks?.fails, JSON.stringify(summary.checks.filter((c) => c.fails > 0))).toBe(0);
  expect(checks?.passes ?? 0).toBeGreaterThan(0);
  expect(readStat(summary, 'http_req_failed', 'rate')).toBe(0);
  expect(summary.thresholds.length).toBeGreaterThan(0);
  expect(summary.thresholds.filter((t) => !t.ok)).toEqual([]);
  return summary;
}

let target: DemoTarget;
let k6: string;

beforeAll(async () => {
  k6 = testK6Path();
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 5, seed: 7 });
});

afterAll(async () => {
  await target?.close();
});

describe('workloads × smoke profile against the demo target', () => {
  for (const workload of WORKLOADS) {
    it(`${workload} runs with zero failed checks and records ${BUSINESS_METRIC[workload]}`, async () => {
      const result = await runK6(k6, 'run', `${workload}.ts`, { ...TINY_RUN, BASE_URL: target.url });
      const summary = expectCleanRun(result);
      expect(readStat(summary, BUSINESS_METRIC[workload], 'count') ?? 0).toBeGreaterThan(0);
      // p(99) is in the export because the scenarios set summaryTrendStats: baselines watch it.
      expect(readStat(summary, BUSINESS_METRIC[workload], 'p(99)')).toBeTypeOf('number');
    });
  }
});

describe('configuration without code edits', () => {
  it('http-endpoints takes its endpoint list from the ENDPOINTS variable and tags each with its name', async () => {
    const result = await runK6(k6, 'run', 'http-endpoints.ts', {
      ...TINY_RUN,
      BASE_URL: target.url,
      ENDPOINTS: 'GET /api/products/3, GET /health',
    });
    const summary = expectCleanRun(result);
    expect(readStat(summary, 'http_req_duration{name:GET /api/products/3}', 'count') ?? 0).toBeGreaterThan(0);
    expect(readStat(summary, 'http_req_duration{name:GET /health}', 'count') ?? 0).toBeGreaterThan(0);
    expect(summary.metrics['http_req_duration{name:list products}']).toBeUndefined();
  });

  it('an absolute CONFIG_FILE with a per-workload section and thresholds is honoured', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-config-'));
    try {
      const file = path.join(dir, 'scenarios.json');
      await writeFile(
        file,
        JSON.stringify({
          thresholds: { http_req_duration: ['p(95)<4000'] },
          'crud-flow': { mix: { create: 1, list: 0, get: 0, update: 0, delete: 0 }, operationsPerIteration: 2, auth: { newUserRatio: 1 } },
        }),
      );
      const result = await runK6(k6, 'run', 'crud-flow.ts', { ...TINY_RUN, BASE_URL: target.url, CONFIG_FILE: file });
      const summary = expectCleanRun(result);
      expect(readStat(summary, 'crud_create_duration', 'count') ?? 0).toBeGreaterThan(0);
      expect(readStat(summary, 'crud_register_duration', 'count') ?? 0).toBeGreaterThan(0);
      expect(readStat(summary, 'crud_list_duration', 'count') ?? 0).toBe(0);
      expect(summary.thresholds.map((t) => `${t.metric} ${t.expression}`)).toContain('http_req_duration p(95)<4000');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a bad config value stops k6 before the test with a message naming the field', async () => {
    const result = await runK6(k6, 'run', 'crud-flow.ts', { ...TINY_RUN, BASE_URL: target.url, CONFIG: '{"mix": {"create": -1}}' });
    expect(result.code).toBe(107);
    expect(result.stderr).toContain('config mix.create = -1 is not valid; expected a number ≥ 0');
  });

  it('the AUTH_TOKEN bearer token is sent but never printed', async () => {
    const secret = 'sekret-token-value-123';
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await runK6(
        k6,
        'run',
        'http-endpoints.ts',
        { ...TINY_RUN, DURATION: '1s', BASE_URL: url, AUTH_TOKEN: secret, ENDPOINTS: 'GET /api/me' },
        ['--verbose'],
      );
      expectCleanRun(result);
      expect(seen).toContain(`Bearer ${secret}`);
      expect(result.stdout + result.stderr).not.toContain(secret);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('k6 v1.8.1 runs the same scenarios', () => {
  for (const workload of WORKLOADS) {
    it(`${workload} smoke passes on k6 v1.8.1`, async () => {
      const result = await runK6(testK6V1Path(), 'run', `${workload}.ts`, {
        ...TINY_RUN,
        VUS: '1',
        DURATION: '1500ms',
        BASE_URL: target.url,
      });
      expectCleanRun(result);
    });
  }
});
