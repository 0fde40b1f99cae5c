// The one place every input is read: named string inputs → the typed Config (and the action's
// publish settings). Each input is declared once in src/input-spec.ts (name, flags, default, parser,
// help); this module combines them (what depends on more than one input). The action's inputs, the
// CLI's flags and the demo use the same names, so an input means the same thing everywhere.
import path from 'node:path';
import {
  ConfigError,
  DEFAULT_BASELINE_PATH,
  DEFAULT_RESULTS_DIR,
  insideWorkspace,
  optional,
  parseEnvPairs,
  parseList,
  parseInstallMethod,
  splitArgs,
  type CommentMode,
  type Config,
  type K6Options,
  parseBaselineProposal,
  type ScenarioSpec,
} from './config.js';
import { SECRET_INPUTS, parseInput, type InputName } from './input-spec.js';
import { isProtectedEnvironment, resolveRunEnvironment, type EnvironmentDef } from './environments.js';
import { checkK6Args, checkK6Environment } from './k6/owned-options.js';
import { MIN_SECRET_LENGTH } from './log.js';
import { assertLoadAllowed } from './load-policy.js';
import { resolveScenario, splitScenarioList } from './scenarios.js';
import { safeFileName } from './k6/files.js';
import { withoutCredentials } from './url.js';
import { parseNotifyInput } from './notify/targets.js';

import { readCollectSettings } from './shard/collect-settings.js';
import { COLLECTED_DIR, parseShard } from './shard/shard.js';
import { parseMetricsOutput } from './observability/metrics-output.js';

/** Reads one input by name; '' and undefined both mean "not set". */
export type InputReader = (name: string) => string | undefined;
export { parseCommentMode } from './input-spec.js';

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
  /** GitLab: post the sticky merge-request note. */
  mrNote: boolean;
  /** GitLab: key prefix of the dotenv variables (unset: K6_GATE_). */
  dotenvPrefix?: string;
}

export interface Inputs {
  config: Config;
  publish: PublishInputs;
}

/** The values to mask in every log line, read before anything else runs (the secret inputs, secret-env). */
export function secretInputs(read: InputReader, env: NodeJS.ProcessEnv): string[] {
  const values = [...SECRET_INPUTS.map((name) => optional(read(name))), ...parseList(read('secret-env')).map((name) => env[name])];
  return values.filter((value): value is string => Boolean(value));
}

/** How to find or install k6: the k6-version, k6-install, k6-path and k6-download-url inputs. */
export function readK6Options(get: (name: InputName) => string | undefined, workspace: string): K6Options {
  const k6Path = optional(get('k6-path'));
  const install = parseInstallMethod(get('k6-install') ?? (k6Path ? 'path' : undefined));
  if (install === 'path' && !k6Path) {
    throw new ConfigError('k6-install is "path" but k6-path is not set; expected the path of a k6 binary');
  }
  return {
    version: parseInput('k6-version', get('k6-version')),
    install,
    downloadUrl: optional(get('k6-download-url')),
    sha256: optional(get('k6-sha256')),
    path: k6Path ? path.resolve(workspace, k6Path) : undefined,
  };
}

/** The Config alone, for entries that publish nothing of their own (CLI, demo). */
export async function configFromInputs(read: InputReader, context: InputContext): Promise<Config> {
  return (await readInputs(read, context)).config;
}

type Get = (name: InputName) => string | undefined;
type Value = <K extends InputName>(name: K) => ReturnType<typeof parseInput<K>>;

