// The one place every input is read and parsed: named string inputs → the typed Config (and the
// action's publish settings). The action's inputs, the CLI's flags and the demo use the same names
// (kebab-case), so an input means the same thing on GitHub, on GitLab and on a laptop.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  DEFAULT_BASELINE_PATH,
  DEFAULT_K6_VERSION,
  DEFAULT_RESULTS_DIR,
  insideWorkspace,
  optional,
  parseBoolean,
  parseTimeLimit,
  parseEnvPairs,
  parseFailOn,
  parseInstallMethod,
  parseK6Version,
  parseBaselineProposal,
  parseUpdateBaseline,
  splitArgs,
  type CommentMode,
  type Config,
} from './config.js';
import { findEnvironment, isProtectedEnvironment, loadEnvironments, type EnvironmentDef } from './environments.js';
import { assertLoadAllowed } from './load-policy.js';
import { resolveScenario } from './scenarios.js';
import { safeFileName } from './k6/files.js';
import { withoutCredentials } from './url.js';
import { parseTolerance, splitWatchInput, RulesError } from './baseline/rules.js';

/** Looked for in the workspace when no `environments` input is given. */
export const DEFAULT_ENVIRONMENTS_FILE = 'k6-gate.environments.json';
import { parseShard } from './shard/shard.js';
import { parseMetricsOutput } from './observability/metrics-output.js';

/** Reads one input by name; '' and undefined both mean "not set". */
export type InputReader = (name: string) => string | undefined;

export interface InputContext {
  workspace: string;
  /** Environment the secrets named by `secret-env` are read from. */
  env: NodeJS.ProcessEnv;
  git?: Config['git'];
  /** Running in CI: `update-baseline: true` then means auto (default branch only). */
  onCi?: boolean;
  scenariosDir?: string;
  /** Set by the platform when the run is for a pull/merge request, e.g. "pull_request run" (src/load-policy.ts). */
  changeRequest?: string;
  /**
   * The CLI writes results where its user says (`--results-dir ~/perf-results`); the action keeps
   * them inside the workspace, where they cannot overwrite the runner's own files.
   */
  resultsDirAnywhere?: boolean;
  /**
   * Files the entry brings when their input is not set (the demo's bundled baseline and rules). They
   * are not the user's paths, so the workspace rule does not apply to them.
   */
  defaultFiles?: { baseline?: string; config?: string };
}

/**
 * The action's publish inputs. Defaults that depend on the GitHub run (comment id, artifact name)
 * are left undefined here and filled in by the action from its run context.
 */
export interface PublishInputs {
  comment: CommentMode;
  commentId?: string;
  artifactName?: string;
  retentionDays?: number;
  uploadArtifacts: boolean;
  token?: string;
  /** `toJSON(matrix)` of the job, which names the comment and the artifact of a matrix entry. */
  matrix?: string;
}

export interface Inputs {
  config: Config;
  publish: PublishInputs;
}

/** Splits a list input written one per line or comma separated. */
export function parseList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The values to mask in every log line, read before anything else runs (token, auth-token, secret-env). */
export function secretInputs(read: InputReader, env: NodeJS.ProcessEnv): string[] {
  const values = [optional(read('token')), optional(read('auth-token')), ...parseList(read('secret-env')).map((name) => env[name])];
  return values.filter((value): value is string => Boolean(value));
}

/** The Config alone, for entries that publish nothing of their own (CLI, demo). */
export async function configFromInputs(read: InputReader, context: InputContext): Promise<Config> {
  return (await readInputs(read, context)).config;
}

