// The Octokit the action talks to GitHub with: @actions/github's client (GITHUB_API_URL aware, proxy
// aware) over the one patient fetch of src/http.ts, so every call has a deadline, 429/5xx and
// secondary rate limits are retried as `retry-after` asks, and all of it fits in one time budget.
import { getOctokit } from '@actions/github';
import { defaults } from '@actions/github/lib/utils';
import { createPatientFetch, type PatientFetchOptions } from '../../http.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** The client's token and API root; the deadline and retry knobs are the patient fetch's (http.ts). */
export interface GitHubClientOptions extends PatientFetchOptions {
  token: string;
  /** REST API root; defaults to GITHUB_API_URL (GHES) or api.github.com. */
  baseUrl?: string;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const fetch = createPatientFetch({
    ...options,
    // @actions/github's own fetch knows the runner's proxy settings.
    fetch: options.fetch ?? (defaults.request?.fetch as typeof globalThis.fetch | undefined),
  });
  return getOctokit(options.token, {
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    request: { fetch },
  });
}
