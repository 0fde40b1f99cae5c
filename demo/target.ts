// The demo target: a small service that implements the endpoints of every workload in scenarios/
// (catalog API, auth + CRUD, JSON-RPC agent, WebSocket, user-flow pages and polling), so that
// `k6-gate demo`, `k6-gate demo-target`, the tests and the benchmarks run end to end without a real
// system under test. Latency and errors are knobs, so a benchmark can make the target "regress" on
// purpose. It is a stand-in, not product code: it lives in demo/, outside src/, and only the demo
// commands (src/commands/demo.ts) may import it (eslint.config.js; docs/architecture.md, "Layers").
// This module is the server around a route (latency, injected errors, knobs, health, WebSocket);
// the knobs are target-knobs.ts, the routes target-routes.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRandom } from './target-random.js';
import { DemoStore } from './target-store.js';
import { attachWebSocket } from './target-ws.js';
import { createRouter, HttpError, json, objectBody, readBody, type Reply, type RequestContext } from './target-routes.js';
import { checkEndpointFault, DEFAULT_DEMO_KNOBS, mergeKnobs, type DemoKnobs, type EndpointFault } from './target-knobs.js';
import { ExpectedError } from '../src/errors.js';

export { checkEndpointFault, DEFAULT_DEMO_KNOBS, mergeKnobs, type DemoKnobs, type EndpointFault } from './target-knobs.js';

export interface DemoTarget {
  url: string;
  port: number;
  knobs: DemoKnobs;
  setKnobs(k: Partial<DemoKnobs>): void;
  close(): Promise<void>;
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