export async function readInputs(read: InputReader, context: InputContext): Promise<Inputs> {
  const get = (name: string) => optional(read(name));
  const workspace = path.resolve(context.workspace);
  const scenarioNames = parseList(get('scenarios') ?? get('scenario'));
  if (scenarioNames.length === 0) {
    throw new ConfigError(
      'no scenario given; expected one or more scenario names or k6 script paths, e.g. "http-endpoints" or "load/checkout.ts"',
    );
  }
  const scenarios = [];
  for (const name of scenarioNames) scenarios.push(await resolveScenario(name, workspace, context.scenariosDir));
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    const other = seen.get(safeFileName(s.name));
    if (other === s.name)
      throw new ConfigError(`scenario name ${JSON.stringify(s.name)} is given twice; give one a distinct name with name=path`);
    // Names become file names (summary-<name>.json, k6-<name>.log): two that map to one would overwrite each other.
    if (other !== undefined) {
      throw new ConfigError(
        `scenario names ${JSON.stringify(other)} and ${JSON.stringify(s.name)} both become the file name part ${JSON.stringify(safeFileName(s.name))}, so their results would overwrite each other; expected names that differ in letters, digits, ".", "_", "@" or "-": rename one with name=path`,
      );
    }
    seen.set(safeFileName(s.name), s.name);
  }

  const environmentName = get('environment');
  const profile = get('profile');
  let environment: EnvironmentDef | undefined;
  const environmentsInput = get('environments');
  const environmentsFile = insideWorkspace('environments', environmentsInput ?? DEFAULT_ENVIRONMENTS_FILE, workspace);
  if (environmentsInput !== undefined && !existsSync(environmentsFile)) {
    throw new ConfigError(
      `environments file ${environmentsInput} does not exist; expected a JSON or YAML file with an "environments" object`,
    );
  }
  // A merge (of shard files) sends no load: it needs neither a target nor the load policy.
  const merging = get('merge-from') !== undefined;
  if (environmentName !== undefined) {
    const defined = existsSync(environmentsFile) ? await loadEnvironments(environmentsFile) : undefined;
    environment = defined?.[environmentName];
    // With a target the name only labels the reports; without one it must say where to send the load.
    if (!environment && get('target') === undefined && !merging) {
      if (defined) findEnvironment(defined, environmentName);
      throw new ConfigError(
        `environment ${JSON.stringify(environmentName)} is not defined: there is no environments file (${path.relative(workspace, environmentsFile)}); expected a file that defines it, e.g. { "environments": { "${environmentName}": { "baseUrl": "https://…" } } }, or a target URL (then the name only labels the reports)`,
      );
    }
  }
  // Refuse heavy profiles on PR/MR runs and protected or production environments before anything runs.
  if (!merging)
    assertLoadAllowed({
      profile,
      environment,
      environmentName,
      changeRequest: context.changeRequest,
      allowHeavyLoad: parseBoolean('allow-heavy-load', get('allow-heavy-load'), false),
    });

  const target = get('target') ?? environment?.baseUrl;
  const baselineTarget = get('baseline-target');
  for (const [name, value] of [
    ['target', target],
    ['baseline-target', baselineTarget],
  ] as const) {
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`${name} ${JSON.stringify(value)} is not a URL; expected e.g. "https://staging.example.com"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(
        `${name} ${JSON.stringify(withoutCredentials(value))} uses ${url.protocol}; expected an http:// or https:// URL`,
      );
    }
  }
  if (baselineTarget !== undefined && target === undefined) {
    throw new ConfigError(
      'baseline-target is set but target is not; expected both: the candidate (target) and the base deployment (baseline-target)',
    );
  }
  const targetSecrets = [...(target ? credentialsOf(target) : []), ...(baselineTarget ? credentialsOf(baselineTarget) : [])];
  const preflight = parseBoolean('preflight', get('preflight'), true);
  const defaultHealth = environment?.healthPath && target ? new URL(environment.healthPath, target).toString() : target;
  const healthUrl = preflight ? (get('health-url') ?? defaultHealth) : undefined;

  const env = parseEnvPairs('env', read('env'));
  // k6 resolves a relative open() path against the script, not the working directory: make the
  // scenario config file absolute so it means what the user wrote.
  if (env.CONFIG_FILE) env.CONFIG_FILE = insideWorkspace('CONFIG_FILE', env.CONFIG_FILE, workspace);
  const secrets: string[] = [...targetSecrets];
  // Secrets reach k6 by variable name, so their values never appear in inputs or command lines.
  for (const name of parseList(get('secret-env'))) {
    const value = context.env[name];
    if (value === undefined || value === '') {
      throw new ConfigError(
        `secret-env names ${name}, but no such environment variable is set; expected the name of a variable that holds the secret`,
      );
    }
    env[name] = value;
    secrets.push(value);
  }
  const notify = parseNotify(get('notify'), get('notify-on'), context.env);
  for (const target of notify?.targets ?? []) secrets.push(target.url);
  const authToken = get('auth-token');
  if (authToken !== undefined) {
    env.AUTH_TOKEN = authToken;
    secrets.push(authToken);
  }

  const timeout = parseTimeLimit('timeout', get('timeout'));
  const preflightTimeoutMs = parseTimeLimit('preflight-timeout', get('preflight-timeout')) ?? 30_000;
  const k6Path = get('k6-path');
  const install = parseInstallMethod(get('k6-install') ?? (k6Path ? 'path' : undefined));
  if (install === 'path' && !k6Path) {
    throw new ConfigError('k6-install is "path" but k6-path is not set; expected the path of a k6 binary');
  }
  const mergeFrom = get('merge-from');
  if (mergeFrom !== undefined && get('shard') !== undefined) {
    throw new ConfigError(
      `shard ${JSON.stringify(get('shard'))} and merge-from ${JSON.stringify(mergeFrom)} are both set; expected shard in the N shard jobs and merge-from only in the one merge job`,
    );
  }
  const config: Config = {
    rulesOverrides: readRulesOverrides(get),
    scenarios,
    profile,
    target,
    environment: environmentName,
    healthUrl,
    preflightTimeoutMs,
    baselinePath:
      get('baseline') === undefined && context.defaultFiles?.baseline
        ? context.defaultFiles.baseline
        : insideWorkspace('baseline', get('baseline') ?? DEFAULT_BASELINE_PATH, workspace),
    configFile: get('config') ? insideWorkspace('config', get('config')!, workspace) : context.defaultFiles?.config,
    resultsDir: context.resultsDirAnywhere
      ? path.resolve(workspace, get('results-dir') ?? DEFAULT_RESULTS_DIR)
      : insideWorkspace('results-dir', get('results-dir') ?? DEFAULT_RESULTS_DIR, workspace),
    failOn: parseFailOn(get('fail-on')),
    updateBaseline: parseUpdateBaseline(get('update-baseline'), context.onCi ? 'auto' : 'always'),
    proposeBaseline: parseBaselineProposal(get('update-baseline')),
    k6: {
      version: parseK6Version(get('k6-version') ?? DEFAULT_K6_VERSION),
      install,
      downloadUrl: get('k6-download-url'),
      sha256: get('k6-sha256'),
      path: k6Path ? path.resolve(workspace, k6Path) : undefined,
    },
    env,
    secrets,
    k6Args: splitArgs(get('k6-args')),
    timeoutMs: timeout,
    htmlReport: parseBoolean('html-report', get('html-report'), true),
    rawOutput: parseBoolean('raw-output', get('raw-output'), false),
    notify,
    analysis: { enabled: parseBoolean('analysis', get('analysis'), true), top: parseEndpointsTop(get('endpoints-top')) },
    confirm: parseConfirm(get('confirm')),
    baselineTarget,
    protectedEnvironment: isProtectedEnvironment(environmentName, environment),
    allowNewBaseline: parseBoolean('allow-new-baseline', get('allow-new-baseline'), false),
    shard: get('shard') !== undefined ? parseShard(get('shard')!) : undefined,
    metricsOutputs: parseMetricsOutput(get('metrics-output')).map((o) =>
      o.kind === 'json' ? { ...o, target: insideWorkspace('metrics-output json', o.target, workspace) } : o,
    ),
    merge: mergeFrom !== undefined ? { dir: insideWorkspace('merge-from', mergeFrom, workspace) } : undefined,
    workspace,
    git: context.git ?? {},
  };
  return { config, publish: readPublishInputs(get) };
}

