// Shared by the real-k6 shard tests: a tiny local target and a script with thresholds.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';

export interface Target {
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}

/** 127.0.0.1 on a random port; `/bad` answers 500; latency 4–20 ms so percentiles have a spread. */
export async function startTarget(): Promise<Target> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    const delay = 4 + Math.random() * 16;
    setTimeout(() => {
      res.writeHead(req.url?.startsWith('/bad') ? 500 : 200, { 'content-type': 'text/plain' });
      res.end('ok');
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Arrival-rate load, so the whole test's request count does not depend on latency. */
export const SCRIPT = `
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
export const options = {
  scenarios: {
    steady: { executor: 'constant-arrival-rate', rate: 30, timeUnit: '1s', duration: '3s', preAllocatedVUs: 3, maxVUs: 5 },
  },
  thresholds: {
    http_reqs: ['count>10'],
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:fast}': ['p(95)<2000', { threshold: 'max<1', abortOnFail: false }],
    checks: ['rate>0.5'],
  },
};
export default function () {
  const bad = exec.scenario.iterationInTest % 5 === 4;
  const res = bad ? http.get(__ENV.BASE_URL + '/bad', { tags: { name: 'bad' } }) : http.get(__ENV.BASE_URL + '/fast', { tags: { name: 'fast' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`;

export function runK6(
  k6: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(k6, args, { cwd, env: { ...process.env, K6_NO_USAGE_REPORT: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
