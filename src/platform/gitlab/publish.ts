// Everything a GitLab job leaves behind for a finished gate: the report files its
// `artifacts:reports` point at (junit, load_performance, dotenv), a fixed-name copy of the HTML
// report for `expose_as`, and the sticky merge-request note. Nothing here fails the job: the verdict
// is the caller's, from the GateResult alone; reporting problems are warnings.
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import type { GateResult } from '../../model.js';
import { gatingScenario } from '../../report/load-performance.js';
import { formatCount } from '../../format.js';
import { GATE_REPORT_FILE } from '../../report/html.js';
import { renderMarkdownReport, type HtmlReportLink } from '../../report/markdown.js';
import { renderBaselineCharts } from '../../report/mermaid.js';
import { renderRunFailureReport } from '../error-report.js';
import { proposeBaseline, type ProposalOutcome, type ProposalRequest } from '../baseline-proposal.js';
import { proposeBaselineMergeRequest } from './baseline-mr.js';
import { writeDotenv } from './dotenv.js';
import {
  GITLAB_NOTE_LIMIT,
  GitLabApiError,
  GitLabClient,
  noteMarker,
  resolveMergeRequestIid,
  upsertStickyNote,
  type GitLabClientOptions,
} from './client.js';

/** Fixed name, because `expose_as` paths cannot hold wildcards or per-scenario names. */
export const EXPOSED_HTML_FILE = 'report.html';

export interface PublishGitLabOptions {
  resultsDir: string;
  log: Logger;
  /** `update-baseline: merge-request`: the updated file to propose (when the run updated it). */
  baseline?: ProposalRequest;
  /** The job's CI_* facts and the K6_GATE_GITLAB_TOKEN secret; settings come from the options below. */
  env?: NodeJS.ProcessEnv;
  /** Post the sticky merge-request note (the mr-note input); default true. */
  mrNote?: boolean;
  /** Key prefix of the dotenv variables (the dotenv-prefix input); default K6_GATE_. */
  dotenvPrefix?: string;
  /** Identifier of the sticky note (the comment-id input); default the job's name. */
  noteId?: string;
  fetch?: typeof fetch;
  /** Retry pacing of the notes client (tests shorten it). */
  client?: Partial<
    Pick<GitLabClientOptions, 'maxRetries' | 'baseDelayMs' | 'maxRetryAfterMs' | 'perPage' | 'sleep' | 'attemptTimeoutMs' | 'totalBudgetMs'>
  >;
}

/**
 * Copies the gating scenario's HTML report to the fixed name `expose_as` points at. The report files
 * GitLab's `artifacts:reports` read (junit.xml, load-performance.json) are the pipeline's
 * (writeReports); only the dotenv file and this copy are GitLab's own. Returns whether it copied.
 */
export async function exposeHtmlReport(result: GateResult, resultsDir: string): Promise<boolean> {
  const html = gatingScenario(result)?.files.html ?? result.scenarios.find((s) => s.files.html)?.files.html;
  if (!html) return false;
  try {
    await copyFile(path.join(resultsDir, html), path.join(resultsDir, EXPOSED_HTML_FILE));
    return true;
  } catch {
    // k6 skips the dashboard export when a run is too short or fails early; nothing to expose then.
    return false;
  }
}

/** Where the job's artifacts can be read, when the job runs in GitLab. */
function artifactLinks(
  env: NodeJS.ProcessEnv,
  resultsDir: string,
): { fullReportUrl?: string; htmlReport: HtmlReportLink; links: { label: string; url: string }[] } {
  const jobUrl = env.CI_JOB_URL;
  if (!jobUrl) return { htmlReport: { resultsDir }, links: [] };
  const base = env.CI_PROJECT_DIR ?? process.cwd();
  const rel = path.relative(base, path.resolve(base, resultsDir)).split(path.sep).join('/');
  const inside = rel && !rel.startsWith('..') ? rel : undefined;
  const file = (name: string) => `${jobUrl}/artifacts/file/${inside ? `${inside}/` : ''}${name}`;
  const links = [{ label: 'job log', url: jobUrl }];
  if (inside) {
    links.unshift(
      { label: 'k6 web dashboard', url: file(EXPOSED_HTML_FILE) },
      { label: 'all artifacts', url: `${jobUrl}/artifacts/browse/${inside}` },
    );
  }
  return {
    fullReportUrl: inside ? file('report.md') : undefined,
    htmlReport: inside ? { url: file(GATE_REPORT_FILE) } : { resultsDir },
    links,
  };
}

