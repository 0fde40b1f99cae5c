// Waits until the target answers its health URL before k6 starts, so an unreachable target is
// reported as such instead of as thousands of failed requests.
import http from 'node:http';
import https from 'node:https';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { describeFetchError, splitCredentials, withoutCredentials } from '../url.js';
import { ExpectedError } from '../errors.js';

export class PreflightError extends ExpectedError {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

export interface PreflightOptions {
  timeoutMs: number;
  /** First wait between attempts; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Time limit of one request. */
  attemptTimeoutMs?: number;
  log: Logger;
  /** Stops the waiting (the run failed elsewhere first); the promise then rejects with PreflightError. */
  signal?: AbortSignal;
  /** Called once the first request is written (or has failed): from then on the check only waits. */
  sent?: () => void;
}

/**
 * One GET; resolves with the status (redirects are not followed: a 3xx is an answer). node:http
 * rather than fetch: the first fetch of a process loads undici, which costs more than the check
 * itself on a fast target. Errors are shaped like fetch's (`cause.code`) for describeFetchError.
 */
function probe(url: string, headers: Record<string, string>, signal: AbortSignal, sent?: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = new URL(url).protocol === 'https:' ? https : http;
    const request = client.get(url, { headers, signal }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    if (sent) request.once('finish', sent);
    request.on('error', (error: NodeJS.ErrnoException) => {
      sent?.();
      reject(error.name === 'AbortError' ? error : Object.assign(new Error(error.message), { cause: error }));
    });
  });
}

/** Resolves once `url` answers with a status below 500; throws PreflightError after the timeout. */
export async function waitForHealthy(url: string, options: PreflightOptions): Promise<{ attempts: number; ms: number; status: number }> {
  const started = Date.now();
  let delay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  const attemptTimeout = options.attemptTimeoutMs ?? 5000;
  let attempts = 0;
  let lastProblem = 'no attempt made';
  // Credentials in the URL go as a header, and are never printed.
  const plain = splitCredentials(url);
  url = withoutCredentials(url);
  for (;;) {
    if (options.signal?.aborted) throw new PreflightError(`target health check ${url} stopped: the run ended first`);
    attempts++;
    try {
      const remaining = options.timeoutMs - (Date.now() - started);
      const status = await probe(
        plain.url,
        plain.authorization ? { authorization: plain.authorization } : {},
        AbortSignal.any([
          AbortSignal.timeout(Math.max(250, Math.min(attemptTimeout, remaining))),
          ...(options.signal ? [options.signal] : []),
        ]),
        attempts === 1 ? options.sent : undefined,
      );
      if (status < 500) {
        const ms = Date.now() - started;
        options.log.info(`preflight: ${url} answered ${status} after ${attempts} attempt(s), ${ms} ms`);
        return { attempts, ms, status };
      }
      lastProblem = `HTTP ${status}`;
    } catch (error) {
      lastProblem = describeFetchError(error);
    }
    // Tried until the deadline itself: the last wait is cut short so one more attempt lands on it.
    const left = started + options.timeoutMs - Date.now();
    if (left <= 0) {
      throw new PreflightError(
        `target health check ${url} did not succeed within ${Math.round(options.timeoutMs / 1000)} s (${attempts} attempts); last problem: ${lastProblem}. Check the target URL and that the service is up, or raise preflight-timeout.`,
      );
    }
    const wait = Math.min(delay, left);
    options.log.info(`preflight: ${url} not ready (${lastProblem}); retrying in ${wait} ms`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      options.signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', done);
        resolve();
      }
    });
    delay = Math.min(delay * 2, maxDelay);
  }
}

/** The longest `sent` waits for the first request to be written. */
const SEND_WAIT_MS = 100;

/** A target health check under way. */
export interface PendingPreflight {
  /**
   * Resolves once the first request is on the wire (or after 100 ms while the connection is still
   * opening). Node writes it from the main thread, so work that keeps the thread busy (loading
   * modules) should wait for this, or the request waits for the work.
   */
  sent: Promise<void>;
  /** Resolves to the reason the target is not healthy, or to undefined once it answered. */
  done: Promise<Error | undefined>;
  /** Stops waiting (the run ended before it needed the answer) and lets the check settle. */
  abandon(): Promise<void>;
}

/**
 * Starts a run's target health check, or returns undefined when the run has none (no target,
 * `preflight: false`, a merge, which measures nothing). It starts as soon as the configuration is
 * known, so the target's answer is awaited while the rest of the start-up goes on. The run's
 * secrets are masked in the log first: the check may log.
 */
export function startPreflight(
  config: Pick<Config, 'healthUrl' | 'merge' | 'preflightTimeoutMs' | 'secrets'>,
  log: Logger,
): PendingPreflight | undefined {
  if (!config.healthUrl || config.merge) return undefined;
  for (const secret of config.secrets) log.addSecret(secret);
  const stop = new AbortController();
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const done = waitForHealthy(config.healthUrl, { timeoutMs: config.preflightTimeoutMs, log, signal: stop.signal, sent: markSent }).then(
    () => undefined,
    (error: Error) => error,
  );
  // A check that ends before its first request (stopped at once) has nothing left to send either. A
  // connection that takes long to open (a host that drops packets) is not waited for: the work that
  // waits on `sent` would only report its own problems later, and the write then costs little.
  void done.finally(markSent);
  setTimeout(markSent, SEND_WAIT_MS).unref();
  return {
    sent,
    done,
    abandon: async () => {
      stop.abort();
      await done;
    },
  };
}
