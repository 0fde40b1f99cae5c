// The demo target's routes: the endpoints of every workload in scenarios/ (catalog API, auth + CRUD,
// JSON-RPC agent, user-flow pages, feed APIs and a report to poll). What the server does around a
// route (latency, injected errors, knobs, health, WebSocket) is target.ts.
import type http from 'node:http';
import type { DemoKnobs } from './target-knobs.js';
import type { RandomSource } from './target-random.js';
import type { DemoStore } from './target-store.js';
import { handleJsonRpc, agentCard } from './target-rpc.js';

/** How long a queued report takes to become ready, before slowdown. */
const REPORT_READY_MS = 300;
const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestContext {
  req: http.IncomingMessage;
  url: URL;
  /** The URL the client used to reach us, for links in responses (agent card, report polling). */
  origin: string;
  body(): Promise<unknown>;
  bearer(): string | undefined;
}

export interface Reply {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export function json(status: number, body?: unknown): Reply {
  return { status, body };
}

export function readBody(req: http.IncomingMessage): Promise<string> {
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

export function objectBody(body: unknown): Record<string, unknown> {
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

export function createRouter(store: DemoStore, random: RandomSource, knobs: () => DemoKnobs) {
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
