// The sticky pull-request comment: one per job (and matrix entry), found again by a hidden marker and
// edited in place, so a PR that is pushed to ten times carries one up-to-date report, not ten.
import type { CommentMode } from '../../config.js';
import type { Outcome } from '../../model.js';
import { HttpDeadlineError } from '../../http.js';
import { describeFetchError } from '../../url.js';
import type { GitHubClient } from './octokit.js';
import {
  findSticky,
  ownAuthorRule,
  stickyMarker,
  upsertSticky,
  type StickyComment,
  type StickyOutcome,
  type StickyThread,
} from '../sticky.js';
import { formatCount } from '../../format.js';

/** GitHub refuses comment bodies longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** What we aim for: a margin under the limit leaves room for GitHub's own counting of odd characters. */
export const COMMENT_BODY_BUDGET = 65_000;

/** The hidden line that identifies our comment (the one marker format of every platform). */
export const commentMarker = stickyMarker;

export type CommentPlan =
  | { action: 'upsert' }
  /** Edit an earlier comment if there is one (so it stops showing a stale regression), create none. */
  | { action: 'update-only' }
  | { action: 'skip'; reason: string };

/** Decides from the mode, the event and the outcome whether the PR hears about this run. */
export function planComment(mode: CommentMode, outcome: Outcome, pullRequestNumber: number | undefined, eventName: string): CommentPlan {
  if (mode === 'never') return { action: 'skip', reason: 'comment is "never"' };
  if (pullRequestNumber === undefined) {
    return {
      action: 'skip',
      reason: `a ${eventName || 'non-pull-request'} run has no pull request to comment on; the job summary carries the report`,
    };
  }
  if (mode === 'on-regression' && outcome === 'passed') return { action: 'update-only' };
  return { action: 'upsert' };
}

export interface FittedBody {
  body: string;
  truncated: boolean;
}

/**
 * Cuts `body` to `budget` characters at a line break, closes a code fence left open by the cut and
 * appends a notice pointing at the full report. Bodies that fit are returned unchanged.
 */
export function fitCommentBody(body: string, options: { budget?: number; fullReportUrl?: string } = {}): FittedBody {
  const budget = Math.min(options.budget ?? COMMENT_BODY_BUDGET, GITHUB_COMMENT_LIMIT);
  if (body.length <= budget) return { body, truncated: false };
  const where = options.fullReportUrl ? `[the run's artifacts](${options.fullReportUrl})` : "the run's artifacts";
  const notice = `\n\n> [!WARNING]\n> This report was cut to fit GitHub's ${formatCount(GITHUB_COMMENT_LIMIT)}-character comment limit. The full report (report.md) is in ${where}.\n`;
  const fenceCloser = '\n```';
  let cut = body.slice(0, Math.max(0, budget - notice.length - fenceCloser.length));
  const lastBreak = cut.lastIndexOf('\n');
  if (lastBreak > 0) cut = cut.slice(0, lastBreak);
  const fences = cut.match(/^```/gm)?.length ?? 0;
  if (fences % 2 === 1) cut += fenceCloser;
  return { body: cut + notice, truncated: true };
}

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export type CommentOutcome = StickyOutcome;

/** Whose comments a job token writes when it cannot say who it is (GET /user refuses it). */
export const GITHUB_JOB_TOKEN_LOGIN = 'github-actions[bot]';

/** The pull request's comment thread as the sticky-comment algorithm sees it. */
export function githubThread(octokit: GitHubClient, target: CommentTarget): StickyThread {
  const repo = { owner: target.owner, repo: target.repo };
  const toSticky = (c: {
    id: number;
    body?: string;
    html_url: string;
    user?: { login?: string; type?: string } | null;
  }): StickyComment => ({
    id: c.id,
    body: c.body ?? '',
    url: c.html_url,
    author: c.user ? { login: c.user.login, type: c.user.type } : undefined,
  });
  return {
    async *pages() {
      const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
        ...repo,
        issue_number: target.issueNumber,
        per_page: 100,
      });
      for await (const page of pages) yield page.data.map(toSticky);
    },
    // A personal or app user token says who it is; the job's GITHUB_TOKEN may not read /user.
    isOwn: ownAuthorRule(async () => (await octokit.rest.users.getAuthenticated()).data.login, [GITHUB_JOB_TOKEN_LOGIN]),
    async create(body) {
      const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: target.issueNumber, body });
      return { id: data.id, url: data.html_url };
    },
    async update(id, body) {
      const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: id, body });
      return { id: data.id, url: data.html_url };
    },
  };
}

/** The marked comment the token wrote, on any page of the thread. */
export async function findStickyComment(octokit: GitHubClient, target: CommentTarget, marker: string): Promise<StickyComment | undefined> {
  return findSticky(githubThread(octokit, target), marker);
}

/** Updates the marked comment in place, or creates it when `createIfMissing`. */
export function upsertStickyComment(
  octokit: GitHubClient,
  target: CommentTarget,
  marker: string,
  body: string,
  createIfMissing = true,
): Promise<CommentOutcome> {
  return upsertSticky(githubThread(octokit, target), marker, body, {
    createIfMissing,
    skipReason: 'the run passed and no earlier comment exists (comment: on-regression)',
  });
}

/**
 * Why a failed comment call is not the job's problem, in words for a warning. `artifactUploaded`
 * says whether the artifact carries the report too (it does not when its upload failed).
 */
export function explainCommentFailure(error: unknown, fromFork: boolean, artifactUploaded = false): string {
  const reached = (error as { response?: unknown }).response !== undefined;
  const message = (error as Error).message ?? String(error);
  const still = artifactUploaded ? 'The job summary and the artifact still carry the report.' : 'The job summary still carries the report.';
  // Octokit reports a request that never got an answer (refused, DNS, TLS, our deadline) as status 500.
  if (!reached) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const why = cause instanceof HttpDeadlineError ? cause.message : describeFetchError(cause);
    return `could not post the PR comment: GitHub's API could not be reached (${why}). ${still}`;
  }
  const status = (error as { status?: number }).status;
  if (status === 403 || status === 404) {
    const why = fromFork
      ? 'pull requests from forks get a read-only GITHUB_TOKEN'
      : 'the token needs `pull-requests: write` (or `issues: write`) permission';
    return `could not post the PR comment (HTTP ${status}: ${message}): ${why}. ${still}`;
  }
  return `could not post the PR comment (${status ? `HTTP ${status}: ` : ''}${message}). ${still}`;
}
