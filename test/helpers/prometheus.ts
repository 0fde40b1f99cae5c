// A real Prometheus for the observability tests: the Debian package's binary (scripts/test.sh and
// .ci/run install it), on loopback with a free port, its TSDB in a temp dir, remote-write receiver on.
// A missing binary is an error, not a skip: CI must not pass without having talked to Prometheus.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestPrometheus {
  url: string;
  /** The remote-write receiver, `<url>/api/v1/write`. */
  writeUrl: string;
  /** Every series matching a selector, as label maps. */
  series(match: string): Promise<Record<string, string>[]>;
  /** An instant query's vector result. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  close(): Promise<void>;
}

export function prometheusBinary(): string {
  const explicit = process.env.K6_GATE_TEST_PROMETHEUS;
  const candidate = explicit ?? 'prometheus';
  const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `no prometheus binary for the observability tests (${candidate}: ${probe.error?.message ?? `exit ${probe.status}`}); install the Debian package "prometheus" (npm test does it as root) or set K6_GATE_TEST_PROMETHEUS`,
    );
  }
  return candidate;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${url}: ${body.error ?? response.status}`);
  return body.data;
}

export async function startPrometheus(readyTimeoutMs = 30_000): Promise<TestPrometheus> {
  const binary = prometheusBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  // Nothing to scrape: every series in this Prometheus came through remote write.
  await writeFile(configFile, 'global:\n  scrape_interval: 1m\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      // metrics-output prometheus-native sends k6's Trends as native histograms (Prometheus >= 2.40).
      '--enable-feature=native-histograms',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const close = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Bounded poll of the readiness endpoint.
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      await close();
      throw new Error(`prometheus exited before it was ready:\n${stderr}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`prometheus was not ready within ${readyTimeoutMs} ms:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    series: (match) => api(`${url}/api/v1/series?${new URLSearchParams({ 'match[]': match })}`),
    query: (promql) =>
      api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `${url}/api/v1/query?${new URLSearchParams({ query: promql })}`,
      ).then((d) => d.result),
    close,
  };
}
