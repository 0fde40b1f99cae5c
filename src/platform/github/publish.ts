// Everything the action tells GitHub about a finished gate, in an order that keeps evidence first:
// artifacts (so a failing job still leaves them), then the PR comment and the job summary (which
// link to the artifact), annotations, outputs. Nothing here fails the job: reporting problems are
// warnings, and the verdict is decided by the caller from the GateResult alone.
import type { CommentMode } from '../../config.js';
import type { Logger } from '../../log.js';
import type { GateResult } from '../../model.js';
import { formatCount } from '../../format.js';
import { renderMarkdownReport, type HtmlReportLink } from '../../report/markdown.js';
import { renderBaselineCharts } from '../../report/mermaid.js';
import { ErrorAnnotations, annotationsFor, emitAnnotations } from './annotations.js';
import { uploadResultsArtifact, type ArtifactUploader, type UploadedArtifact } from './artifacts.js';
import {
  COMMENT_BODY_BUDGET,
  GITHUB_COMMENT_LIMIT,
  commentMarker,
  explainCommentFailure,
  fitCommentBody,
  planComment,
  upsertStickyComment,
  type CommentOutcome,
} from './comment.js';
import { artifactUrl, runUrl, type GitHubRunContext } from './context.js';
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './octokit.js';
import { gateOutputs, setGateOutputs, type OutputName } from './outputs.js';
import { htmlReportLink, renderJobSummary, reportLinks, writeJobSummary } from './summary.js';
import { renderRunFailureReport } from '../error-report.js';
import { proposeBaseline, type ProposalOutcome, type ProposalRequest } from '../baseline-proposal.js';
import { proposeBaselinePullRequest } from './baseline-pr.js';

export interface PublishOptions {
  ctx: GitHubRunContext;
  resultsDir: string;
  log: Logger;
  /** Scenario name → workspace-relative script path, for annotation links. */
  scripts?: Record<string, string>;
  /** The step's error annotations (the action's logger has them); publish makes its own otherwise. */
  annotations?: ErrorAnnotations;
  comment: {
    mode: CommentMode;
    id: string;
    token?: string;
    /** A ready client (tests); otherwise one is made from `token` and `clientOptions`. */
    client?: GitHubClient;
    clientOptions?: Partial<GitHubClientOptions>;
  };
  /** `update-baseline: pull-request`: the updated file to propose (when the run updated it). */
  baseline?: ProposalRequest;
  artifact: {
    enabled: boolean;
    name: string;
    retentionDays?: number;
    client?: ArtifactUploader;
    /** Longest wait for the upload (tests shorten it). */
    deadlineMs?: number;
  };
}

export interface Published {
  artifact?: UploadedArtifact & { url?: string };
  baselineProposal?: ProposalOutcome;
  comment?: CommentOutcome;
  summaryWritten: boolean;
  outputs: Record<OutputName, string>;
}

async function publishArtifact(options: PublishOptions): Promise<Published['artifact']> {
  const { log, ctx } = options;
  if (!options.artifact.enabled) {
    log.info('k6-gate: artifact upload is off (upload-artifacts: false)');
    return undefined;
  }
  if (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL) {
    log.info(
      'k6-gate: not inside a GitHub Actions job (no ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL): the results stay in ' +
        options.resultsDir,
    );
    return undefined;
  }
  try {
    const uploaded = await uploadResultsArtifact({
      dir: options.resultsDir,
      name: options.artifact.name,
      retentionDays: options.artifact.retentionDays,
      client: options.artifact.client,
      deadlineMs: options.artifact.deadlineMs,
    });
    if (!uploaded) {
      log.warning(`k6-gate: nothing to upload: ${options.resultsDir} is empty`);
      return undefined;
    }
    const url = artifactUrl(ctx, uploaded.id);
    log.info(`k6-gate: uploaded ${uploaded.files.length} file(s) as artifact ${uploaded.name} (id ${uploaded.id})${url ? `: ${url}` : ''}`);
    return { ...uploaded, url };
  } catch (error) {
    log.warning(
      `k6-gate: could not upload the results as artifact "${options.artifact.name}": ${(error as Error).message}. The job summary still carries the report.`,
    );
    return undefined;
  }
}

