// The sticky pull-request comment: one per job (and matrix entry), found again by a hidden marker and
// edited in place, so a PR that is pushed to ten times carries one up-to-date report, not ten.
import type { CommentMode } from '../../config.js';
import type { Outcome } from '../../model.js';
import { describeFetchError } from '../../url.js';
import type { GitHubClient } from './octokit.js';
import { formatCount } from '../../format.js';

/** GitHub refuses comment bodies longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** What we aim for: a margin under the limit leaves room for GitHub's own counting of odd characters. */
export const COMMENT_BODY_BUDGET = 65_000;

/** The hidden line that identifies our comment. HTML comments cannot contain `--` or end early at `>`. */
export function commentMarker(commentId: string): string {
  const safe = commentId
    .replace(/-{2,}/g, '-')
    .replace(/>/g, '')
    .replace(/[\r\n]+/g, ' ')
    .trim();
  return `<!-- k6-gate:${safe} -->`;
}

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

export interface FoundComment {
  id: number;
  url: string;
}

interface CommentAuthor {
  login?: string;
  type?: string;
}

/**
 * Who the token writes as: the login of a personal or app user token, or undefined for the job's
 * GITHUB_TOKEN, which may not read /user (its comments are by the bot `github-actions[bot]`).
 */
async function tokenLogin(octokit: GitHubClient): Promise<string | undefined> {
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login;
  } catch {
    return undefined;
  }
}

/**
 * Walks every page of the issue's comments (100 a page) until a comment with the marker, written
 * by the token's own identity, turns up. A person's comment that quotes the marker is not ours:
 * GitHub would refuse to let the token edit it, and the report would never be posted.
 */
export async function findStickyComment(octokit: GitHubClient, target: CommentTarget, marker: string): Promise<FoundComment | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  let login: Promise<string | undefined> | undefined;
  const isOurs = async (author: CommentAuthor | null | undefined) => {
    login ??= tokenLogin(octokit);
    const own = await login;
    return own !== undefined ? author?.login === own : author?.type === 'Bot';
  };
  for await (const page of pages) {
    for (const comment of page.data) {
      if (comment.body?.includes(marker) && (await isOurs(comment.user))) return { id: comment.id, url: comment.html_url };
    }
  }
  return undefined;
}

export type CommentOutcome = { action: 'created' | 'updated'; id: number; url: string } | { action: 'skipped'; reason: string };

/** Updates the marked comment in place, or creates it when `createIfMissing`. */
export async function upsertStickyComment(
  octokit: GitHubClient,
  target: CommentTarget,
  marker: string,
  body: string,
  createIfMissing = true,
): Promise<CommentOutcome> {
  const fullBody = body.includes(marker) ? body : `${marker}\n${body}`;
  const existing = await findStickyComment(octokit, target, marker);
  if (!existing && !createIfMissing)
    return { action: 'skipped', reason: 'the run passed and no earlier comment exists (comment: on-regression)' };
  const repo = { owner: target.owner, repo: target.repo };
  const { data } = existing
    ? await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body: fullBody })
    : await octokit.rest.issues.createComment({ ...repo, issue_number: target.issueNumber, body: fullBody });
  return { action: existing ? 'updated' : 'created', id: data.id, url: data.html_url };
}

/** Why a failed comment call is not the job's problem, in words for a warning. */
export function explainCommentFailure(error: unknown, fromFork: boolean): string {
  const reached = (error as { response?: unknown }).response !== undefined;
  const message = (error as Error).message ?? String(error);
  // Octokit reports a request that never got an answer (refused, DNS, TLS) as status 500.
  if (!reached) {
    return `could not post the PR comment: GitHub's API could not be reached (${describeFetchError((error as { cause?: unknown }).cause ?? error)}). The job summary and the artifacts still carry the report.`;
  }
  const status = (error as { status?: number }).status;
  if (status === 403 || status === 404) {
    const why = fromFork
      ? 'pull requests from forks get a read-only GITHUB_TOKEN'
      : 'the token needs `pull-requests: write` (or `issues: write`) permission';
    return `could not post the PR comment (HTTP ${status}: ${message}): ${why}. The job summary and the artifacts still carry the report.`;
  }
  return `could not post the PR comment (${status ? `HTTP ${status}: ` : ''}${message}). The job summary and the artifacts still carry the report.`;
}