export async function readInputs(read: InputReader, context: InputContext): Promise<Inputs> {
  const get: Get = (name) => optional(read(name));
  const value: Value = (name) => parseInput(name, read(name), { onCi: context.onCi });
  const workspace = path.resolve(context.workspace);
  const scenarios = await readScenarios(read('scenarios'), workspace, context.scenariosDir);
  // A merge (of shard files) sends no load: it needs neither a target nor the load policy.
  const collect = await readCollect(get, value, context.env, workspace);
  const merging = get('merge-from') !== undefined || collect !== undefined;
  const { environmentName, environment, environmentOfTarget } = await resolveRunEnvironment(
    { name: get('environment'), file: get('environments'), target: get('target'), merging },
    workspace,
  );

  const env = parseEnvPairs('env', read('env'));
  // k6-gate sets PROFILE from the profile input; without one, the script sees the env input's PROFILE.
  // The heavy-load policy and the baseline key follow what the script will run.
  const profile = get('profile') ?? optional(env.PROFILE);
  // Refuse heavy profiles on PR/MR runs and protected or production environments before anything runs.
  if (!merging)
    assertLoadAllowed({
      profile,
      environment: environment ?? environmentOfTarget,
      environmentName,
      changeRequest: context.changeRequest,
      allowHeavyLoad: value('allow-heavy-load'),
    });
  checkK6Environment(context.env);

  const { target, baselineTarget, healthUrl } = readTargets(get, value, environment);

  // k6 resolves a relative open() path against the script, not the working directory: make the
  // scenario config file absolute so it means what the user wrote.
  if (env.CONFIG_FILE) env.CONFIG_FILE = insideWorkspace('CONFIG_FILE', env.CONFIG_FILE, workspace);
  const scriptSecrets = readScriptSecrets(get, context.env, env);
  const notify = parseNotifyInput(get('notify'), value('notify-on'), context.env);
  const secrets = [
    ...[target, baselineTarget].flatMap((url) => (url ? credentialsOf(url) : [])),
    ...scriptSecrets,
    ...(notify?.targets ?? []).map((notifyTarget) => notifyTarget.url),
    ...(collect ? [collect.token] : []),
  ];
  const paths = readFilePaths(get, context, workspace);
  const config: Config = {
    rulesOverrides: readRulesOverrides(value),
    scenarios,
    profile,
    target,
    environment: environmentName,
    healthUrl,
    preflightTimeoutMs: value('preflight-timeout'),
    ...paths,
    failOn: value('fail-on'),
    updateBaseline: value('update-baseline'),
    proposeBaseline: parseBaselineProposal(get('update-baseline')),
    k6: readK6Options(get, workspace),
    env,
    secrets,
    k6Args: ownK6Args(splitArgs(get('k6-args'))),
    timeoutMs: value('timeout'),
    htmlReport: value('html-report'),
    rawOutput: value('raw-output'),
    notify,
    analysis: { enabled: value('analysis'), top: value('endpoints-top') },
    confirm: value('confirm'),
    baselineTarget,
    abDesign: value('ab-design'),
    abMinEffect: value('ab-min-effect'),
    maxDurationMs: value('max-duration'),
    protectedEnvironment: isProtectedEnvironment(environmentName, environment ?? environmentOfTarget),
    allowNewBaseline: value('allow-new-baseline'),
    ...readShardOrMerge(get, workspace, collect && path.join(paths.resultsDir, COLLECTED_DIR)),
    metricsOutputs: parseMetricsOutput(get('metrics-output')).map((o) =>
      o.kind === 'json' ? { ...o, target: insideWorkspace('metrics-output json', o.target, workspace) } : o,
    ),
    collect,
    workspace,
    git: context.git ?? {},
  };
  return { config, publish: readPublishInputs(get, value) };
}

/** `k6-gate collect`'s settings (src/shard/collect-settings.ts), when it runs. */
async function readCollect(get: Get, value: Value, env: NodeJS.ProcessEnv, workspace: string): Promise<Config['collect']> {
  const runId = get('collect-run-id');
  if (runId === undefined) return undefined;
  const inputs = {
    runId,
    runners: value('collect-runners'),
    tokenEnv: get('collect-token-env'),
    tokenFile: get('collect-token-file'),
    listen: get('collect-listen'),
    runnerTimeoutMs: value('collect-runner-timeout')!,
    deadlineMs: value('collect-deadline')!,
    linger: value('collect-linger'),
  };
  return readCollectSettings(inputs, env, workspace);
}

/**
 * shard in each of N shard jobs; merge-from (or the collector's own folder) in the one merge job:
 * never both.
 */
function readShardOrMerge(get: Get, workspace: string, collectedDir: string | undefined): Pick<Config, 'shard' | 'merge'> {
  const shard = get('shard');
  const mergeFrom = get('merge-from');
  if (shard !== undefined && (mergeFrom !== undefined || collectedDir !== undefined)) {
    throw new ConfigError(
      `shard ${JSON.stringify(shard)} and merge-from ${JSON.stringify(mergeFrom)} are both set; expected shard in the N shard jobs and merge-from only in the one merge job`,
    );
  }
  const mergeDir = collectedDir ?? (mergeFrom !== undefined ? insideWorkspace('merge-from', mergeFrom, workspace) : undefined);
  return { shard: shard !== undefined ? parseShard(shard) : undefined, merge: mergeDir !== undefined ? { dir: mergeDir } : undefined };
}

/** The baseline, rules and results paths; the entry's own files stand in for unset inputs. */
function readFilePaths(get: Get, context: InputContext, workspace: string): Pick<Config, 'baselinePath' | 'configFile' | 'resultsDir'> {
  const baseline = get('baseline');
  const config = get('config');
  const resultsDir = get('results-dir') ?? DEFAULT_RESULTS_DIR;
  return {
    baselinePath:
      baseline === undefined && context.defaultFiles?.baseline
        ? context.defaultFiles.baseline
        : insideWorkspace('baseline', baseline ?? DEFAULT_BASELINE_PATH, workspace),
    configFile: config ? insideWorkspace('config', config, workspace) : context.defaultFiles?.config,
    resultsDir: context.resultsDirAnywhere ? path.resolve(workspace, resultsDir) : insideWorkspace('results-dir', resultsDir, workspace),
  };
}

