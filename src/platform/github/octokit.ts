// The Octokit the action talks to GitHub with: @actions/github's client (GITHUB_API_URL aware, proxy
// aware), @octokit/plugin-retry for server errors, and a rate-limit hook that waits as long as GitHub
// says in `retry-after` (plugin-retry backs off on its own schedule and ignores that header).
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** REST API root; defaults to GITHUB_API_URL (GHES) or api.github.com. */
  baseUrl?: string;
  /** How many times a rate-limited request (429, or 403 with retry-after) is tried again. */
  rateLimitRetries?: number;
  /** Longer waits than this are not worth blocking a CI job for: the request fails instead. */
  maxRetryAfterSeconds?: number;
  /** Unit of plugin-retry's backoff for 5xx (1000 ms in production; tests shorten it). */
  serverErrorRetryBaseMs?: number;
  /** Injected so tests do not sleep for real. */
  sleep?: (ms: number) => Promise<void>;
  /** Told about each wait, for the job log. */
  onRateLimit?: (waitMs: number, attempt: number, route: string) => void;
}

interface HttpishError {
  status?: number;
  response?: { headers?: Record<string, string | number | undefined> };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds to wait before retrying, or undefined when the error is not a rate limit. */
export function retryAfterSeconds(error: unknown, now = Date.now()): number | undefined {
  const { status, response } = (error ?? {}) as HttpishError;
  const headers = response?.headers ?? {};
  const retryAfter = headers['retry-after'];
  if (status === 429 || (status === 403 && retryAfter !== undefined)) {
    if (retryAfter !== undefined) {
      const seconds = Number(retryAfter);
      if (Number.isFinite(seconds)) return Math.max(0, seconds);
      const date = Date.parse(String(retryAfter));
      if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - now) / 1000));
    }
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - now / 1000));
    // GitHub's advice for a secondary rate limit without a hint: wait at least a minute.
    return status === 429 ? 60 : undefined;
  }
  return undefined;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const sleep = options.sleep ?? defaultSleep;
  const retries = options.rateLimitRetries ?? 3;
  const maxWait = options.maxRetryAfterSeconds ?? 120;
  const octokit = getOctokit(
    options.token,
    {
      ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
      retry: {
        // 429 is handled by the hook below, which honours retry-after.
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
        retryAfterBaseValue: options.serverErrorRetryBaseMs ?? 1000,
      },
    },
    retry,
  );
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const wait = retryAfterSeconds(error);
        if (wait === undefined || attempt > retries || wait > maxWait) throw error;
        const route = `${requestOptions.method} ${requestOptions.url}`;
        options.onRateLimit?.(wait * 1000, attempt, route);
        await sleep(wait * 1000);
      }
    }
  });
  return octokit;
}