function readPublishInputs(get: (name: string) => string | undefined): PublishInputs {
  return {
    comment: parseCommentMode(get('comment')),
    commentId: get('comment-id'),
    artifactName: get('artifact-name'),
    retentionDays: parseRetentionDays(get('retention-days')),
    uploadArtifacts: parseBoolean('upload-artifacts', get('upload-artifacts'), true),
    token: get('token'),
    matrix: get('matrix'),
  };
}

/** `comment`: when the action writes its pull request comment. */
export function parseCommentMode(value: string | undefined): CommentMode {
  const text = value?.trim().toLowerCase() || 'always';
  if (text === 'always' || text === 'on-regression' || text === 'never') return text;
  if (text === 'true') return 'always';
  if (text === 'false') return 'never';
  throw new ConfigError(`comment ${JSON.stringify(value)} is not valid; expected always, on-regression or never`);
}

/** `retention-days`: empty means the repository's default; otherwise 1–90 as GitHub allows. */
export function parseRetentionDays(value: string | undefined): number | undefined {
  const text = optional(value);
  if (text === undefined) return undefined;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    throw new ConfigError(
      `retention-days ${JSON.stringify(text)} is not valid; expected a whole number of days from 1 to 90, or empty for the repository default`,
    );
  }
  return days;
}