function explainNoteFailure(error: unknown): string {
  if (error instanceof GitLabApiError && (error.status === 401 || error.status === 403)) {
    return `GitLab refused the token (HTTP ${error.status}): K6_GATE_GITLAB_TOKEN must be a project access token with the api scope and at least the Reporter role that has not expired`;
  }
  if (error instanceof GitLabApiError && error.status === 404) {
    return `GitLab found no such merge request or project (HTTP 404): check that the token belongs to this project (CI_PROJECT_ID) and can see the merge request`;
  }
  return (error as Error).message;
}

interface NoteTarget {
  iid: string;
  marker: string;
  client: GitLabClient;
}

/** Where this job's note goes, or undefined (with the reason logged) when it has none. */
function noteTarget(
  options: Pick<PublishGitLabOptions, 'log' | 'fetch' | 'client' | 'mrNote' | 'noteId'>,
  env: NodeJS.ProcessEnv,
): NoteTarget | undefined {
  const { log } = options;
  if (options.mrNote === false) {
    log.info('k6-gate: merge-request note is off (mr-note: false)');
    return undefined;
  }
  const iid = resolveMergeRequestIid(env);
  if (!iid) {
    log.info(
      'k6-gate: no merge request for this pipeline (neither CI_MERGE_REQUEST_IID nor an open merge request of this project): no note; the report is in the job artifacts',
    );
    return undefined;
  }
  const token = env.K6_GATE_GITLAB_TOKEN?.trim();
  if (!token) {
    log.info(
      `k6-gate: K6_GATE_GITLAB_TOKEN is not set, so no note on merge request !${iid}; to get one, add a project access token (api scope, Reporter role) as a masked CI/CD variable named K6_GATE_GITLAB_TOKEN (CI_JOB_TOKEN cannot post notes). The report is in the job artifacts.`,
    );
    return undefined;
  }
  log.addSecret(token);
  const apiUrl = env.CI_API_V4_URL;
  const projectId = env.CI_MERGE_REQUEST_PROJECT_ID || env.CI_PROJECT_ID;
  if (!apiUrl || !projectId) {
    log.warning('k6-gate: CI_API_V4_URL or CI_PROJECT_ID is not set (not a GitLab job?): no merge-request note');
    return undefined;
  }
  const client = new GitLabClient({
    apiUrl,
    projectId,
    token,
    fetch: options.fetch,
    ...options.client,
    onRetry: (message) => log.info(`k6-gate: ${message}`),
  });
  return { iid, marker: noteMarker(options.noteId || env.CI_JOB_NAME || 'k6-gate'), client };
}

/** Creates or edits the job's note; a warning (never a throw) when GitLab cannot be told. */
async function postNote(target: NoteTarget, body: string, log: Logger, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const { iid, marker, client } = target;
  try {
    const { note, action } = await upsertStickyNote(client, iid, marker, body);
    const mrUrl = env.CI_MERGE_REQUEST_PROJECT_URL || env.CI_PROJECT_URL;
    const noteUrl = mrUrl ? `${mrUrl}/-/merge_requests/${iid}#note_${note.id}` : undefined;
    log.info(`k6-gate: ${action} the note on merge request !${iid}${noteUrl ? `: ${noteUrl}` : ` (note ${note.id})`}`);
    return noteUrl;
  } catch (error) {
    log.warning(
      `k6-gate: could not post the merge-request note on !${iid}: ${explainNoteFailure(error)}. The report is in the job artifacts.`,
    );
    return undefined;
  }
}

async function postReportNote(result: GateResult, options: PublishGitLabOptions, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const target = noteTarget(options, env);
  if (!target) return undefined;
  const { fullReportUrl, htmlReport, links } = artifactLinks(env, options.resultsDir);
  const chart = renderBaselineCharts(result);
  const body = renderMarkdownReport(result, {
    appendix: chart || undefined,
    links,
    fullReportUrl,
    htmlReport,
    limit: {
      max: GITLAB_NOTE_LIMIT - target.marker.length - 1,
      description: `GitLab's ${formatCount(GITLAB_NOTE_LIMIT)}-character note limit`,
    },
  });
  return postNote(target, body, options.log, env);
}

