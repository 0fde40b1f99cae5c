// GitLab CI/CD jobs (GITLAB_CI=true): the commit facts GitLab's predefined variables give, and the
// report as the merge-request note, the dotenv report and the exposed HTML copy (publish.ts, loaded
// only when a run ends).
import type { CiPlatform } from '../platform.js';

export const gitlabPlatform: CiPlatform = {
  name: 'gitlab',
  logSections: 'gitlab',
  detect: (env) => env.GITLAB_CI === 'true',
  facts: (env) => ({
    onCi: true,
    git: {
      commit: env.CI_COMMIT_SHA,
      ref: env.CI_COMMIT_REF_NAME,
      isDefaultBranch: env.CI_COMMIT_BRANCH !== undefined && env.CI_COMMIT_BRANCH === env.CI_DEFAULT_BRANCH,
    },
    changeRequest: env.CI_MERGE_REQUEST_IID ? 'merge request pipeline' : undefined,
  }),
  async publish(result, run) {
    const { publishGitLab } = await import(/* webpackMode: "eager" */ './publish.js');
    await publishGitLab(result, run);
  },
  async publishFailure(message, run) {
    const { publishGitLabFailure } = await import(/* webpackMode: "eager" */ './publish.js');
    await publishGitLabFailure(message, run);
  },
};
