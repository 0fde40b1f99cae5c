// The CI platforms the CLI knows, most specific first: the first whose `detect` says yes is the
// one a run reports to. Adding a platform is its folder under src/platform/ and one line here.
import { githubPlatform } from './github/platform.js';
import { gitlabPlatform } from './gitlab/platform.js';
import { localPlatform } from './local/platform.js';
import type { CiPlatform, Env } from './platform.js';

export const PLATFORMS: readonly CiPlatform[] = [gitlabPlatform, githubPlatform, localPlatform];

/** The platform this process runs on; `local` (a laptop, another CI) when no other says yes. */
export function detectPlatform(env: Env): CiPlatform {
  return PLATFORMS.find((platform) => platform.detect(env)) ?? localPlatform;
}