/** The rules inputs; each one, when set, wins over the rules file. */
/** `slack=SLACK_WEBHOOK_URL, webhook=MY_HOOK` → targets whose URLs come from those variables. */
function parseNotify(text: string | undefined, on: string | undefined, env: NodeJS.ProcessEnv): Config['notify'] {
  const entries = parseList(text);
  const when = on ?? 'regression';
  if (!['regression', 'error', 'always'].includes(when)) {
    throw new ConfigError(`notify-on ${JSON.stringify(when)} is not valid; expected regression, error or always`);
  }
  if (entries.length === 0) return undefined;
  const targets = entries.map((entry) => {
    const match = /^(slack|webhook)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(entry.trim());
    if (!match) {
      throw new ConfigError(
        `notify entry ${JSON.stringify(entry)} is not kind=VARIABLE; expected e.g. slack=SLACK_WEBHOOK_URL or webhook=MY_WEBHOOK_URL (the variable holds the URL, a secret)`,
      );
    }
    const url = env[match[2]];
    if (url === undefined || url === '') {
      throw new ConfigError(
        `notify names ${match[2]}, but no such environment variable is set; expected the name of a variable that holds the webhook URL`,
      );
    }
    if (!/^https?:\/\/\S+$/.test(url)) {
      // Never quote the value: it is a secret.
      throw new ConfigError(`the value of ${match[2]} is not an http(s) URL; expected the ${match[1]} webhook URL`);
    }
    return { kind: match[1] as 'slack' | 'webhook', envName: match[2], url };
  });
  return { targets, on: when as 'regression' | 'error' | 'always' };
}

function parseEndpointsTop(text: string | undefined): number {
  if (text === undefined) return 10;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new ConfigError(
      `endpoints-top ${JSON.stringify(text)} is not valid; expected a whole number of endpoints from 1 to 100, e.g. 10`,
    );
  }
  return n;
}

function readRulesOverrides(get: (name: string) => string | undefined): Config['rulesOverrides'] {
  const overrides: NonNullable<Config['rulesOverrides']> = {};
  try {
    const tolerance = get('tolerance');
    if (tolerance !== undefined) overrides.tolerance = parseTolerance(tolerance, 'tolerance');
  } catch (error) {
    throw new ConfigError(
      error instanceof RulesError ? error.message : `tolerance ${JSON.stringify(get('tolerance'))}: ${(error as Error).message}`,
    );
  }
  const historyLimit = get('history-limit');
  if (historyLimit !== undefined) {
    const n = Number(historyLimit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      throw new ConfigError(
        `history-limit ${JSON.stringify(historyLimit)} is not valid; expected a whole number of runs from 1 to 1000, e.g. 10`,
      );
    }
    overrides.historyLimit = n;
  }
  const confidence = get('confidence');
  if (confidence !== undefined) {
    const text = confidence.endsWith('%') ? Number(confidence.slice(0, -1)) / 100 : Number(confidence);
    if (!Number.isFinite(text) || text <= 0.5 || text >= 1) {
      throw new ConfigError(
        `confidence ${JSON.stringify(confidence)} is not valid; expected a level between 0.5 and 1, e.g. 0.99 or "99%"`,
      );
    }
    overrides.confidence = text;
  }
  const watch = get('watch');
  if (watch !== undefined) overrides.watch = splitWatchInput(watch);
  return Object.keys(overrides).length > 0 ? overrides : undefined;
}

/** The secret parts of a URL with credentials, in the forms they may be printed. */
function credentialsOf(target: string): string[] {
  const url = new URL(target);
  const out: string[] = [];
  if (url.password) out.push(url.password, decodeURIComponent(url.password));
  if (url.username && url.password) out.push(`${url.username}:${url.password}`);
  return [...new Set(out)];
}

/** `confirm`: how many confirmation reruns a regressed scenario gets (0 = none). */
function parseConfirm(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 5) {
    throw new ConfigError(`confirm ${JSON.stringify(text)} is not valid; expected a whole number of reruns from 0 to 5, e.g. 1`);
  }
  return n;
}
