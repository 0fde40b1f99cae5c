// The one patient fetch of the API clients, against local servers: one that accepts connections and
// never answers, one that sends headers and stalls, and the fakes' rate limits and 5xx.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpDeadlineError, createPatientFetch, rateLimitWaitMs, retryAfterMs } from '../src/http.js';
import { startSilentServer } from './helpers/silent-server.js';

describe('patient fetch', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('a server that accepts and stays silent: GET is retried inside the budget, then fails with the deadline', async () => {
    const silent = await startSilentServer();
    closers.push(silent.close);
    const retries: string[] = [];
    const fetch = createPatientFetch({ attemptTimeoutMs: 300, totalBudgetMs: 8000, baseDelayMs: 50, onRetry: (m) => retries.push(m) });
    const started = Date.now();
    const error = await fetch(`${silent.url}/api/v4/projects/1/merge_requests/7/notes?private=x`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpDeadlineError);
    expect((error as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/1\/merge_requests\/7\/notes: no answer within 300 ms$/,
    );
    expect(silent.requests()).toBe(4);
    expect(retries[0]).toMatch(/no answer within 300 ms; retrying in 50 ms \(1\/3\)$/);
    // The query (where a token could be) is never shown.
    expect(retries.join('\n')).not.toContain('private=x');
    // Bounded: the budget, not the server, decides when it ends.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('the total budget ends the retries even when attempts remain', async () => {
    const silent = await startSilentServer();
    closers.push(silent.close);
    const fetch = createPatientFetch({ attemptTimeoutMs: 400, totalBudgetMs: 1000, baseDelayMs: 700, maxRetries: 10 });
    await expect(fetch(`${silent.url}/x`)).rejects.toBeInstanceOf(HttpDeadlineError);
    // 400 ms, a 700 ms pause would leave no budget: one attempt only.
    expect(silent.requests()).toBe(1);
  });

  it('a POST whose answer never came is not sent again (it may have been done)', async () => {
    const silent = await startSilentServer();
    closers.push(silent.close);
    const fetch = createPatientFetch({ attemptTimeoutMs: 300, totalBudgetMs: 5000, baseDelayMs: 10 });
    await expect(fetch(`${silent.url}/notes`, { method: 'POST', body: '{}' })).rejects.toThrow(/^POST .*\/notes: no answer within 300 ms/);
    expect(silent.requests()).toBe(1);
  });

  it('headers that arrive and a body that never ends count as no answer', async () => {
    const server: Server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const fetch = createPatientFetch({ attemptTimeoutMs: 300, totalBudgetMs: 2000, baseDelayMs: 10, maxRetries: 1 });
    await expect(fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/list`)).rejects.toBeInstanceOf(HttpDeadlineError);
  });

  it('retries 503 and 429 (waiting as Retry-After says) and returns the answer that worked', async () => {
    const replies = [
      { status: 503, headers: {} },
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 200, headers: {} },
    ];
    let served = 0;
    const server = createHttpServer((_req, res) => {
      const reply = replies[served++];
      res.writeHead(reply.status, reply.headers);
      res.end(JSON.stringify({ served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const sleeps: number[] = [];
    const fetch = createPatientFetch({ baseDelayMs: 5, sleep: async (ms) => void sleeps.push(ms) });
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ served: 3 });
    expect(sleeps).toEqual([5, 2000]);
  });

  it('a Retry-After longer than the budget left is not waited for: the 429 is the answer', async () => {
    let served = 0;
    const server = createHttpServer((_req, res) => {
      served++;
      res.writeHead(429, { 'retry-after': '30' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const sleeps: number[] = [];
    const fetch = createPatientFetch({ totalBudgetMs: 10_000, sleep: async (ms) => void sleeps.push(ms) });
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(response.status).toBe(429);
    expect(served).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('rate-limit hints', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
  it('a 429, or a 403 with a hint, is a rate limit; x-ratelimit-reset is the fallback; a bare 403 is a permission', () => {
    const h = (headers: Record<string, string>) => new Headers(headers);
    expect(rateLimitWaitMs(429, h({ 'retry-after': '7' }), now)).toBe(7000);
    expect(rateLimitWaitMs(429, h({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now)).toBe(30_000);
    expect(rateLimitWaitMs(403, h({ 'retry-after': '5' }), now)).toBe(5000);
    expect(rateLimitWaitMs(403, h({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 12) }), now)).toBe(12_000);
    expect(rateLimitWaitMs(429, h({}), now)).toBeUndefined();
    expect(rateLimitWaitMs(403, h({}), now)).toBeUndefined();
    expect(rateLimitWaitMs(500, h({ 'retry-after': '1' }), now)).toBeUndefined();
  });
});
