// GitHub Actions jobs (GITHUB_ACTIONS=true): the commit and pull-request facts of the workflow run.
// The action (main.ts) publishes with the inputs it was given (token, comment, artifacts); the CLI
// run in a workflow step has none of them, so it leaves the report in the results dir and the log.
import type { CiPlatform, RunFacts } from '../platform.js';
import { isDefaultBranchRun, isPullRequestEvent, readRunContext, type GitHubRunContext } from './context.js';

/** The workflow run's commit, ref and pull request, as the gate's inputs want them. */
export function runFacts(ctx: GitHubRunContext): RunFacts {
  return {
    onCi: true,
    git: { commit: ctx.sha, ref: ctx.ref, isDefaultBranch: isDefaultBranchRun(ctx) },
    changeRequest: isPullRequestEvent(ctx.eventName) ? `${ctx.eventName} run` : undefined,
  };
}

export const githubPlatform: CiPlatform = {
  name: 'github',
  detect: (env) => env.GITHUB_ACTIONS === 'true',
  facts: (env) => runFacts(readRunContext(env)),
  async publish(result, run) {
    if (run.baseline && result.baselineUpdated) {
      run.log.warning(
        `k6-gate: update-baseline: ${run.baseline.proposal} is done by the action (uses: k6-gate/k6-gate), not the CLI; ${run.baseline.file} is updated in place`,
      );
    }
    run.log.debug(
      'k6-gate: the CLI does not post to GitHub; the action (uses: k6-gate/k6-gate) writes the PR comment, job summary and outputs',
    );
  },
  publishFailure: async () => undefined,
};
