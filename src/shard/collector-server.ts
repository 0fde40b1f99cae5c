// The collector's HTTP side: the remote-write endpoint the runners push to, its checks (token,
// size, path) and its answers, and the end of the collection (every runner done, silence, the
// deadline, a stop). What is kept of each push, and per runner, is the fleet's (collector.ts).
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExpectedError } from '../errors.js';
import type { Logger } from '../log.js';
import { decodeRemoteWriteBody } from '../observability/remote-write.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  describeRunner,
  RUNNER_HEADER,
  RunnerFleet,
  type Collection,
  type CollectorOptions,
  type Refusals,
} from './collector.js';

/** A refusal's words for the log: never the token, never the body. */
function describeRefusals(r: Refusals): string | undefined {
  const parts: string[] = [];
  if (r.unauthorized) parts.push(`${r.unauthorized} without the right token (401)`);
  if (r.garbage) parts.push(`${r.garbage} that were not k6 pushes of this run (400)`);
  if (r.tooLarge) parts.push(`${r.tooLarge} too large (413)`);
  return parts.length ? `refused ${parts.join(', ')}${r.reasons.length ? `: ${r.reasons.join('; ')}` : ''}` : undefined;
}

export interface RunningCollector {
  /** `http://HOST:PORT/api/v1/write` as bound. */
  readonly url: string;
  readonly fleet: RunnerFleet;
  /** Resolves once every runner finished, every runner finished or stopped, or the deadline passed. */
  readonly done: Promise<Collection>;
  /** Ends the collection now (a stop signal); `done` resolves with what was collected. */
  close(): void;
}

/** Compares a presented Authorization header with the expected one in constant time. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const given = Buffer.from(header, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface PushContext {
  fleet: RunnerFleet;
  /** The Authorization header a push must present. */
  expected: Buffer;
  maxBody: number;
  log: Logger;
  deadlineAt: number;
  /** Ends the collection (once the fleet has settled). */
  finish: (ended: Collection['ended']) => void;
}

/** One request: refused (404, 405, 401, 413, 400) or a push taken into the fleet (204). */
function handlePush(req: http.IncomingMessage, res: http.ServerResponse, ctx: PushContext): void {
  const { fleet, expected, maxBody, log, finish } = ctx;
  const reply = (status: number) => {
    // The body of a refused push is not read: the connection closes after the answer.
    res.writeHead(status, status >= 400 ? { Connection: 'close' } : {}).end();
  };
  if (req.method !== 'POST' || req.url?.split('?')[0] !== '/api/v1/write') {
    reply(req.method === 'POST' ? 404 : 405);
    return;
  }
  if (!authorized(req.headers.authorization, expected)) {
    fleet.refuse('unauthorized', `a push from ${req.socket.remoteAddress ?? 'an unknown address'} without the right Bearer token`);
    if (fleet.refusals.unauthorized === 1)
      log.warning('k6-gate collect: refused a push without the right token (401); nothing of it is merged');
    reply(401);
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBody) {
    fleet.refuse('tooLarge', `a push of ${declared} bytes, over the ${maxBody / 2 ** 20} MiB limit`);
    reply(413);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBody) chunks.push(chunk);
    else req.destroy();
  });
  req.on('end', () => {
    const receivedAt = Date.now();
    const header = req.headers[RUNNER_HEADER];
    try {
      const decoded = decodeRemoteWriteBody(Buffer.concat(chunks));
      const runner = fleet.accept(decoded, receivedAt, size, typeof header === 'string' ? header.slice(0, 253) : undefined);
      if (runner.pushes === 1) log.info(`k6-gate collect: first push from ${describeRunner(runner)}`);
      if (runner.finishedAt === receivedAt)
        log.info(`k6-gate collect: ${describeRunner(runner)} finished (${runner.series.size} series, ${runner.pushes} pushes)`);
      reply(204);
      const ended = fleet.settled(receivedAt, ctx.deadlineAt);
      if (ended) finish(ended);
    } catch (error) {
      const reason = `a push that could not be taken: ${(error as Error).message}`;
      fleet.refuse('garbage', reason);
      log.warning(`k6-gate collect: ${reason} (answered 400)`);
      reply(400);
    }
  });
}

async function listen(server: http.Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ExpectedError(
          `the collector cannot listen on ${host}:${port} (${error.code ?? error.message}); expected a free port on an address of this machine`,
          { cause: error },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
}

/** Starts the receiver on `host:port` (port 0: any free port). */
export async function startCollector(options: CollectorOptions & { host: string; port: number }): Promise<RunningCollector> {
  const { log } = options;
  const startedAt = Date.now();
  const fleet = new RunnerFleet(options, startedAt);
  const expected = Buffer.from(`Bearer ${options.token}`, 'utf8');
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let finish: (ended: Collection['ended']) => void = () => undefined;
  const done = new Promise<Collection>((resolve) => {
    finish = (ended) => {
      clearInterval(timer);
      server.close();
      server.closeAllConnections();
      const collection = fleet.conclude(ended, Date.now());
      const refused = describeRefusals(collection.refusals);
      if (refused) log.warning(`k6-gate collect: ${refused}`);
      resolve(collection);
      finish = () => undefined;
    };
  });

  const server = http.createServer((req, res) =>
    handlePush(req, res, { fleet, expected, maxBody, log, deadlineAt: options.deadlineAt, finish: (ended) => finish(ended) }),
  );
  // Longer than any push interval (k6's default is 5 s) and Go's idle-connection reuse: a server
  // that closes an idle connection just as k6 reuses it makes k6 drop that push, maybe its last.
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 80_000;
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  // Silence and the deadline are noticed without a push.
  const timer = setInterval(() => {
    const ended = fleet.settled(Date.now(), options.deadlineAt);
    if (ended) finish(ended);
  }, 250);
  return {
    url: `http://${shownHost}:${address.port}/api/v1/write`,
    fleet,
    done,
    close: () => finish('closed'),
  };
}
