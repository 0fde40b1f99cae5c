// setup() of every workload stops the test (k6 exit 108, test.abort) with a message naming the
// URL and what came back, when the target's health check fails.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testK6Path } from '../helpers/k6.js';
import { runK6, TINY_RUN, WORKLOADS } from './run-k6.js';

let sick: http.Server;
let sickUrl: string;
let requests = 0;

beforeAll(async () => {
  sick = http.createServer((_req, res) => {
    requests++;
    res.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
  });
  await new Promise<void>((resolve) => sick.listen(0, '127.0.0.1', resolve));
  sickUrl = `http://127.0.0.1:${(sick.address() as AddressInfo).port}`;
});

afterAll(async () => {
  sick.closeAllConnections();
  await new Promise((resolve) => sick.close(resolve));
});

describe('setup aborts on a failed health check', () => {
  for (const workload of WORKLOADS) {
    it(`${workload} aborts with exit 108 and names the health URL`, async () => {
      const before = requests;
      const result = await runK6(testK6Path(), 'run', `${workload}.ts`, { ...TINY_RUN, BASE_URL: sickUrl });
      expect(result.code).toBe(108);
      expect(result.stderr).toContain(`target is not healthy: GET ${sickUrl}/health gave HTTP 503 maintenance; expected a 2xx answer`);
      // Only the health check reached the target: no load was sent.
      expect(requests - before).toBe(1);
    });
  }

  it('an unreachable target aborts too, and HEALTH_PATH changes the probed path', async () => {
    const probe = http.createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await runK6(testK6Path(), 'run', 'http-endpoints.ts', {
      ...TINY_RUN,
      BASE_URL: `http://127.0.0.1:${deadPort}`,
      HEALTH_PATH: '/ready',
    });
    expect(result.code).toBe(108);
    expect(result.stderr).toContain(`GET http://127.0.0.1:${deadPort}/ready gave no answer`);
  });
});
