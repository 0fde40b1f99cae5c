// A laptop or a CI system k6-gate has no adapter for: the report goes to the terminal and the results
// dir only; git facts come from GIT_COMMIT / GIT_BRANCH when the caller sets them.
import type { CiPlatform } from '../platform.js';

export const localPlatform: CiPlatform = {
  name: 'local',
  detect: () => true,
  facts: (env) => ({ onCi: env.CI === 'true', git: { commit: env.GIT_COMMIT, ref: env.GIT_BRANCH } }),
  async publish(result, run) {
    if (run.baseline && result.baselineUpdated) {
      run.log.warning(
        `k6-gate: update-baseline: ${run.baseline.proposal} opens a pull or merge request only in a GitHub Action or GitLab job; here ${run.baseline.file} is updated in place`,
      );
    }
  },
  publishFailure: async () => undefined,
};
