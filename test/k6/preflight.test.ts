// The target's health check against local servers: a slow start, a server that never answers.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PreflightError, startPreflight, waitForHealthy } from '../../src/k6/preflight.js';
import { createTerminalLogger } from '../../src/log.js';

function recordingLogger() {
  const lines: string[] = [];
  return Object.assign(createTerminalLogger({ write: (line) => lines.push(line) }), { text: () => lines.join('\n') });
}

describe('waitForHealthy', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  });
  const listen = async (handler: http.RequestListener) => {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  };

  it('waits through 503 answers and passes on the first answer below 500, a redirect included', async () => {
    let calls = 0;
    const url = await listen((_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 503 : 302, { location: '/elsewhere' }).end();
    });
    const log = recordingLogger();
    const result = await waitForHealthy(url, { timeoutMs: 5000, initialDelayMs: 20, log });
    expect(result).toMatchObject({ attempts: 3, status: 302 });
    expect(log.text()).toContain('not ready (HTTP 503); retrying in 20 ms');
  });

  it('says a target that never answers ran out of time on each request', async () => {
    const url = await listen(() => undefined);
    const error = await waitForHealthy(url, { timeoutMs: 900, attemptTimeoutMs: 300, initialDelayMs: 50, log: recordingLogger() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toContain('last problem: no answer before the request time limit');
  });

  describe('keeps trying until its deadline, not one back-off step before it', () => {
    /** A port nothing listens on yet. */
    const freePort = async () => {
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as AddressInfo;
      await new Promise((resolve) => probe.close(resolve));
      return port;
    };

    it('a target that comes up 1.5 s before a 6 s deadline passes (the doubling wait would have given up at 3.75 s)', async () => {
      const port = await freePort();
      const up = setTimeout(() => {
        server = http.createServer((_req, res) => res.writeHead(200).end('ok'));
        server.listen(port, '127.0.0.1');
      }, 4500);
      try {
        const started = Date.now();
        const result = await waitForHealthy(`http://127.0.0.1:${port}/health`, { timeoutMs: 6000, log: recordingLogger() });
        expect(result.status).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
      } finally {
        clearTimeout(up);
      }
    });

    it('a target that never comes up is given up on at the deadline, not before', async () => {
      const port = await freePort();
      const started = Date.now();
      const error = await waitForHealthy(`http://127.0.0.1:${port}/health`, { timeoutMs: 3000, log: recordingLogger() }).catch(
        (e: unknown) => e,
      );
      const tookMs = Date.now() - started;
      expect((error as Error).message).toContain('did not succeed within 3 s');
      expect(tookMs).toBeGreaterThanOrEqual(3000);
      expect(tookMs).toBeLessThan(6000);
    });
  });

  it('says a refused connection in words', async () => {
    const url = await listen(() => undefined);
    server!.close();
    server = undefined;
    const error = await waitForHealthy(url, { timeoutMs: 300, initialDelayMs: 50, log: recordingLogger() }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('connection refused (nothing listens on that port)');
  });

  describe('startPreflight', () => {
    const config = (healthUrl: string | undefined, extra: { merge?: { dir: string }; secrets?: string[] } = {}) => ({
      healthUrl,
      preflightTimeoutMs: 5000,
      secrets: extra.secrets ?? [],
      merge: extra.merge,
    });

    it('says the request is sent while the answer is still awaited, then passes on the answer', async () => {
      let answer: (() => void) | undefined;
      const received = new Promise<void>((resolve) => {
        void listen((_req, res) => {
          answer = () => res.writeHead(200).end();
          resolve();
        }).then((url) => (pending = startPreflight(config(url), recordingLogger())));
      });
      let pending: ReturnType<typeof startPreflight>;
      await received;
      let settled = false;
      void pending!.done.then(() => (settled = true));
      await pending!.sent;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBe(false);
      answer!();
      await expect(pending!.done).resolves.toBeUndefined();
    });

    it('counts a refused connection as sent, and abandoning stops the retries', async () => {
      const url = await listen(() => undefined);
      server!.close();
      server = undefined;
      const log = recordingLogger();
      const pending = startPreflight(config(url), log)!;
      await pending.sent;
      await pending.abandon();
      const error = await pending.done;
      expect(error).toBeInstanceOf(PreflightError);
      expect(error!.message).toContain('stopped: the run ended first');
      const linesAtAbandon = log.text();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(log.text()).toBe(linesAtAbandon);
    });

    it('does not hold `sent` back for a connection that never opens (a TLS handshake that stalls)', async () => {
      // Accepts TCP and never answers the TLS hello: the request can never be written.
      const silent = net.createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/health`;
        const pending = startPreflight({ ...config(url), preflightTimeoutMs: 10_000 }, recordingLogger())!;
        const started = Date.now();
        await pending.sent;
        // Without the bound (100 ms), `sent` waits for the attempt's 5 s time limit; 4 s apart from
        // that, a busy machine's delay cannot make this fail.
        expect(Date.now() - started).toBeLessThan(4000);
        await pending.abandon();
      } finally {
        silent.close();
      }
    });

    it('starts nothing without a health URL or for a merge, and masks the secrets in the log before it can log', async () => {
      expect(startPreflight(config(undefined), recordingLogger())).toBeUndefined();
      expect(startPreflight(config('http://127.0.0.1:9/health', { merge: { dir: 'shards' } }), recordingLogger())).toBeUndefined();
      const url = await listen((_req, res) => res.writeHead(503).end());
      const log = recordingLogger();
      const pending = startPreflight(
        { ...config(`${url}?token=hunter2-secret`, { secrets: ['hunter2-secret'] }), preflightTimeoutMs: 600 },
        log,
      )!;
      // The error itself is masked with the rest of the result, before anything is written.
      await pending.done;
      expect(log.text()).not.toContain('hunter2-secret');
      expect(log.text()).toContain('not ready (HTTP 503)');
    });
  });
});
