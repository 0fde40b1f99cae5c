// Waits until the target answers its health URL before k6 starts, so an unreachable target is
// reported as such instead of as thousands of failed requests.
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../log.js';
import { splitCredentials, withoutCredentials } from '../url.js';

export class PreflightError extends Error {
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
}

/** Describes a failed fetch in the words a person needs (DNS, refused, TLS, timeout). */
export function describeFetchError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer before the request time limit';
  const cause = err?.cause;
  const code = cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS lookup failed (${code}): the host name does not resolve`;
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens on that port)';
  if (code === 'ECONNRESET') return 'connection reset by the server';
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) return `TLS error (${code}): ${cause?.message ?? ''}`.trim();
  if (cause?.message) return code ? `${cause.message} (${code})` : cause.message;
  return err?.message ?? String(error);
}

/**
 * One GET; resolves with the status (redirects are not followed: a 3xx is an answer). node:http
 * rather than fetch: the first fetch of a process loads undici, which costs more than the check
 * itself on a fast target. Errors are shaped like fetch's (`cause.code`) for describeFetchError.
 */
function probe(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = new URL(url).protocol === 'https:' ? https : http;
    const request = client.get(url, { headers, signal }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.name === 'AbortError' ? error : Object.assign(new Error(error.message), { cause: error })),
    );
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
    const elapsed = Date.now() - started;
    if (elapsed + delay > options.timeoutMs) {
      throw new PreflightError(
        `target health check ${url} did not succeed within ${Math.round(options.timeoutMs / 1000)} s (${attempts} attempts); last problem: ${lastProblem}. Check the target URL and that the service is up, or raise preflight-timeout.`,
      );
    }
    options.log.info(`preflight: ${url} not ready (${lastProblem}); retrying in ${delay} ms`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
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
