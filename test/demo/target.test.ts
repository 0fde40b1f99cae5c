// The bundled demo target as a client sees it: endpoints of every workload, knobs that shape
// latency and errors, seeded determinism, and a close() that does not hang.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_DEMO_KNOBS, mergeKnobs, startDemoTarget, type DemoTarget } from '../../demo/target.js';

let target: DemoTarget | undefined;

afterEach(async () => {
  await target?.close();
  target = undefined;
});

async function start(options: Parameters<typeof startDemoTarget>[0] = {}): Promise<DemoTarget> {
  target = await startDemoTarget({ latencyMs: 0, jitterMs: 0, ...options });
  return target;
}

async function call(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; json: any; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
}

describe('startDemoTarget', () => {
  it('listens on 127.0.0.1 on a free port and reports its URL and knobs', async () => {
    const t = await start({ latencyMs: 7 });
    expect(t.url).toBe(`http://127.0.0.1:${t.port}`);
    expect(t.port).toBeGreaterThan(0);
    expect(t.knobs).toEqual({ latencyMs: 7, jitterMs: 0, errorRate: 0, slowdown: 0, spikeRequests: 0, spikeSlowdown: 1 });
    expect(await call('GET', `${t.url}/health`)).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('refuses bad knob values with a message naming the knob', async () => {
    await expect(startDemoTarget({ errorRate: 1.5 })).rejects.toThrow(
      'demo knob errorRate = 1.5 is not valid; expected a number from 0 to 1',
    );
    expect(() => mergeKnobs({ ...DEFAULT_DEMO_KNOBS, latencyMs: 1, jitterMs: 0 }, { latency: 3 } as never)).toThrow(
      'unknown demo knob "latency"',
    );
    expect(() => mergeKnobs(DEFAULT_DEMO_KNOBS, { spikeRequests: 2.5 })).toThrow(
      'demo knob spikeRequests = 2.5 is not valid; expected a whole number of requests ≥ 0',
    );
  });

  it('close() finishes even with a delayed request and an open WebSocket', async () => {
    // A request held for 30 s: close() must not wait for it (a busy machine adds far less than 10 s).
    const t = await start({ latencyMs: 30_000 });
    const pending = fetch(`${t.url}/api/products`).catch(() => 'failed');
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    const started = Date.now();
    await t.close();
    target = undefined;
    expect(Date.now() - started).toBeLessThan(10_000);
    await pending;
  }, 20_000);
});

describe('latency and error knobs', () => {
  it('adds latencyMs, multiplied by 1 + slowdown, and changes at runtime via POST /__knobs', async () => {
    const t = await start({ latencyMs: 60 });
    expect((await call('GET', `${t.url}/api/products`)).ms).toBeGreaterThanOrEqual(55);
    const set = await call('POST', `${t.url}/__knobs`, { slowdown: 1 });
    expect(set).toMatchObject({ status: 200, json: { latencyMs: 60, slowdown: 1 } });
    expect((await call('GET', `${t.url}/api/products`)).ms).toBeGreaterThanOrEqual(115);
    expect(t.knobs.slowdown).toBe(1);
    // Health is never slowed or failed: the preflight must see the target as up. With every other
    // page at 20 s, a slowed /health could not answer within 5 s however busy the machine is.
    await call('POST', `${t.url}/__knobs`, { latencyMs: 10_000, errorRate: 1 });
    const health = await call('GET', `${t.url}/health`);
    expect(health.status).toBe(200);
    expect(health.ms).toBeLessThan(5000);
  });

  it('rejects a bad POST /__knobs with 400 and keeps the old knobs', async () => {
    const t = await start();
    expect(await call('POST', `${t.url}/__knobs`, { errorRate: 'lots' })).toMatchObject({
      status: 400,
      json: { error: expect.stringContaining('errorRate = "lots"') },
    });
    expect(t.knobs.errorRate).toBe(0);
  });

  it('errorRate 1 turns every API answer into a 500, and setKnobs turns it back', async () => {
    const t = await start({ errorRate: 1 });
    expect((await call('GET', `${t.url}/api/products/1`)).status).toBe(500);
    expect((await call('GET', `${t.url}/health`)).status).toBe(200);
    t.setKnobs({ errorRate: 0 });
    expect((await call('GET', `${t.url}/api/products/1`)).status).toBe(200);
  });

  it('the same seed gives the same pattern of injected errors', async () => {
    const pattern = async (seed: number) => {
      const t = await startDemoTarget({ latencyMs: 0, jitterMs: 0, errorRate: 0.5, seed });
      try {
        const out: number[] = [];
        for (let i = 0; i < 24; i++) out.push((await call('GET', `${t.url}/api/products/1`)).status);
        return out.join(',');
      } finally {
        await t.close();
      }
    };
    const a = await pattern(42);
    expect(await pattern(42)).toBe(a);
    expect(await pattern(43)).not.toBe(a);
    expect(a).toContain('500');
    expect(a).toContain('200');
  });
});

describe('endpoints of the workloads', () => {
  it('catalog: products list, one product, 404 for a missing one, orders', async () => {
    const t = await start();
    expect((await call('GET', `${t.url}/api/products`)).json.items).toHaveLength(20);
    expect((await call('GET', `${t.url}/api/products/3`)).json).toMatchObject({ id: 3, name: 'Product 3' });
    expect((await call('GET', `${t.url}/api/products/999`)).status).toBe(404);
    expect(await call('POST', `${t.url}/api/orders`, { productId: 2, quantity: 2 })).toMatchObject({
      status: 201,
      json: { productId: 2, quantity: 2 },
    });
    expect((await call('POST', `${t.url}/api/orders`, '{not json')).status).toBe(400);
    expect((await call('DELETE', `${t.url}/api/products`)).status).toBe(405);
  });

  it('crud: register, login, items create/list/get/update/delete, logout revokes the token', async () => {
    const t = await start();
    const user = { username: 'alice', password: 'pw' };
    expect((await call('POST', `${t.url}/api/auth/register`, user)).status).toBe(201);
    expect((await call('POST', `${t.url}/api/auth/register`, user)).status).toBe(409);
    expect((await call('POST', `${t.url}/api/auth/login`, { ...user, password: 'nope' })).status).toBe(401);
    const { token } = (await call('POST', `${t.url}/api/auth/login`, user)).json;
    expect((await call('GET', `${t.url}/api/items`)).status).toBe(401);
    const created = await call('POST', `${t.url}/api/items`, { name: 'pen', quantity: 2 }, token);
    expect(created).toMatchObject({ status: 201, json: { name: 'pen', quantity: 2, owner: 'alice' } });
    const id = created.json.id as string;
    expect((await call('GET', `${t.url}/api/items`, undefined, token)).json.items.map((i: { id: string }) => i.id)).toEqual([id]);
    expect((await call('PUT', `${t.url}/api/items/${id}`, { quantity: 5 }, token)).json.quantity).toBe(5);
    // Another user cannot see alice's item.
    const other = (await call('POST', `${t.url}/api/auth/login`, { username: 'demo-user-1', password: 'demo-password' })).json.token;
    expect((await call('GET', `${t.url}/api/items/${id}`, undefined, other)).status).toBe(404);
    expect((await call('DELETE', `${t.url}/api/items/${id}`, undefined, token)).status).toBe(204);
    expect((await call('GET', `${t.url}/api/items/${id}`, undefined, token)).status).toBe(404);
    expect((await call('POST', `${t.url}/api/auth/logout`, undefined, token)).status).toBe(204);
    expect((await call('GET', `${t.url}/api/me`, undefined, token)).status).toBe(401);
  });

  it('jsonrpc: the agent card points at /rpc, which answers JSON-RPC 2.0 calls, batches and errors', async () => {
    const t = await start();
    const card = (await call('GET', `${t.url}/.well-known/agent.json`)).json;
    expect(card).toMatchObject({ url: `${t.url}/rpc`, skills: expect.arrayContaining([expect.objectContaining({ id: 'echo' })]) });
    const sent = await call('POST', card.url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'message/send',
      params: {
        message: { role: 'user', parts: [{ kind: 'text', text: 'one two three four five six' }] },
        metadata: { skill: 'summarize' },
      },
    });
    expect(sent.json).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { status: { state: 'completed' }, artifacts: [{ parts: [{ text: 'one two three four five' }] }] },
    });
    const batch = await call('POST', card.url, [
      { jsonrpc: '2.0', id: 'a', method: 'tasks/get', params: { id: sent.json.result.id } },
      { jsonrpc: '2.0', id: 'b', method: 'nope' },
      { jsonrpc: '2.0', method: 'agent/ping' },
    ]);
    expect(batch.json).toEqual([
      expect.objectContaining({ id: 'a', result: expect.objectContaining({ id: sent.json.result.id }) }),
      { jsonrpc: '2.0', id: 'b', error: { code: -32601, message: 'method "nope" not found' } },
    ]);
    expect((await call('POST', card.url, '{bad')).json).toMatchObject({ id: null, error: { code: -32700 } });
    expect((await call('POST', card.url, { jsonrpc: '2.0', id: 2, method: 'tasks/get', params: { id: 'x' } })).json.error.code).toBe(
      -32001,
    );
  });

  it('user-flow: app page and assets, feed APIs, a report that becomes ready after polling', async () => {
    // slowdown 4: the report takes 1.5 s, so the first poll sees it pending even on a busy machine.
    const t = await start({ slowdown: 4 });
    const page = await fetch(`${t.url}/app`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/static/app.js');
    expect((await fetch(`${t.url}/static/app.css`)).status).toBe(200);
    expect((await call('GET', `${t.url}/api/feed?page=2`)).json.items[0]).toMatchObject({ id: 11 });
    expect((await call('GET', `${t.url}/api/notifications`)).json.unread).toBe(3);
    const report = await call('POST', `${t.url}/api/reports`);
    expect(report).toMatchObject({ status: 202, json: { status: 'pending' } });
    expect((await call('GET', `${t.url}${report.json.poll}`)).json.status).toBe('pending');
    let polled = await call('GET', `${t.url}${report.json.poll}`);
    for (const started = Date.now(); polled.json.status !== 'ready' && Date.now() - started < 15_000;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      polled = await call('GET', `${t.url}${report.json.poll}`);
    }
    expect(polled.json).toMatchObject({ status: 'ready', progress: 1 });
  });

  it('websocket: echo round trip, presence on join, cursor fan-out to the room', async () => {
    const t = await start({ latencyMs: 20 });
    const url = `${t.url.replace('http', 'ws')}/ws`;
    const open = async (): Promise<{ ws: WebSocket; messages: any[] }> => {
      const ws = new WebSocket(url);
      const messages: any[] = [];
      ws.on('message', (data) => messages.push(JSON.parse(String(data))));
      await new Promise((resolve) => ws.once('open', resolve));
      return { ws, messages };
    };
    const a = await open();
    const b = await open();
    // Waits for what each step must bring instead of a fixed sleep: on a busy machine a message may
    // take longer than any sleep short enough for a unit test.
    const until = async (what: string, done: () => boolean) => {
      for (const started = Date.now(); !done(); await new Promise((resolve) => setTimeout(resolve, 10))) {
        if (Date.now() - started > 10_000) throw new Error(`no ${what} within 10 s`);
      }
    };
    const has = (messages: any[], expected: object) =>
      messages.some((m) => Object.entries(expected).every(([k, v]) => JSON.stringify(m[k]) === JSON.stringify(v)));
    a.ws.send(JSON.stringify({ type: 'join', room: 'r1', user: 'ann' }));
    await until('join of ann', () => has(a.messages, { type: 'presence', event: 'join', user: 'ann' }));
    b.ws.send(JSON.stringify({ type: 'join', room: 'r1', user: 'bob' }));
    const sentAt = Date.now();
    a.ws.send(JSON.stringify({ type: 'echo', id: 1, payload: 'hi' }));
    a.ws.send(JSON.stringify({ type: 'cursor', x: 10, y: 20 }));
    a.ws.send('not json');
    await until(
      'echo, presence, cursor and error',
      () =>
        has(a.messages, { type: 'echo' }) &&
        has(a.messages, { type: 'error' }) &&
        has(b.messages, { type: 'cursor' }) &&
        has(a.messages, { user: 'bob' }),
    );
    const echo = a.messages.find((m) => m.type === 'echo');
    expect(echo).toMatchObject({ id: 1, payload: 'hi' });
    expect(echo.serverTime - sentAt).toBeGreaterThanOrEqual(15);
    expect(a.messages).toContainEqual(expect.objectContaining({ type: 'presence', event: 'join', user: 'bob', users: ['ann', 'bob'] }));
    expect(b.messages).toContainEqual(expect.objectContaining({ type: 'cursor', user: 'ann', x: 10, y: 20 }));
    expect(a.messages).toContainEqual(expect.objectContaining({ type: 'error' }));
    b.ws.close();
    await until('leave of bob', () => has(a.messages, { type: 'presence', event: 'leave' }));
    expect(a.messages).toContainEqual(expect.objectContaining({ type: 'presence', event: 'leave', user: 'bob', users: ['ann'] }));
    a.ws.close();
  });
});