/** The scenarios input → scripts, with names that stay apart as baseline keys and file names. */
async function readScenarios(text: string | undefined, workspace: string, scenariosDir: string | undefined): Promise<ScenarioSpec[]> {
  const scenarioNames = splitScenarioList(text);
  if (scenarioNames.length === 0) {
    throw new ConfigError(
      'no scenario given; expected one or more scenario names or k6 script paths, e.g. "http-endpoints" or "load/checkout.ts"',
    );
  }
  const scenarios: ScenarioSpec[] = [];
  for (const name of scenarioNames) scenarios.push(await resolveScenario(name, workspace, scenariosDir));
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    const other = seen.get(safeFileName(s.name));
    if (other === s.name)
      throw new ConfigError(`scenario name ${JSON.stringify(s.name)} is given twice; give one a distinct name with name=path`);
    // Names become file names (summary-<name>.json, k6-<name>.log): two that map to one would overwrite each other.
    if (other !== undefined) {
      throw new ConfigError(
        `scenario names ${JSON.stringify(other)} and ${JSON.stringify(s.name)} both become the file name part ${JSON.stringify(safeFileName(s.name))}, so their results would overwrite each other; expected names that differ in letters, digits, ".", "_" or "-": rename one with name=path`,
      );
    }
    seen.set(safeFileName(s.name), s.name);
  }
  return scenarios;
}

/** The target (given, else the environment's), the base deployment of A/B runs, and the URL the preflight polls. */
function readTargets(get: Get, value: Value, environment: EnvironmentDef | undefined) {
  const target = get('target') ?? environment?.baseUrl;
  const baselineTarget = get('baseline-target');
  checkTargets(target, baselineTarget);
  const defaultHealth = environment?.healthPath && target ? new URL(environment.healthPath, target).toString() : target;
  const healthUrl = value('preflight') ? (get('health-url') ?? defaultHealth) : undefined;
  return { target, baselineTarget, healthUrl };
}

/** target and baseline-target: http(s) URLs, and no base deployment without a candidate. */
function checkTargets(target: string | undefined, baselineTarget: string | undefined): void {
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
}

/**
 * secret-env and auth-token: added to the script's environment (by variable name, so their values
 * never appear in inputs or command lines); returns the values to mask. A value too short to mask
 * is refused, never quoted.
 */
function readScriptSecrets(get: Get, from: NodeJS.ProcessEnv, env: Record<string, string>): string[] {
  const tooShort = (value: string) =>
    `${value.length} character${value.length === 1 ? '' : 's'} long: too short to mask in logs (k6-gate masks secrets of ${MIN_SECRET_LENGTH} characters or more)`;
  const secrets: string[] = [];
  for (const name of parseList(get('secret-env'))) {
    const value = from[name];
    if (value === undefined || value === '') {
      throw new ConfigError(
        `secret-env names ${name}, but no such environment variable is set; expected the name of a variable that holds the secret`,
      );
    }
    if (value.length < MIN_SECRET_LENGTH)
      throw new ConfigError(`secret-env names ${name}, whose value is ${tooShort(value)}; expected a real secret`);
    env[name] = value;
    secrets.push(value);
  }
  const authToken = get('auth-token');
  if (authToken !== undefined) {
    if (authToken.length < MIN_SECRET_LENGTH) throw new ConfigError(`auth-token is ${tooShort(authToken)}; expected a real token`);
    env.AUTH_TOKEN = authToken;
    secrets.push(authToken);
  }
  return secrets;
}

function readPublishInputs(get: Get, value: Value): PublishInputs {
  return {
    comment: value('comment'),
    commentId: get('comment-id'),
    artifactName: get('artifact-name'),
    retentionDays: value('retention-days'),
    uploadArtifacts: value('upload-artifacts'),
    token: get('token'),
    matrix: get('matrix'),
    mrNote: value('mr-note'),
    dotenvPrefix: get('dotenv-prefix'),
  };
}

/** The rules inputs; each one, when set, wins over the rules file. */
function readRulesOverrides(value: Value): Config['rulesOverrides'] {
  const overrides: NonNullable<Config['rulesOverrides']> = {
    tolerance: value('tolerance'),
    historyLimit: value('history-limit'),
    confidence: value('confidence'),
    watch: value('watch'),
  };
  for (const key of Object.keys(overrides) as (keyof typeof overrides)[]) if (overrides[key] === undefined) delete overrides[key];
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

/** k6-args without the options k6-gate owns (checkK6Args refuses them, naming the input to use). */
function ownK6Args(args: string[]): string[] {
  checkK6Args(args);
  return args;
}
