// The one way k6-gate's API clients talk HTTP: every attempt has a deadline, retries (network
// failures, 429, 5xx, a 403 that carries a rate-limit hint) stay inside one total budget, and a
// server's `Retry-After` is honoured when it fits in that budget. A server that accepts the connection
// and never answers costs at most the budget, never the job.
import { formatDuration } from './format.js';

/** Per attempt: GitHub and GitLab answer API calls in well under a second when they are well. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;
/** All attempts of all requests made through one client: reporting must not hold a finished run. */
export const DEFAULT_TOTAL_BUDGET_MS = 60_000;

export interface PatientFetchOptions {
  fetch?: typeof fetch;
  /** Longest wait for one answer (headers and body). */
  attemptTimeoutMs?: number;
  /** Longest time all attempts of all requests of this client may take together. */
  totalBudgetMs?: number;
  /** Retries of one request after its first attempt. */
  maxRetries?: number;
  /** First back-off step after a failure without a hint; doubles each retry. */
  baseDelayMs?: number;
  /** Longest wait a `Retry-After` may impose; a longer one ends the retries. */
  maxRetryAfterMs?: number;
  /** Injected by tests that do not want to wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told about each retry, for the job log (the URL without its query). */
  onRetry?: (message: string) => void;
}

/** No answer within the attempt's deadline or the client's budget. */
export class HttpDeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** `Retry-After` as seconds or as an HTTP date → milliseconds to wait; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  const trimmed = header?.trim();
  if (!trimmed) return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long a rate-limited answer asks us to wait: `Retry-After`, else GitHub's `x-ratelimit-reset`
 * (epoch seconds) when no requests remain. Undefined for an answer that is not a rate limit.
 */
export function rateLimitWaitMs(status: number, headers: Headers, now = Date.now()): number | undefined {
  const hinted = retryAfterMs(headers.get('retry-after'), now);
  // GitHub answers a secondary rate limit with 403 and a hint; a 403 without one is a permission.
  if (status !== 429 && !(status === 403 && (hinted !== undefined || headers.get('x-ratelimit-remaining') === '0'))) return undefined;
  if (hinted !== undefined) return hinted;
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return undefined;
}

/** Retrying these after a lost answer cannot do a thing twice. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function describeFailure(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  return code ? `${e.cause?.message ?? e.message} (${code})` : (e.message ?? String(error));
}

/** The request's URL without query or credentials, for messages. */
function shownUrl(input: Parameters<typeof fetch>[0]): string {
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return raw;
  }
}

/**
 * A `fetch` with a deadline per attempt, bounded retries and one total budget for everything sent
 * through it. The answer's body is read inside the deadline, so a server that sends headers and
 * then stalls is caught too. After the last attempt the last answer is returned (the caller turns a
 * non-2xx into its own error) or the last failure thrown.
 */
export function createPatientFetch(options: PatientFetchOptions = {}): typeof fetch {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const attemptTimeout = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const budget = options.totalBudgetMs ?? DEFAULT_TOTAL_BUDGET_MS;
  const maxRetries = options.maxRetries ?? 3;
  const baseDelay = options.baseDelayMs ?? 1000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  const remaining = () => budget - (now() - started);

  const attempt = async (input: Parameters<typeof fetch>[0], init: RequestInit | undefined, limit: number): Promise<Response> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new HttpDeadlineError(`no answer within ${formatDuration(limit)}`)), limit);
    const outer = init?.signal;
    const forward = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', forward, { once: true });
    try {
      const response = await fetchImpl(input, { ...init, signal: controller.signal });
      // Buffered here, under the same deadline: a body that never ends is a stalled answer.
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 || response.status === 304 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof HttpDeadlineError) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    }
  };

  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const what = `${method} ${shownUrl(input)}`;
    for (let retry = 0; ; retry++) {
      const left = remaining();
      if (left <= 0) throw new HttpDeadlineError(`${what}: no answer within the ${formatDuration(budget)} budget for API calls`);
      let wait: number;
      let reason: string;
      try {
        const response = await attempt(input, init, Math.min(attemptTimeout, left));
        const limited = rateLimitWaitMs(response.status, response.headers, now());
        if (response.status < 500 && response.status !== 429 && limited === undefined) return response;
        if (retry >= maxRetries) return response;
        // A POST that got a 5xx may have been done; GitHub and GitLab retry those themselves only on 502-504.
        if (!IDEMPOTENT.has(method) && response.status >= 500 && ![502, 503, 504].includes(response.status)) return response;
        if (limited !== undefined && limited > maxRetryAfter) return response;
        wait = limited ?? baseDelay * 2 ** retry;
        reason = `answered HTTP ${response.status}`;
        if (wait >= remaining()) return response;
      } catch (error) {
        if (init?.signal?.aborted) throw error;
        const deadline = error instanceof HttpDeadlineError;
        // A POST whose answer was lost may have been done: sending it again could post twice.
        if (retry >= maxRetries || (deadline && !IDEMPOTENT.has(method))) {
          throw deadline ? new HttpDeadlineError(`${what}: ${error.message}`) : error;
        }
        wait = baseDelay * 2 ** retry;
        reason = deadline ? error.message : `failed: ${describeFailure(error)}`;
        if (wait >= remaining()) throw deadline ? new HttpDeadlineError(`${what}: ${error.message}`) : error;
      }
      options.onRetry?.(`${what} ${reason}; retrying in ${formatDuration(wait)} (${retry + 1}/${maxRetries})`);
      await sleep(wait);
    }
  };
}
