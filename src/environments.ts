// Named target environments (staging, production, ...): their base URL, health path and whether they
// are protected (src/load-policy.ts keeps heavy profiles off protected ones), and which one a run
// means (its environment input, the environments file, the environment owning its target URL).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readConfigFile } from './config-file.js';
import { isObject } from './json.js';
import { ConfigError, insideWorkspace } from './config.js';
import { withoutCredentials } from './url.js';

export interface EnvironmentDef {
  name: string;
  baseUrl: string;
  protected: boolean;
  healthPath?: string;
}

/** An environment named like production counts as protected, defined or not. */
export const PRODUCTION_NAME = /^prod(uction)?$/i;

/** Protected: marked so in the environments file, or named production (or prod). */
export function isProtectedEnvironment(name: string | undefined, definition?: EnvironmentDef): boolean {
  return definition?.protected === true || (name !== undefined && PRODUCTION_NAME.test(name));
}

const EXAMPLE =
  '{ "environments": { "staging": { "baseUrl": "https://staging.example.com" }, "production": { "baseUrl": "https://example.com", "protected": true } } }';

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Checks the `environments` map of a parsed config (k6-gate.environments.json, or the rules config
 * with an `environments` key) and returns the definitions by name.
 */
export function parseEnvironments(data: unknown, source: string): Record<string, EnvironmentDef> {
  const map = isObject(data) ? data.environments : undefined;
  if (!isObject(map)) {
    throw new ConfigError(`${source} has no "environments" object; expected e.g. ${EXAMPLE}`);
  }
  const out: Record<string, EnvironmentDef> = {};
  for (const [name, raw] of Object.entries(map)) {
    const where = `${source}: environments.${name}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      throw new ConfigError(
        `${source}: environment name ${quote(name)} is not valid; expected letters, digits, ".", "_" or "-" (e.g. "staging")`,
      );
    }
    if (!isObject(raw)) throw new ConfigError(`${where} is ${quote(raw)}; expected an object with "baseUrl"`);
    const { baseUrl, healthPath } = raw;
    if (typeof baseUrl !== 'string' || !/^https?:\/\/[^/\s]+/.test(baseUrl)) {
      throw new ConfigError(`${where}.baseUrl ${quote(baseUrl)} is not an http(s) URL; expected e.g. "https://staging.example.com"`);
    }
    const isProtected = raw.protected ?? false;
    if (typeof isProtected !== 'boolean') {
      throw new ConfigError(`${where}.protected ${quote(isProtected)} is not a boolean; expected true or false`);
    }
    if (healthPath !== undefined && (typeof healthPath !== 'string' || !healthPath.startsWith('/'))) {
      throw new ConfigError(`${where}.healthPath ${quote(healthPath)} is not a path; expected e.g. "/health"`);
    }
    out[name] = {
      name,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      protected: isProtected,
      ...(healthPath !== undefined ? { healthPath } : {}),
    };
  }
  return out;
}

/** Reads a JSON or YAML file (YAML by its .yaml/.yml extension) holding `environments`. */
export async function loadEnvironments(file: string): Promise<Record<string, EnvironmentDef>> {
  const data = await readConfigFile(file, {
    label: 'environments file',
    expected: `a JSON or YAML file such as ${EXAMPLE}`,
    error: (message) => new ConfigError(message),
  });
  return parseEnvironments(data, file);
}

/** The named environment, or an error listing the known names. */
export function findEnvironment(environments: Record<string, EnvironmentDef>, name: string): EnvironmentDef {
  const found = environments[name];
  if (found) return found;
  const known = Object.keys(environments);
  throw new ConfigError(
    `environment ${quote(name)} is not defined; known environments: ${known.length ? known.join(', ') : 'none'}; expected one of them, or a target URL (then the name only labels the reports)`,
  );
}

/**
 * The defined environment a URL belongs to: its base URL is the URL's origin and a path prefix
 * (`https://shop.example.com/api` belongs to `https://shop.example.com`). The most specific wins.
 */
export function environmentOfUrl(environments: Record<string, EnvironmentDef>, url: string): EnvironmentDef | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const targetPath = target.pathname.replace(/\/+$/, '');
  let best: { env: EnvironmentDef; length: number } | undefined;
  for (const env of Object.values(environments)) {
    let base: URL;
    try {
      base = new URL(env.baseUrl);
    } catch {
      continue;
    }
    const basePath = base.pathname.replace(/\/+$/, '');
    const samePlace = base.protocol === target.protocol && base.host.toLowerCase() === target.host.toLowerCase();
    if (samePlace && (targetPath === basePath || targetPath.startsWith(`${basePath}/`)) && (!best || basePath.length > best.length)) {
      best = { env, length: basePath.length };
    }
  }
  return best?.env;
}

/** Looked for in the workspace when no `environments` input is given. */
export const DEFAULT_ENVIRONMENTS_FILE = 'k6-gate.environments.json';

/** The inputs that say where a run sends its load: environment, environments (file), target. */
export interface RunEnvironmentInputs {
  name?: string;
  file?: string;
  target?: string;
  /** A merge of shard files sends no load: it needs no target. */
  merging: boolean;
}

/**
 * The environment named by the run, and the defined one its target URL belongs to (whatever the run
 * calls it): a misspelt name must not turn a defined, protected environment into an unnamed one.
 */
export async function resolveRunEnvironment(inputs: RunEnvironmentInputs, workspace: string) {
  const { name: environmentName, file: environmentsInput, target: givenTarget, merging } = inputs;
  const environmentsFile = insideWorkspace('environments', environmentsInput ?? DEFAULT_ENVIRONMENTS_FILE, workspace);
  if (environmentsInput !== undefined && !existsSync(environmentsFile)) {
    throw new ConfigError(
      `environments file ${environmentsInput} does not exist; expected a JSON or YAML file with an "environments" object`,
    );
  }
  const defined = existsSync(environmentsFile) ? await loadEnvironments(environmentsFile) : undefined;
  const environment: EnvironmentDef | undefined = environmentName !== undefined ? defined?.[environmentName] : undefined;
  // With a target the name only labels the reports; without one it must say where to send the load.
  if (environmentName !== undefined && !environment && givenTarget === undefined && !merging) {
    if (defined) findEnvironment(defined, environmentName);
    throw new ConfigError(
      `environment ${JSON.stringify(environmentName)} is not defined: there is no environments file (${path.relative(workspace, environmentsFile)}); expected a file that defines it, e.g. { "environments": { "${environmentName}": { "baseUrl": "https://…" } } }, or a target URL (then the name only labels the reports)`,
    );
  }
  const environmentOfTarget = defined && givenTarget ? environmentOfUrl(defined, givenTarget) : undefined;
  // Another name is fine when the named environment owns the URL too (two names for one deployment).
  const namedOwnsTarget =
    environment !== undefined && givenTarget !== undefined && environmentOfUrl({ [environment.name]: environment }, givenTarget);
  if (
    environmentOfTarget &&
    environmentName !== undefined &&
    environmentOfTarget.name !== environmentName &&
    !namedOwnsTarget &&
    !merging
  ) {
    throw new ConfigError(
      `environment ${JSON.stringify(environmentName)} ${environment ? `is ${environment.baseUrl}` : 'is not defined'}, but the target ${withoutCredentials(givenTarget!)} is the base URL of ${JSON.stringify(environmentOfTarget.name)} in ${path.relative(workspace, environmentsFile)}; expected --environment ${environmentOfTarget.name} (environment: ${environmentOfTarget.name}), or the target of ${JSON.stringify(environmentName)}`,
    );
  }
  return { environmentName, environment, environmentOfTarget };
}