/** The comment body: marker first (it survives any truncation), then the report with its chart. */
export function renderCommentBody(
  result: GateResult,
  marker: string,
  links: { label: string; url: string }[],
  fullReportUrl?: string,
  fullReportLabel?: string,
  htmlReport?: HtmlReportLink,
): string {
  const chart = renderBaselineCharts(result);
  const report = renderMarkdownReport(result, {
    appendix: chart || undefined,
    links,
    limit: {
      max: COMMENT_BODY_BUDGET - marker.length - 1,
      description: `GitHub's ${formatCount(GITHUB_COMMENT_LIMIT)}-character comment limit`,
    },
    fullReportUrl,
    fullReportLabel,
    htmlReport,
  });
  // The renderer shortens itself; this is the guarantee GitHub's limit is never hit.
  return fitCommentBody(`${marker}\n${report}`, { fullReportUrl }).body;
}

/** The branch a proposal targets: the pull request's branch, or the pushed branch (never a tag). */
function proposalBase(ctx: GitHubRunContext): string | undefined {
  if (ctx.pullRequest) return ctx.pullRequest.headRef;
  return ctx.ref?.startsWith('refs/heads/') ? ctx.ref.slice('refs/heads/'.length) : undefined;
}

/** `update-baseline: pull-request`: the updated baseline as a branch and a pull request. Never throws. */
async function publishBaselineProposal(result: GateResult, options: PublishOptions): Promise<ProposalOutcome | undefined> {
  const { ctx, log } = options;
  if (!options.baseline || !result.baselineUpdated) return undefined;
  const base = proposalBase(ctx);
  const skip = (why: string) => {
    log.warning(`k6-gate: the updated baseline was not proposed: ${why}. The updated file is in the workspace only.`);
    return undefined;
  };
  if (!ctx.owner || !ctx.repo || !base) return skip('this run is not on a branch of a known repository (a tag, or no GITHUB_REPOSITORY)');
  if (ctx.pullRequest?.fromFork) return skip('pull requests from forks get a read-only GITHUB_TOKEN');
  const client = commentClient(options.comment, ctx, log);
  if (!client) return undefined;
  return proposeBaseline(
    options.baseline,
    result,
    base,
    { commit: ctx.sha, runUrl: runUrl(ctx) },
    {
      changeRequest: 'pull request',
      propose: ({ body, ...words }) => proposeBaselinePullRequest(client, { owner: ctx.owner!, repo: ctx.repo!, body, ...words }),
      refused: (error) => {
        const status = (error as { status?: number }).status;
        const hint = status === 403 || status === 404 ? ': the token needs `contents: write` and `pull-requests: write` permission' : '';
        return `GitHub refused it (${status ? `HTTP ${status}: ` : ''}${(error as Error).message})${hint}`;
      },
      skip,
      log,
    },
  );
}

/** The client that posts the comment, or undefined (with a warning) when there is no token. */
function commentClient(comment: PublishOptions['comment'], ctx: GitHubRunContext, log: Logger): GitHubClient | undefined {
  if (comment.client) return comment.client;
  if (!comment.token) {
    log.warning('k6-gate: no token to post the PR comment with; set the `token` input. The job summary carries the report.');
    return undefined;
  }
  return createGitHubClient({
    token: comment.token,
    baseUrl: ctx.apiUrl,
    onRetry: (message) => log.info(`k6-gate: GitHub API: ${message}`),
    ...comment.clientOptions,
  });
}

async function publishComment(
  result: GateResult,
  options: PublishOptions,
  artifact: Published['artifact'],
): Promise<CommentOutcome | undefined> {
  const { ctx, log } = options;
  const plan = planComment(options.comment.mode, result.outcome, ctx.pullRequest?.number, ctx.eventName);
  if (plan.action === 'skip') {
    log.info(`k6-gate: no PR comment: ${plan.reason}`);
    return { action: 'skipped', reason: plan.reason };
  }
  const where = {
    artifact: artifact && { name: artifact.name, url: artifact.url, files: artifact.files },
    runUrl: runUrl(ctx),
    resultsDir: options.resultsDir,
  };
  const links = reportLinks(where);
  // Without an artifact to link, the full report is the job summary on the run's page.
  const body = (marker: string) =>
    renderCommentBody(
      result,
      marker,
      links,
      artifact?.url ?? runUrl(ctx),
      artifact?.url ? undefined : "the workflow run's job summary",
      htmlReportLink(where),
    );
  return postStickyComment(options, body, { createIfMissing: plan.action === 'upsert', artifactLinked: artifact !== undefined });
}

