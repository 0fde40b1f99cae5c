// The bundled demo target: a small service that implements the endpoints of every workload in
// scenarios/ (catalog API, auth + CRUD, JSON-RPC agent, WebSocket, user-flow pages and polling),
// so that `k6-gate demo` and the tests run end to end without a real system under test.
// Latency and errors are knobs, so a benchmark can make the target "regress" on purpose.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRandom, type RandomSource } from './target-random.js';
import { DemoStore } from './target-store.js';
import { handleJsonRpc, agentCard } from './target-rpc.js';
import { attachWebSocket } from './target-ws.js';
import { ExpectedError } from '../errors.js';

export interface DemoKnobs {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  /** Extra latency as a fraction: 0.5 = +50%. */
  slowdown: number;
  /** A one-off spike: the next this-many requests get `spikeSlowdown` on top (counts down to 0). */
  spikeRequests: number;
  /** Extra latency of a spiked request as a fraction: 1 = twice as slow. */
  spikeSlowdown: number;
}

export interface DemoTarget {
  url: string;
  port: number;
  knobs: DemoKnobs;
  setKnobs(k: Partial<DemoKnobs>): void;
  close(): Promise<void>;
}

/**
 * One endpoint made slow and/or failing, so a demo shows the per-endpoint table and the error mix
 * pointing at it: requests whose path starts with `path` wait (1 + slowdown) times longer and fail
 * with `status` at `errorRate`.
 */
export interface EndpointFault {
  path: string;
  slowdown: number;
  errorRate: number;
  /** Default 503. */
  status?: number;
}

export function checkEndpointFault(fault: EndpointFault): EndpointFault {
  if (!fault.path.startsWith('/')) {
    throw new RangeError(`slow endpoint ${JSON.stringify(fault.path)} is not a path; expected e.g. "/api/orders"`);
  }
  if (!(Number.isFinite(fault.slowdown) && fault.slowdown > -1)) {
    throw new RangeError(`slow endpoint slowdown ${JSON.stringify(fault.slowdown)} is not valid; expected a number above -1 (2 = +200%)`);
  }
  if (!(Number.isFinite(fault.errorRate) && fault.errorRate >= 0 && fault.errorRate <= 1)) {
    throw new RangeError(`slow endpoint error rate ${JSON.stringify(fault.errorRate)} is not valid; expected a number from 0 to 1`);
  }
  return fault;
}

export interface DemoTargetOptions extends Partial<DemoKnobs> {
  /** Make one endpoint slow or failing (the per-endpoint demo). */
  endpointFault?: EndpointFault;
  port?: number;
  /** Default 127.0.0.1: the demo is never meant to be reachable from elsewhere. */
  host?: string;
  /** Seed of the latency jitter and injected errors; the same seed gives the same sequence. */
  seed?: number;
}

export const DEFAULT_DEMO_KNOBS: DemoKnobs = { latencyMs: 20, jitterMs: 10, errorRate: 0, slowdown: 0, spikeRequests: 0, spikeSlowdown: 1 };

/** How long a queued report takes to become ready, before slowdown. */
const REPORT_READY_MS = 300;
const MAX_BODY_BYTES = 1024 * 1024;

/** Checks knob values and returns the merged knobs; a bad value is an error naming it. */
export function mergeKnobs(current: DemoKnobs, change: Partial<Record<keyof DemoKnobs, unknown>>): DemoKnobs {
  const next = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_DEMO_KNOBS)) {
      throw new ExpectedError(`unknown demo knob ${JSON.stringify(key)}; expected one of ${Object.keys(DEFAULT_DEMO_KNOBS).join(', ')}`);
    }
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (key === 'errorRate'
        ? value >= 0 && value <= 1
        : key === 'slowdown' || key === 'spikeSlowdown'
          ? value > -1
          : key === 'spikeRequests'
            ? Number.isInteger(value) && value >= 0
            : value >= 0);
    if (!ok) {
      const expected =
        key === 'errorRate'
          ? 'a number from 0 to 1'
          : key === 'slowdown' || key === 'spikeSlowdown'
            ? 'a number above -1 (0.5 = +50% latency)'
            : key === 'spikeRequests'
              ? 'a whole number of requests ≥ 0'
              : 'a number of milliseconds ≥ 0';
      throw new ExpectedError(`demo knob ${key} = ${JSON.stringify(value)} is not valid; expected ${expected}`);
    }
    next[key as keyof DemoKnobs] = value;
  }
  return next;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface RequestContext {
  req: http.IncomingMessage;
  url: URL;
  /** The URL the client used to reach us, for links in responses (agent card, report polling). */
  origin: string;
  body(): Promise<unknown>;
  bearer(): string | undefined;
}

