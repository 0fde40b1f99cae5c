// The k6-operator data path without a cluster: 4 real k6 processes, each with its execution segment
// and k6-operator's tags, push with k6's own remote-write output to one `k6-gate collect`.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cancellation } from '../../src/cancel.js';
import { main } from '../../src/cli.js';
import { remoteWriteBody } from '../../src/observability/remote-write.js';
import type { GateResult } from '../../src/model.js';
import { testK6Path } from '../helpers/k6.js';
import { runK6, startTarget, type Target } from './k6-fixtures.js';

const TOKEN = 'collect-test-token-5f2a9c41d7';
const RUN_ID = 'steady-run';

/**
 * Arrival-rate load split by segments: the whole test sends 30/s × 3 s = 90 requests whatever the
 * latency. Its threshold holds for the whole test only: each runner alone crosses it (k6 exit 99).
 */
const SCRIPT = `
import http from 'k6/http';
import { check } from 'k6';
export const options = {
  scenarios: {
    steady: { executor: 'constant-arrival-rate', rate: 30, timeUnit: '1s', duration: '3s', preAllocatedVUs: 4, maxVUs: 8 },
  },
  thresholds: { http_reqs: ['count>=60'] },
};
export default function () {
  const res = http.get(__ENV.BASE_URL + '/fast', { tags: { name: 'fast' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`;