/** The sticky comment on the run's pull request, created or updated; a refusal is a warning. Never throws. */
async function postStickyComment(
  options: Pick<PublishOptions, 'ctx' | 'log' | 'comment'>,
  body: (marker: string) => string,
  how: { createIfMissing: boolean; artifactLinked: boolean; what?: string },
): Promise<CommentOutcome | undefined> {
  const { ctx, log } = options;
  if (!ctx.owner || !ctx.repo || !ctx.pullRequest) return undefined;
  const client = commentClient(options.comment, ctx, log);
  if (!client) return undefined;
  const marker = commentMarker(options.comment.id);
  try {
    const outcome = await upsertStickyComment(
      client,
      { owner: ctx.owner, repo: ctx.repo, issueNumber: ctx.pullRequest.number },
      marker,
      body(marker),
      how.createIfMissing,
    );
    if (outcome.action === 'skipped') log.info(`k6-gate: no PR comment: ${outcome.reason}`);
    else log.info(`k6-gate: ${outcome.action} the PR comment ${outcome.url}${how.what ?? ''}`);
    return outcome;
  } catch (error) {
    log.warning(`k6-gate: ${explainCommentFailure(error, ctx.pullRequest.fromFork, how.artifactLinked)}`);
    return { action: 'skipped', reason: (error as Error).message };
  }
}

export async function publishToGitHub(result: GateResult, options: PublishOptions): Promise<Published> {
  const { ctx, log } = options;
  const artifact = await publishArtifact(options);
  const baselineProposal = await publishBaselineProposal(result, options);
  const comment = await publishComment(result, options, artifact);
  const commentUrl = comment && comment.action !== 'skipped' ? comment.url : undefined;

  let summaryWritten = false;
  try {
    const markdown = renderJobSummary(result, {
      artifact: artifact && { name: artifact.name, url: artifact.url, files: artifact.files },
      runUrl: runUrl(ctx),
      commentUrl,
      resultsDir: options.resultsDir,
    });
    summaryWritten = await writeJobSummary(markdown);
  } catch (error) {
    log.warning(`k6-gate: could not write the job summary: ${(error as Error).message}`);
  }

  // The action's logger holds the step's annotation budget (its last one is the failure); alone, publish closes its own.
  if (options.annotations) emitAnnotations(annotationsFor(result, options.scripts), options.annotations);
  else {
    const annotations = new ErrorAnnotations();
    emitAnnotations(annotationsFor(result, options.scripts), annotations);
    annotations.finish(undefined);
  }

  const outputs = gateOutputs(result, {
    resultsDir: options.resultsDir,
    commentUrl,
    artifactId: artifact?.id,
    artifactUrl: artifact?.url,
  });
  setGateOutputs(outputs);
  return { artifact, baselineProposal, comment, summaryWritten, outputs };
}

/**
 * A run that ended before it had a result (bad input): the sticky comment shows the error instead
 * of the previous run's report. The job summary gets the same text. Never throws.
 */
export async function publishFailureToGitHub(
  message: string,
  options: Pick<PublishOptions, 'ctx' | 'log' | 'comment'>,
): Promise<CommentOutcome | undefined> {
  const { ctx, log } = options;
  const report = renderRunFailureReport(message);
  await writeJobSummary(report).catch((error: unknown) =>
    log.warning(`k6-gate: could not write the job summary: ${(error as Error).message}`),
  );
  const plan = planComment(options.comment.mode, 'error', ctx.pullRequest?.number, ctx.eventName);
  if (plan.action === 'skip') return undefined;
  const run = runUrl(ctx);
  const body = (marker: string) => `${marker}\n${report}${run ? `\n[workflow run](${run})\n` : ''}`;
  return postStickyComment(options, body, { createIfMissing: true, artifactLinked: false, what: ' with the error' });
}
