// `update-baseline: pull-request` / `merge-request`: the baseline file a run updated is proposed to
// the repository as a branch and a change request, so every baseline change is reviewed like code.
// What both platforms share: which file, which branch, and the words of the commit and the request.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BaselineProposal } from '../config.js';
import type { GateResult } from '../model.js';
import type { Logger } from '../log.js';

export interface ProposalRequest {
  proposal: BaselineProposal;
  /** The updated baseline file on disk. */
  file: string;
  /** The repository's checkout: the file's path in the repository is relative to it. */
  workspace: string;
}

export interface ProposedFile {
  /** Path inside the repository, with `/`. */
  repoPath: string;
  content: string;
}

export type ProposalOutcome = { action: 'created' | 'updated'; url?: string; branch: string } | { action: 'unchanged'; branch: string };

/** The updated file and its path in the repository; a problem in words when it is outside the checkout. */
export async function readProposedFile(request: ProposalRequest): Promise<ProposedFile | { problem: string }> {
  const relative = path.relative(path.resolve(request.workspace), path.resolve(request.file));
  if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { problem: `the baseline ${request.file} is outside the repository checkout ${request.workspace}` };
  }
  return { repoPath: relative.split(path.sep).join('/'), content: await readFile(request.file, 'utf8') };
}

/** One branch per target branch, reused by every later run: one open change request, kept current. */
export function proposalBranch(base: string): string {
  return `k6-gate/baseline-update/${base}`;
}

export function proposalTitle(file: ProposedFile, base: string): string {
  return `k6-gate: update the load-test baseline ${file.repoPath} (${base})`;
}

export function proposalCommitMessage(file: ProposedFile, result: GateResult): string {
  const keys = [...new Set(result.scenarios.map((s) => s.key))].join(', ');
  return `k6-gate: record ${keys} in ${file.repoPath}`;
}

/** The change request's description: what was recorded, from which run, and what to check. */
export function proposalBody(file: ProposedFile, result: GateResult, where: { commit?: string; runUrl?: string }): string {
  const rows = result.scenarios.map((s) => `- \`${s.key}\`: ${s.outcome}`).join('\n');
  const from = [where.commit ? `commit ${where.commit}` : undefined, where.runUrl ? `[the run](${where.runUrl})` : undefined]
    .filter(Boolean)
    .join(', ');
  return [
    `k6-gate recorded this run in \`${file.repoPath}\`${from ? ` (${from})` : ''}:`,
    '',
    rows,
    '',
    'Merging makes these numbers part of the baseline later runs are compared with. Check that the run was',
    'healthy (no errors, the load generator not starved) before merging; a later run replaces this proposal.',
  ].join('\n');
}

/** The proposal in words, for a platform's API: branch, commit and change request. */
export interface ProposalWords {
  base: string;
  file: ProposedFile;
  title: string;
  body: string;
  commitMessage: string;
}

/** What a platform brings to a proposal: its API call, its name for a change request, its hint on a refusal. */
export interface ProposalPlatform {
  /** "pull request", "merge request". */
  changeRequest: string;
  propose: (words: ProposalWords) => Promise<ProposalOutcome>;
  /** Why the platform refused, with what the token needs. */
  refused: (error: unknown) => string;
  /** Logs why nothing was proposed; returns undefined. */
  skip: (why: string) => undefined;
  log: Logger;
}

/**
 * The updated baseline proposed on the base branch, the same way on every platform: the file read,
 * the words written, the platform's call made and its outcome logged. Never throws: a problem is
 * the platform's `skip`, a warning.
 */
export async function proposeBaseline(
  request: ProposalRequest,
  result: GateResult,
  base: string,
  where: { commit?: string; runUrl?: string },
  platform: ProposalPlatform,
): Promise<ProposalOutcome | undefined> {
  const file = await readProposedFile(request);
  if ('problem' in file) return platform.skip(file.problem);
  try {
    const outcome = await platform.propose({
      base,
      file,
      title: proposalTitle(file, base),
      body: proposalBody(file, result, where),
      commitMessage: proposalCommitMessage(file, result),
    });
    if (outcome.action === 'unchanged')
      platform.log.info(`k6-gate: ${file.repoPath} on ${base} already holds this baseline: no ${platform.changeRequest}`);
    else
      platform.log.info(
        `k6-gate: ${outcome.action} the baseline ${platform.changeRequest} ${outcome.url ?? ''} (branch ${outcome.branch})`,
      );
    return outcome;
  } catch (error) {
    return platform.skip(platform.refused(error));
  }
}
