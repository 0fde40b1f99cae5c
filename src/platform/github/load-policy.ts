// Heavy profiles put real pressure on a shared system. A pull request (possibly from a stranger's
// fork) or a production environment should only get them when the workflow author said so.
import { ConfigError } from '../../config.js';

export const HEAVY_PROFILES = ['stress', 'spike', 'soak', 'breakpoint'] as const;

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** Throws a ConfigError naming the way out when a heavy run is not allowed here. */
export function assertLoadAllowed(facts: { profile?: string; environment?: string; eventName: string; allowHeavyLoad: boolean }): void {
  const profile = facts.profile?.toLowerCase();
  if (facts.allowHeavyLoad || !profile || !(HEAVY_PROFILES as readonly string[]).includes(profile)) return;
  if (PULL_REQUEST_EVENTS.has(facts.eventName)) {
    throw new ConfigError(
      `profile ${JSON.stringify(facts.profile)} is a heavy load profile and this is a ${facts.eventName} run; expected a light profile (smoke, load) on pull requests, or set allow-heavy-load: "true" if this workflow really should`,
    );
  }
  if (facts.environment && /^prod(uction)?$/i.test(facts.environment)) {
    throw new ConfigError(
      `profile ${JSON.stringify(facts.profile)} is a heavy load profile and environment is ${JSON.stringify(facts.environment)}; set allow-heavy-load: "true" to run it against production on purpose`,
    );
  }
}