/** A run that ended before it had a result: the job's note shows the error, not the last report. */
export async function publishGitLabFailure(
  message: string,
  options: Pick<PublishGitLabOptions, 'log' | 'env' | 'fetch' | 'client' | 'mrNote' | 'noteId'>,
): Promise<{ noteUrl?: string }> {
  const env = options.env ?? process.env;
  const target = noteTarget(options, env);
  if (!target) return {};
  return { noteUrl: await postNote(target, renderRunFailureReport(message), options.log, env) };
}

/** The branch a proposal targets: the merge request's source branch, or the pipeline's branch (never a tag). */
function proposalBase(env: NodeJS.ProcessEnv): string | undefined {
  return env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME || env.CI_COMMIT_BRANCH || undefined;
}

/** `update-baseline: merge-request`: the updated baseline as a branch and a merge request. Never throws. */
async function publishBaselineProposal(
  result: GateResult,
  options: PublishGitLabOptions,
  env: NodeJS.ProcessEnv,
): Promise<ProposalOutcome | undefined> {
  const { log } = options;
  if (!options.baseline || !result.baselineUpdated) return undefined;
  const skip = (why: string) => {
    log.warning(`k6-gate: the updated baseline was not proposed: ${why}. The updated file is in this job's checkout only.`);
    return undefined;
  };
  const base = proposalBase(env);
  if (!base) return skip('this pipeline is not for a branch (a tag pipeline?)');
  const source = env.CI_MERGE_REQUEST_SOURCE_PROJECT_ID;
  if (source && env.CI_PROJECT_ID && source !== env.CI_PROJECT_ID)
    return skip('the merge request comes from a fork, whose branch this project cannot push to');
  const token = env.K6_GATE_GITLAB_TOKEN?.trim();
  if (!token) return skip('K6_GATE_GITLAB_TOKEN is not set (a project access token with the api scope and the Developer role)');
  log.addSecret(token);
  if (!env.CI_API_V4_URL || !env.CI_PROJECT_ID) return skip('CI_API_V4_URL or CI_PROJECT_ID is not set (not a GitLab job?)');
  const client = new GitLabClient({
    apiUrl: env.CI_API_V4_URL,
    projectId: env.CI_PROJECT_ID,
    token,
    fetch: options.fetch,
    ...options.client,
    onRetry: (message) => log.info(`k6-gate: ${message}`),
  });
  // Paths in the repository are relative to the checkout, wherever the CLI was started in it.
  const request = { ...options.baseline, workspace: env.CI_PROJECT_DIR || options.baseline.workspace };
  return proposeBaseline(
    request,
    result,
    base,
    { commit: env.CI_COMMIT_SHA, runUrl: env.CI_JOB_URL },
    {
      changeRequest: 'merge request',
      propose: ({ body, ...words }) => proposeBaselineMergeRequest(client, { description: body, ...words }),
      refused: (error) => {
        const status = error instanceof GitLabApiError ? error.status : undefined;
        const hint =
          status === 401 || status === 403
            ? ': K6_GATE_GITLAB_TOKEN needs the api scope and a role that may push branches (Developer)'
            : '';
        return `GitLab refused it (${(error as Error).message})${hint}`;
      },
      skip,
      log,
    },
  );
}

/** Publishes a finished gate to GitLab; never throws for reporting problems. */
export async function publishGitLab(
  result: GateResult,
  options: PublishGitLabOptions,
): Promise<{ noteUrl?: string; baselineProposal?: ProposalOutcome }> {
  const env = options.env ?? process.env;
  const { log } = options;
  if (await exposeHtmlReport(result, options.resultsDir)) log.debug(`k6-gate: wrote ${EXPOSED_HTML_FILE} to ${options.resultsDir}`);
  const baselineProposal = await publishBaselineProposal(result, options, env);
  const noteUrl = await postReportNote(result, options, env);
  try {
    await writeDotenv(result, options.resultsDir, { noteUrl, keyPrefix: options.dotenvPrefix });
  } catch (error) {
    log.warning(`k6-gate: could not write the dotenv report to ${options.resultsDir}: ${(error as Error).message}`);
  }
  return { noteUrl, baselineProposal };
}