interface Reply {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

function json(status: number, body?: unknown): Reply {
  return { status, body };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function requireString(body: unknown, field: string): string {
  const value = (body as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string' || value === '') {
    throw new HttpError(400, `field ${JSON.stringify(field)} must be a non-empty string`);
  }
  return value;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

const APP_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>k6-gate demo shop</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><h1>Demo shop</h1><div id="feed"></div><script src="/static/app.js"></script></body></html>
`;
const APP_CSS = 'body{font-family:sans-serif;margin:2rem}h1{color:#7d64ff}\n';
const APP_JS = "fetch('/api/feed').then((r)=>r.json()).then((d)=>{document.getElementById('feed').textContent=d.items.length+' posts'});\n";

function createRouter(store: DemoStore, random: RandomSource, knobs: () => DemoKnobs) {
  function user(ctx: RequestContext): string {
    const name = store.userForToken(ctx.bearer());
    if (!name) throw new HttpError(401, 'missing or unknown bearer token; log in at POST /api/auth/login');
    return name;
  }

  function itemFields(body: Record<string, unknown>, partial: boolean) {
    const out: { name?: string; description?: string; quantity?: number } = {};
    if (body.name !== undefined || !partial) out.name = requireString(body, 'name');
    if (body.description !== undefined) {
      if (typeof body.description !== 'string') throw new HttpError(400, 'field "description" must be a string');
      out.description = body.description;
    }
    if (body.quantity !== undefined) {
      if (typeof body.quantity !== 'number' || !Number.isInteger(body.quantity) || body.quantity < 0) {
        throw new HttpError(400, 'field "quantity" must be a whole number ≥ 0');
      }
      out.quantity = body.quantity;
    }
    return out;
  }

  function feedItems(count: number, offset: number) {
    return Array.from({ length: count }, (_, i) => ({
      id: offset + i + 1,
      title: `Post ${offset + i + 1}`,
      likes: ((offset + i) * 7) % 100,
    }));
  }

  type Handler = (ctx: RequestContext, params: string[]) => Promise<Reply> | Reply;
  const routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  const route = (method: string, pattern: RegExp, handler: Handler) => routes.push({ method, pattern, handler });

  // Catalog (http-endpoints workload).
  route('GET', /^\/api\/products$/, (ctx) => {
    const limit = Number(ctx.url.searchParams.get('limit') ?? store.products.length);
    return json(200, {
      items: store.products.slice(0, Number.isFinite(limit) && limit > 0 ? limit : store.products.length),
      total: store.products.length,
    });
  });
  route('GET', /^\/api\/products\/([^/]+)$/, (_ctx, [id]) => {
    const product = store.products.find((p) => String(p.id) === id);
    return product ? json(200, product) : json(404, { error: `no product with id ${JSON.stringify(id)}` });
  });
  route('POST', /^\/api\/orders$/, async (ctx) => {
    const body = objectBody(await ctx.body());
    const product = store.products.find((p) => p.id === body.productId);
    if (!product) throw new HttpError(400, 'field "productId" must be the id of a product (1-20)');
    const quantity = typeof body.quantity === 'number' && body.quantity > 0 ? Math.floor(body.quantity) : 1;
    return json(201, {
      id: `ord-${Date.now().toString(36)}-${Math.floor(random.next() * 1e6)}`,
      productId: product.id,
      quantity,
      total: Math.round(product.price * quantity * 100) / 100,
    });
  });

  // Accounts and a per-user resource (crud-flow workload).
  route('POST', /^\/api\/auth\/register$/, async (ctx) => {
    const body = objectBody(await ctx.body());
    const username = requireString(body, 'username');
    const password = requireString(body, 'password');
    if (store.register(username, password) === 'exists') return json(409, { error: `user ${JSON.stringify(username)} already exists` });
    return json(201, { username });
  });
  route('POST', /^\/api\/auth\/login$/, async (ctx) => {
    const body = objectBody(await ctx.body());
    const token = store.login(requireString(body, 'username'), requireString(body, 'password'));
    return token ? json(200, { token, tokenType: 'Bearer', expiresIn: 3600 }) : json(401, { error: 'wrong username or password' });
  });
  route('POST', /^\/api\/auth\/logout$/, (ctx) => {
    user(ctx);
    store.logout(ctx.bearer() as string);
    return json(204);
  });
  route('GET', /^\/api\/me$/, (ctx) => json(200, { username: user(ctx) }));
  route('GET', /^\/api\/items$/, (ctx) => {
    const limit = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get('limit') ?? 20) || 20));
    const items = store.listItems(user(ctx), limit);
    return json(200, { items, count: items.length });
  });
  route('POST', /^\/api\/items$/, async (ctx) => {
    const owner = user(ctx);
    const fields = itemFields(objectBody(await ctx.body()), false);
    return json(
      201,
      store.createItem(owner, { name: fields.name as string, description: fields.description ?? '', quantity: fields.quantity ?? 0 }),
    );
  });
  route('GET', /^\/api\/items\/([^/]+)$/, (ctx, [id]) => {
    const item = store.getItem(user(ctx), id);
    return item ? json(200, item) : json(404, { error: `no item with id ${JSON.stringify(id)}` });
  });
  route('PUT', /^\/api\/items\/([^/]+)$/, async (ctx, [id]) => {
    const owner = user(ctx);
    const item = store.updateItem(owner, id, itemFields(objectBody(await ctx.body()), true));
    return item ? json(200, item) : json(404, { error: `no item with id ${JSON.stringify(id)}` });
  });
  route('DELETE', /^\/api\/items\/([^/]+)$/, (ctx, [id]) =>
    store.deleteItem(user(ctx), id) ? json(204) : json(404, { error: `no item with id ${JSON.stringify(id)}` }),
  );

  // Agent-to-agent JSON-RPC (jsonrpc workload).
  const card: Handler = (ctx) => json(200, agentCard(ctx.origin));
  route('GET', /^\/\.well-known\/agent\.json$/, card);
  route('GET', /^\/\.well-known\/agent-card\.json$/, card);
  route('POST', /^\/rpc$/, async (ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(ctx.req));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      parsed = Symbol.for('parse-error');
    }
    return json(200, handleJsonRpc(parsed, store));
  });

  // Pages, feed APIs and a report to poll (user-flow workload).
  route('GET', /^\/(app)?$/, () => ({ status: 200, body: APP_HTML, contentType: 'text/html; charset=utf-8' }));
  route('GET', /^\/static\/app\.css$/, () => ({ status: 200, body: APP_CSS, contentType: 'text/css; charset=utf-8' }));
  route('GET', /^\/static\/app\.js$/, () => ({ status: 200, body: APP_JS, contentType: 'text/javascript; charset=utf-8' }));
  route('GET', /^\/api\/feed$/, (ctx) => {
    const page = Math.max(1, Number(ctx.url.searchParams.get('page') ?? 1) || 1);
    return json(200, { page, items: feedItems(10, (page - 1) * 10) });
  });
  route('GET', /^\/api\/notifications$/, () =>
    json(200, {
      unread: 3,
      items: [
        { id: 1, text: 'Your order shipped' },
        { id: 2, text: 'New follower' },
        { id: 3, text: 'Price drop' },
      ],
    }),
  );
  route('GET', /^\/api\/recommendations$/, () =>
    json(200, { items: store.products.slice(0, 5).map((p) => ({ productId: p.id, score: 1 - p.id / 100 })) }),
  );
  route('POST', /^\/api\/reports$/, (ctx) => {
    const report = store.createReport(REPORT_READY_MS * (1 + knobs().slowdown));
    return {
      status: 202,
      body: { id: report.id, status: 'pending', poll: `/api/reports/${report.id}` },
      headers: { location: `${ctx.origin}/api/reports/${report.id}` },
    };
  });
  route('GET', /^\/api\/reports\/([^/]+)$/, (_ctx, [id]) => {
    const report = store.getReport(id);
    if (!report) return json(404, { error: `no report with id ${JSON.stringify(id)}` });
    const total = report.readyAt - report.createdAt;
    const progress = total <= 0 ? 1 : Math.min(1, (Date.now() - report.createdAt) / total);
    return json(200, { id, status: progress >= 1 ? 'ready' : 'pending', progress: Math.round(progress * 100) / 100 });
  });

  return async (ctx: RequestContext): Promise<Reply> => {
    const method = ctx.req.method ?? 'GET';
    let pathMatched = false;
    for (const r of routes) {
      const m = r.pattern.exec(ctx.url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      return r.handler(
        ctx,
        m.slice(1).map((part) => decodeURIComponent(part ?? '')),
      );
    }
    return pathMatched
      ? json(405, { error: `method ${method} is not allowed on ${ctx.url.pathname}` })
      : json(404, { error: `no route for ${method} ${ctx.url.pathname}` });
  };
}

/** Starts the demo target; resolves once it listens. */
export async function startDemoTarget(options: DemoTargetOptions = {}): Promise<DemoTarget> {
  const { port = 0, host = '127.0.0.1', seed = 1, endpointFault, ...knobChanges } = options;
  const fault = endpointFault ? checkEndpointFault(endpointFault) : undefined;
  let knobs = mergeKnobs(DEFAULT_DEMO_KNOBS, knobChanges);
  const random = createRandom(seed);
  const store = new DemoStore();
  // Timers of delayed answers, so close() can finish them instead of leaving promises hanging.
  const pending = new Map<NodeJS.Timeout, () => void>();
  const route = createRouter(store, random, () => knobs);

  /** The latency one request waits before it is answered. */
  function nextDelayMs(): number {
    const base = (knobs.latencyMs + random.next() * knobs.jitterMs) * (1 + knobs.slowdown);
    if (knobs.spikeRequests <= 0) return base;
    knobs = { ...knobs, spikeRequests: knobs.spikeRequests - 1 };
    return base * (1 + knobs.spikeSlowdown);
  }
  function wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        resolve();
      }, ms);
      pending.set(timer, resolve);
    });
  }

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: (error as Error).message } });
      else res.destroy();
    });
  });

  function send(res: http.ServerResponse, reply: Reply): void {
    const isText = typeof reply.body === 'string';
    const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...(payload ? { 'content-type': reply.contentType ?? 'application/json' } : {}),
      'content-length': Buffer.byteLength(payload),
      ...reply.headers,
    });
    res.end(payload);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const hostHeader = req.headers.host ?? `${host}:${actualPort}`;
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    if (url.pathname === '/health') {
      send(res, json(200, { status: 'ok' }));
      return;
    }
    if (url.pathname === '/__knobs') {
      if (req.method === 'GET') return send(res, json(200, knobs));
      if (req.method !== 'POST') return send(res, json(405, { error: 'use GET or POST on /__knobs' }));
      try {
        knobs = mergeKnobs(knobs, objectBody(JSON.parse((await readBody(req)) || '{}')));
      } catch (error) {
        return send(res, json(400, { error: (error as Error).message }));
      }
      return send(res, json(200, knobs));
    }
    // Draw the error before waiting so that the sequence does not depend on timer order.
    const injectError = knobs.errorRate > 0 && random.next() < knobs.errorRate;
    const faulty = fault !== undefined && url.pathname.startsWith(fault.path);
    const faultError = faulty && fault.errorRate > 0 && random.next() < fault.errorRate;
    await wait(nextDelayMs() * (faulty ? 1 + fault.slowdown : 1));
    if (faultError) {
      req.resume();
      return send(res, json(fault.status ?? 503, { error: `injected failure of ${fault.path} (demo slow-endpoint knob)` }));
    }
    if (injectError) {
      // Drain the request so the connection stays usable for keep-alive.
      req.resume();
      return send(res, json(500, { error: 'injected failure (demo errorRate knob)' }));
    }
    let bodyCache: Promise<unknown> | undefined;
    const ctx: RequestContext = {
      req,
      url,
      origin: `http://${hostHeader}`,
      body() {
        bodyCache ??= readBody(req).then((text) => {
          try {
            return text === '' ? undefined : JSON.parse(text);
          } catch {
            throw new HttpError(400, `request body is not JSON: ${JSON.stringify(text.slice(0, 40))}`);
          }
        });
        return bodyCache;
      },
      bearer() {
        const header = req.headers.authorization ?? '';
        const m = /^Bearer\s+(\S+)$/i.exec(header);
        return m ? m[1] : undefined;
      },
    };
    let reply: Reply;
    try {
      reply = await route(ctx);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      reply = json(error.status, { error: error.message });
    }
    req.resume();
    send(res, reply);
  }

  const ws = attachWebSocket(server, {
    path: '/ws',
    delayMs: nextDelayMs,
    wait,
    injectError: () => knobs.errorRate > 0 && random.next() < knobs.errorRate,
  });

  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ExpectedError(`port ${port} is not a TCP port; expected a whole number from 0 to 65535 (0 picks a free one)`);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new ExpectedError(
              `port ${port} on ${host} ${error.code === 'EADDRINUSE' ? 'is in use' : 'may not be opened by this user'} (${error.code}); expected a free port: pass --port with another number (0 picks one)`,
              { cause: error },
            )
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
            ? new ExpectedError(
                `host ${host} is not an address of this machine (${error.code}); expected one of its own addresses, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`,
                { cause: error },
              )
            : error,
      ),
    );
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const target: DemoTarget = {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    get knobs() {
      return { ...knobs };
    },
    setKnobs(change) {
      knobs = mergeKnobs(knobs, change);
    },
    async close() {
      for (const [timer, resolve] of pending) {
        clearTimeout(timer);
        resolve();
      }
      pending.clear();
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return target;
}