/** A port that was free a moment ago (the collector must be told its port before k6 starts). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something listens on the port (the collector, before any runner starts). */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port}`);
}

/** Runner i of n as k6-operator starts it: its segment of the sequence 0,1/n,…,1 and the two tags. */
function runner(k6: string, dir: string, url: string, i: number, n: number, token = TOKEN, extraEnv: Record<string, string> = {}) {
  const sequence = ['0', ...Array.from({ length: n - 1 }, (_, k) => `${k + 1}/${n}`), '1'];
  return runK6(
    k6,
    [
      'run',
      '--quiet',
      `--execution-segment=${sequence[i - 1]}:${sequence[i]}`,
      `--execution-segment-sequence=${sequence.join(',')}`,
      '--out',
      'experimental-prometheus-rw',
      '--tag',
      `instance_id=${i}`,
      '--tag',
      `testrun_name=${RUN_ID}`,
      'script.js',
    ],
    dir,
    {
      K6_PROMETHEUS_RW_SERVER_URL: url,
      K6_PROMETHEUS_RW_BEARER_TOKEN: token,
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
      K6_PROMETHEUS_RW_STALE_MARKERS: 'true',
      K6_FEATURES: 'native-histograms',
      ...extraEnv,
    },
  );
}

describe('k6-gate collect with 4 real k6 runners (execution segments, k6-operator tags)', () => {
  let dir: string;
  let target: Target;
  const k6 = testK6Path();
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-collect-'));
    await writeFile(path.join(dir, 'script.js'), SCRIPT);
    target = await startTarget();
  });
  afterAll(async () => {
    await target?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function collect(argv: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await main({
      argv: ['collect', 'script.js', '--run-id', RUN_ID, '--token-env', 'COLLECT_TOKEN', '--k6-path', k6, '--json', ...argv],
      env: { PATH: process.env.PATH, COLLECT_TOKEN: TOKEN, ...env },
      cwd: dir,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  }

  it('gates one report whose request count is the sum of the 4 runners’ requests, its thresholds on the whole test', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/v1/write`;
    const before = target.requests();
    const collecting = collect([
      '--runners',
      '4',
      '--listen',
      `127.0.0.1:${port}`,
      '--results-dir',
      'out',
      '--runner-timeout',
      '30s',
      '--deadline',
      '90s',
    ]);
    await listening(port);
    const runs = await Promise.all([1, 2, 3, 4].map((i) => runner(k6, dir, url, i, 4, TOKEN, { BASE_URL: target.url })));
    // Each runner judges its own quarter of the load (about 23 requests): count>=60 is crossed in every one of them.
    for (const r of runs) expect(r.code, r.output).toBe(99);
    const { code, stdout, stderr } = await collecting;
    const sent = target.requests() - before;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('4 of 4 runners finished');
    expect(stderr).not.toContain(TOKEN);
    const result = JSON.parse(stdout) as GateResult;
    expect(result.outcome).toBe('passed');
    // The script's threshold (from k6 inspect), evaluated on the merged test.
    expect(result.scenarios[0].thresholds).toEqual([{ metric: 'http_reqs', expression: 'count>=60', ok: true }]);
    const merged = JSON.parse(await readFile(path.join(dir, 'out', 'summary-script.json'), 'utf8'));
    // Every request the target answered, from all four runners, is counted once.
    expect(merged.metrics.http_reqs.count).toBe(sent);
    expect(sent).toBeGreaterThanOrEqual(60);
    expect(merged.metrics.http_req_duration.count ?? merged.metrics.http_reqs.count).toBe(sent);
    expect((await readdir(path.join(dir, 'out', 'collected'))).sort()).toEqual([
      'state-script.shard-1-of-4.json',
      'state-script.shard-2-of-4.json',
      'state-script.shard-3-of-4.json',
      'state-script.shard-4-of-4.json',
    ]);
  }, 120_000);

  /** Starts `collect` for `n` runners, waits until it listens, runs the given runners, and returns both results. */
  async function collectWith(n: number, runners: ((url: string) => Promise<unknown>)[], argv: string[] = []) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/v1/write`;
    const collecting = collect(['--runners', String(n), '--listen', `127.0.0.1:${port}`, '--results-dir', `out-${port}`, ...argv]);
    await listening(port);
    await Promise.all(runners.map((start) => start(url)));
    return { ...(await collecting), resultsDir: path.join(dir, `out-${port}`) };
  }

  it('a runner that never comes is an error naming its instance_id and execution segment; the others’ states are kept', async () => {
    const { code, stdout, stderr, resultsDir } = await collectWith(
      4,
      [1, 2, 4].map((i) => (url: string) => runner(k6, dir, url, i, 4, TOKEN, { BASE_URL: target.url })),
      ['--runner-timeout', '5s', '--deadline', '60s'],
    );
    expect(code, stderr).toBe(2);
    const result = JSON.parse(stdout) as GateResult;
    expect(result.outcome).toBe('error');
    expect(result.scenarios[0].error).toContain(
      '1 of 4 runners did not finish: instance_id=3 (execution segment 1/2:3/4) never pushed; the merged numbers would miss their share of the load',
    );
    expect(stderr).toContain('3 of 4 runners finished');
    expect((await readdir(path.join(resultsDir, 'collected'))).sort()).toEqual([
      'state-script.shard-1-of-4.json',
      'state-script.shard-2-of-4.json',
      'state-script.shard-4-of-4.json',
    ]);
  }, 120_000);

  it('pushes with a wrong token get 401 and nothing of them is merged', async () => {
    const { code, stdout, stderr, resultsDir } = await collectWith(
      1,
      [(url: string) => runner(k6, dir, url, 1, 1, 'wrong-token-0123456789', { BASE_URL: target.url })],
      ['--deadline', '8s'],
    );
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/refused \d+ without the right token \(401\)/);
    expect((JSON.parse(stdout) as GateResult).scenarios[0].error).toContain('instance_id=1 (execution segment 0:1) never pushed');
    expect(await readdir(path.join(resultsDir, 'collected'))).toEqual([]);
    expect(stderr + stdout).not.toContain(TOKEN);
    expect(stderr + stdout).not.toContain('wrong-token-0123456789');
  }, 120_000);

  it('a garbage push gets 400 and is reported; the run is gated on the runners’ pushes', async () => {
    let garbageStatus = 0;
    const { code, stderr } = await collectWith(1, [
      (url: string) => runner(k6, dir, url, 1, 1, TOKEN, { BASE_URL: target.url }),
      async (url: string) => {
        const response = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: 'garbage, not snappy' });
        garbageStatus = response.status;
      },
    ]);
    expect(garbageStatus).toBe(400);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/a push that could not be taken: snappy: .* \(answered 400\)/);
    expect(stderr).toContain('refused 1 that were not k6 pushes of this run (400)');
  }, 120_000);

  it('two k6 processes with one instance_id are a duplicated segment, named', async () => {
    const { code, stdout, stderr } = await collectWith(
      2,
      [
        (url: string) =>
          runner(k6, dir, url, 1, 2, TOKEN, { BASE_URL: target.url, K6_PROMETHEUS_RW_HTTP_HEADERS: 'x-k6-gate-runner:pod-a' }),
        (url: string) =>
          runner(k6, dir, url, 2, 2, TOKEN, { BASE_URL: target.url, K6_PROMETHEUS_RW_HTTP_HEADERS: 'x-k6-gate-runner:pod-b' }),
        (url: string) =>
          runner(k6, dir, url, 2, 2, TOKEN, { BASE_URL: target.url, K6_PROMETHEUS_RW_HTTP_HEADERS: 'x-k6-gate-runner:pod-c' }),
      ],
      ['--runner-timeout', '5s', '--deadline', '60s'],
    );
    expect(code, stderr).toBe(2);
    expect((JSON.parse(stdout) as GateResult).scenarios[0].error).toMatch(
      /instance_id=2 \(execution segment 1\/2:1\) is duplicated: it (pushed by 2 k6 processes \(pod-[bc], pod-[bc]\)|pushed again)/,
    );
  }, 120_000);
});

describe('k6-gate collect inputs', () => {
  async function cli(argv: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-collect-inputs-'));
    await writeFile(path.join(dir, 'script.js'), SCRIPT);
    const code = await main({
      argv: ['collect', 'script.js', ...argv],
      env: { PATH: process.env.PATH, ...env },
      cwd: dir,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    await rm(dir, { recursive: true, force: true });
    return { code, stdout, stderr };
  }

  it.each([
    [['--run-id', 'r', '--runners', '2', '--token', TOKEN], {}, /Unknown option '--token'/],
    [
      ['--run-id', 'r', '--runners', '2'],
      {},
      /collect needs the runners' Bearer token from exactly one of --token-env NAME .* or --token-file FILE/,
    ],
    [['--run-id', 'r', '--runners', '2', '--token-env', 'NOPE'], {}, /--token-env names NOPE, but no such environment variable is set/],
    [
      ['--run-id', 'r', '--runners', '2', '--token-env', 'T'],
      { T: 'short' },
      /is 5 characters; expected at least 16 characters without white space/,
    ],
    [
      ['--run-id', 'r', '--runners', '0', '--token-env', 'T'],
      { T: TOKEN },
      /runners "0" is not valid; expected a whole number of runners from 1 to 1000/,
    ],
    [['--runners', '2', '--token-env', 'T'], { T: TOKEN }, /collect needs --run-id ID/],
    [
      ['--run-id', 'r', '--runners', '2', '--token-env', 'T', '--listen', 'localhost'],
      { T: TOKEN },
      /--listen "localhost" is not HOST:PORT/,
    ],
  ])('refuses %j before it listens, never quoting the token', async (argv, env, message) => {
    const r = await cli(argv, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(TOKEN);
  });

  it('with --linger the collector keeps its verdict and results until it is stopped (a Deployment does not restart it)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-collect-linger-'));
    await writeFile(path.join(dir, 'script.js'), SCRIPT);
    const port = await freePort();
    const cancellation = new Cancellation();
    let stderr = '';
    const running = main({
      argv: ['collect', 'script.js', '--run-id', 'r', '--runners', '1', '--token-env', 'T', '--listen', `127.0.0.1:${port}`, '--linger'],
      env: { PATH: process.env.PATH, T: TOKEN },
      cwd: dir,
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      cancellation,
    });
    await listening(port);
    const tags = { instance_id: '1', testrun_name: 'r' };
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/write`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: remoteWriteBody([
        {
          labels: { __name__: 'k6_http_reqs_total', ...tags },
          samples: [
            { value: 3, timestampMs: 1 },
            { value: NaN, timestampMs: 2, stale: true },
          ],
        },
      ]),
    });
    expect(response.status).toBe(204);
    for (let i = 0; i < 600 && !stderr.includes('lingering until stopped'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stderr).toContain('the verdict is written (exit status 0); lingering until stopped');
    const summary = JSON.parse(await readFile(path.join(dir, 'k6-gate-results', 'summary-script.json'), 'utf8'));
    expect(summary.metrics.http_reqs.count).toBe(3);
    let ended = false;
    void running.then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ended).toBe(false);
    cancellation.request('SIGTERM');
    expect(await running).toBe(0);
    await rm(dir, { recursive: true, force: true });
  }, 90_000);

  it('operator-manifest --collector writes the collector with the baseline; its options without --collector are refused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-collect-manifest-'));
    await writeFile(path.join(dir, 'script.js'), SCRIPT);
    await writeFile(path.join(dir, 'k6-baseline.json'), '{"format":1,"scenarios":{}}\n');
    const run = async (argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main({
        argv,
        env: { PATH: process.env.PATH },
        cwd: dir,
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
      });
      return { code, stdout, stderr };
    };
    const base = ['operator-manifest', 'script.js', '--name', 'steady-load', '--parallelism', '3'];
    const ok = await run([...base, '--collector', '--baseline', 'k6-baseline.json', '--deadline', '3h']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/kind: Deployment[\s\S]*kind: Service[\s\S]*kind: TestRun/);
    expect(ok.stdout).toContain('k6-baseline.json: |');
    expect(ok.stdout).not.toContain('PersistentVolumeClaim');
    const stray = await run([...base, '--token-secret', 'mine']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--token-secret belongs to --collector mode; expected --collector with it');
    const both = await run([...base, '--collector', '--results-pod']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--collector needs no claim');
    await rm(dir, { recursive: true, force: true });
  });
});
