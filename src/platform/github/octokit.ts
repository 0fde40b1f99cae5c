// The Octokit the action talks to GitHub with: @actions/github's client (GITHUB_API_URL aware, proxy
// aware) over the one patient fetch of src/http.ts, so every call has a deadline, 429/5xx and
// secondary rate limits are retried as `retry-after` asks, and all of it fits in one time budget.
import { getOctokit } from '@actions/github';
import { defaults } from '@actions/github/lib/utils';
import { createPatientFetch } from '../../http.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** REST API root; defaults to GITHUB_API_URL (GHES) or api.github.com. */
  baseUrl?: string;
  /** How many times a request is tried again (rate limit, 5xx, no answer). */
  rateLimitRetries?: number;
  /** Longer waits than this are not worth blocking a CI job for: the request fails instead. */
  maxRetryAfterSeconds?: number;
  /** First back-off step without a hint (1000 ms in production; tests shorten it). */
  serverErrorRetryBaseMs?: number;
  /** Longest wait for one answer. */
  attemptTimeoutMs?: number;
  /** Longest time all calls of this client may take together. */
  totalBudgetMs?: number;
  /** Injected so tests do not sleep for real. */
  sleep?: (ms: number) => Promise<void>;
  /** Told about each retry, for the job log. */
  onRetry?: (message: string) => void;
  /** The transport under the retries (tests may hand in a fetch of their own). */
  fetch?: typeof fetch;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const fetch = createPatientFetch({
    // @actions/github's own fetch knows the runner's proxy settings.
    fetch: options.fetch ?? (defaults.request?.fetch as typeof globalThis.fetch | undefined),
    maxRetries: options.rateLimitRetries ?? 3,
    maxRetryAfterMs: (options.maxRetryAfterSeconds ?? 60) * 1000,
    baseDelayMs: options.serverErrorRetryBaseMs ?? 1000,
    attemptTimeoutMs: options.attemptTimeoutMs,
    totalBudgetMs: options.totalBudgetMs,
    sleep: options.sleep,
    onRetry: options.onRetry,
  });
  return getOctokit(options.token, {
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    request: { fetch },
  });
}
