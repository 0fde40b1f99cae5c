// `update-baseline: merge-request` on GitLab: the updated baseline file becomes one commit on the
// branch `k6-gate/baseline-update/<base>` (the commits API with `start_branch` and `force`, so the
// branch is always the current base plus this one commit) and one open merge request, created once
// and kept current by later runs. The token needs the api scope and a role that may push (Developer).
import type { ProposalOutcome, ProposedFile } from '../baseline-proposal.js';
import { proposalBranch } from '../baseline-proposal.js';
import type { GitLabClient } from './client.js';

export interface MergeRequestProposal {
  /** The branch the run tested, which the merge request targets. */
  base: string;
  file: ProposedFile;
  title: string;
  description: string;
  commitMessage: string;
}

interface MergeRequest {
  iid: number;
  web_url: string;
}

export async function proposeBaselineMergeRequest(client: GitLabClient, p: MergeRequestProposal): Promise<ProposalOutcome> {
  const project = `/projects/${client.project}`;
  const branch = proposalBranch(p.base);
  const onBase = await client.call<{ content?: string }>(
    'GET',
    `${project}/repository/files/${encodeURIComponent(p.file.repoPath)}?ref=${encodeURIComponent(p.base)}`,
    undefined,
    true,
  );
  const current = onBase?.content === undefined ? undefined : Buffer.from(onBase.content, 'base64').toString('utf8');
  if (current === p.file.content) return { action: 'unchanged', branch };
  await client.call('POST', `${project}/repository/commits`, {
    branch,
    start_branch: p.base,
    force: true,
    commit_message: p.commitMessage,
    actions: [{ action: current === undefined ? 'create' : 'update', file_path: p.file.repoPath, content: p.file.content }],
  });
  const query = `state=opened&source_branch=${encodeURIComponent(branch)}&target_branch=${encodeURIComponent(p.base)}`;
  const open = (await client.call<MergeRequest[]>('GET', `${project}/merge_requests?${query}`)) ?? [];
  if (open.length > 0) {
    const updated = await client.call<MergeRequest>('PUT', `${project}/merge_requests/${open[0].iid}`, {
      title: p.title,
      description: p.description,
    });
    return { action: 'updated', url: updated?.web_url, branch };
  }
  const created = await client.call<MergeRequest>('POST', `${project}/merge_requests`, {
    source_branch: branch,
    target_branch: p.base,
    title: p.title,
    description: p.description,
    remove_source_branch: true,
  });
  return { action: 'created', url: created?.web_url, branch };
}
