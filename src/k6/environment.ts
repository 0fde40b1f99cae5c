// The environment k6 starts with. k6 scripts read every variable through `__ENV`, and a script that
// logs one puts it into an artifact, so k6 never inherits the job's environment as a whole (CI
// tokens: GITHUB_TOKEN, INPUT_TOKEN, CI_JOB_TOKEN, ACTIONS_RUNTIME_TOKEN, K6_GATE_GITLAB_TOKEN, …).
// It gets what a program needs to run (PATH, HOME, temp dir, locale, proxies, CA bundle), k6's own
// K6_* settings, and what the user handed to the script on purpose (env, secret-env, BASE_URL, …).

import { TEST_CHANGING_K6_VARIABLES } from './owned-options.js';

/** Inherited by name: what k6 and the Go runtime need on Linux, macOS and Windows. */
const INHERITED_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'TMP',
  'TEMP',
  'TZ',
  'LANG',
  'LANGUAGE',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GODEBUG',
  'GOMAXPROCS',
  'GOMEMLIMIT',
  // Windows: the system root and profile folders a Go program reads.
  'SystemRoot',
  'SYSTEMROOT',
  'windir',
  'ComSpec',
  'PATHEXT',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
]);

/** Inherited by prefix: locale settings and k6's own options (K6_OUT, K6_CLOUD_TOKEN, K6_PROMETHEUS_RW_*, …). */
const INHERITED_PREFIXES = ['LC_', 'K6_'];

/** Never inherited, even where a prefix matches: k6-gate's own settings and tokens. */
const NEVER_INHERITED_PREFIXES = ['K6_GATE_'];

/** Never inherited: k6 options that would change the test the baseline holds (the inputs refuse them first). */
const NEVER_INHERITED = new Set(TEST_CHANGING_K6_VARIABLES);

export function isInheritedByK6(name: string): boolean {
  if (NEVER_INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix)) || NEVER_INHERITED.has(name)) return false;
  return INHERITED_NAMES.has(name) || INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * k6's environment: the allow-listed part of `inherited`, then `given` (the variables the user
 * passed to the script: env, secret-env, BASE_URL, PROFILE, k6 settings k6-gate chose), which wins.
 * A variable the user names explicitly is passed even if it would not be inherited.
 */
export function k6Environment(inherited: NodeJS.ProcessEnv, given: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value !== undefined && isInheritedByK6(name)) env[name] = value;
  }
  return { ...env, ...given };
}
