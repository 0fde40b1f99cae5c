// `update-baseline: pull-request` on GitHub: the updated baseline file becomes one commit on the
// branch `k6-gate/baseline-update/<base>` (reset onto the base each time, through the Git refs and
// contents APIs) and one open pull request, created once and kept current by later runs.
import type { ProposalOutcome, ProposedFile } from '../baseline-proposal.js';
import { proposalBranch } from '../baseline-proposal.js';
import type { GitHubClient } from './octokit.js';

export interface PullRequestProposal {
  owner: string;
  repo: string;
  /** The branch the run tested, which the pull request targets. */
  base: string;
  file: ProposedFile;
  title: string;
  body: string;
  commitMessage: string;
}

const isNotFound = (error: unknown) => (error as { status?: number }).status === 404;

/** The file's content and blob sha on a ref, or undefined when the file is not there. */
async function fileAt(octokit: GitHubClient, p: PullRequestProposal, ref: string): Promise<{ sha: string; content: string } | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner: p.owner, repo: p.repo, path: p.file.repoPath, ref });
    if (Array.isArray(data) || data.type !== 'file') throw new Error(`${p.file.repoPath} on ${ref} is not a file`);
    return { sha: data.sha, content: Buffer.from(data.content ?? '', 'base64').toString('utf8') };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function proposeBaselinePullRequest(octokit: GitHubClient, p: PullRequestProposal): Promise<ProposalOutcome> {
  const repo = { owner: p.owner, repo: p.repo };
  const branch = proposalBranch(p.base);
  const onBase = await fileAt(octokit, p, p.base);
  if (onBase?.content === p.file.content) return { action: 'unchanged', branch };
  const { data: baseRef } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${p.base}` });
  // The branch always holds exactly one commit on top of the current base: no stale merges.
  try {
    await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
    await octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: baseRef.object.sha, force: true });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: baseRef.object.sha });
  }
  await octokit.rest.repos.createOrUpdateFileContents({
    ...repo,
    path: p.file.repoPath,
    message: p.commitMessage,
    content: Buffer.from(p.file.content, 'utf8').toString('base64'),
    branch,
    ...(onBase ? { sha: onBase.sha } : {}),
  });
  const { data: open } = await octokit.rest.pulls.list({ ...repo, head: `${p.owner}:${branch}`, base: p.base, state: 'open' });
  if (open.length > 0) {
    const { data } = await octokit.rest.pulls.update({ ...repo, pull_number: open[0].number, title: p.title, body: p.body });
    return { action: 'updated', url: data.html_url, branch };
  }
  const { data } = await octokit.rest.pulls.create({ ...repo, head: branch, base: p.base, title: p.title, body: p.body });
  return { action: 'created', url: data.html_url, branch };
}
