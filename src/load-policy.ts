// The one rule that keeps heavy load off systems that should not get it by accident. Heavy profiles
// (stress, spike, soak, breakpoint) are refused, unless allow-heavy-load is set, when:
//   - the run is for a pull request / merge request (possibly a stranger's fork),
//   - the environment is marked `protected` in the environments file,
//   - the environment is named production (or prod), defined or not.
// Every entry applies it alike; each platform only says whether its run is a PR/MR.
import { ConfigError } from './config.js';
import { PRODUCTION_NAME, type EnvironmentDef } from './environments.js';

export const HEAVY_PROFILES: readonly string[] = ['stress', 'spike', 'soak', 'breakpoint'];

export interface LoadFacts {
  profile?: string;
  /** The environment's definition, when the environments file has it. */
  environment?: EnvironmentDef;
  /** The environment name given (also when it only labels reports). */
  environmentName?: string;
  /** Set when the run is for a pull/merge request: how to name it, e.g. "pull_request run". */
  changeRequest?: string;
  allowHeavyLoad: boolean;
}

const WAY_OUT =
  'If this is intended, set the input `allow-heavy-load: true` (GitHub/GitLab) or pass `--allow-heavy-load` (CLI); otherwise choose smoke or load';

/** Throws a ConfigError naming the way out when a heavy run is not allowed here. */
export function assertLoadAllowed(facts: LoadFacts): void {
  const profile = facts.profile?.trim().toLowerCase();
  if (facts.allowHeavyLoad || profile === undefined || !HEAVY_PROFILES.includes(profile)) return;
  if (facts.changeRequest) {
    throw new ConfigError(
      `profile ${JSON.stringify(facts.profile)} is a heavy load profile and this is a ${facts.changeRequest}; expected a light profile (smoke, load) on pull and merge requests. ${WAY_OUT}.`,
    );
  }
  const environment = facts.environment;
  if (environment?.protected) {
    throw new ConfigError(
      `refusing to run the ${profile} profile against the protected environment "${environment.name}" (${environment.baseUrl}): ` +
        `${HEAVY_PROFILES.join(', ')} can overload a live system. ${WAY_OUT}, or a non-protected environment.`,
    );
  }
  const name = facts.environmentName ?? environment?.name;
  if (name && PRODUCTION_NAME.test(name)) {
    throw new ConfigError(
      `profile ${JSON.stringify(facts.profile)} is a heavy load profile and environment is ${JSON.stringify(name)}: ` +
        `${HEAVY_PROFILES.join(', ')} can overload a live system. ${WAY_OUT}.`,
    );
  }
}
