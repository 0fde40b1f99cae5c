// What the action needs to know about the workflow run it is part of, read once from the runner's
// environment and the event payload. @actions/github's `context` singleton reads the environment at
// import time, which makes it awkward to test; this reader takes the environment as an argument.
import { readFileSync } from 'node:fs';
import { ExpectedError } from '../../errors.js';

export interface PullRequestFacts {
  number: number;
  /** The head repository differs from the base: GITHUB_TOKEN is read-only there. */
  fromFork: boolean;
  headSha?: string;
  /** The pull request's branch (in the head repository). */
  headRef?: string;
}

export interface GitHubRunContext {
  eventName: string;
  owner?: string;
  repo?: string;
  serverUrl: string;
  apiUrl: string;
  runId?: string;
  runAttempt?: string;
  workflow?: string;
  job?: string;
  sha?: string;
  ref?: string;
  refName?: string;
  defaultBranch?: string;
  pullRequest?: PullRequestFacts;
  workspace: string;
}

type Env = Record<string, string | undefined>;

interface EventPayload {
  pull_request?: {
    number?: number;
    head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
  repository?: { default_branch?: string; full_name?: string };
}

function readEventPayload(eventPath: string | undefined): EventPayload {
  if (!eventPath) return {};
  try {
    const data: unknown = JSON.parse(readFileSync(eventPath, 'utf8'));
    return typeof data === 'object' && data !== null ? (data as EventPayload) : {};
  } catch (error) {
    throw new ExpectedError(`cannot read the event payload GITHUB_EVENT_PATH=${eventPath}: ${(error as Error).message}`, { cause: error });
  }
}

export function readRunContext(env: Env = process.env): GitHubRunContext {
  const payload = readEventPayload(env.GITHUB_EVENT_PATH);
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? payload.repository?.full_name ?? '').split('/');
  const pr = payload.pull_request;
  let pullRequest: PullRequestFacts | undefined;
  if (pr && typeof pr.number === 'number') {
    const head = pr.head?.repo?.full_name;
    const base = pr.base?.repo?.full_name;
    pullRequest = {
      number: pr.number,
      // A deleted fork leaves a null head repo; it is still a fork.
      fromFork: pr.head?.repo === null || (head !== undefined && base !== undefined && head !== base),
      headSha: pr.head?.sha,
      headRef: pr.head?.ref,
    };
  }
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    owner: owner || undefined,
    repo: repo || undefined,
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    runId: env.GITHUB_RUN_ID || undefined,
    runAttempt: env.GITHUB_RUN_ATTEMPT || undefined,
    workflow: env.GITHUB_WORKFLOW || undefined,
    job: env.GITHUB_JOB || undefined,
    sha: pullRequest?.headSha ?? (env.GITHUB_SHA || undefined),
    ref: env.GITHUB_REF || undefined,
    refName: env.GITHUB_REF_NAME || undefined,
    defaultBranch: payload.repository?.default_branch,
    pullRequest,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
  };
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** A run for a pull request (possibly from a fork): the load policy keeps heavy profiles off it. */
export function isPullRequestEvent(eventName: string): boolean {
  return PULL_REQUEST_EVENTS.has(eventName);
}

/** True on a push (or dispatch) to the repository's default branch, where baselines may be updated. */
export function isDefaultBranchRun(ctx: GitHubRunContext): boolean | undefined {
  if (ctx.pullRequest) return false;
  if (!ctx.defaultBranch || !ctx.refName) return undefined;
  return ctx.ref === `refs/heads/${ctx.defaultBranch}` || (ctx.ref === undefined && ctx.refName === ctx.defaultBranch);
}

export function runUrl(ctx: GitHubRunContext): string | undefined {
  if (!ctx.owner || !ctx.repo || !ctx.runId) return undefined;
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}`;
}

export function artifactUrl(ctx: GitHubRunContext, artifactId: number): string | undefined {
  const run = runUrl(ctx);
  return run ? `${run}/artifacts/${artifactId}` : undefined;
}
