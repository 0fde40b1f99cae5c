#!/usr/bin/env node
// The k6-gate command line: the same pipeline as the action, for laptops and GitLab jobs.
// Exit status: 0 passed, 1 gate failed by policy, 2 error.
import type { ParseArgsConfig } from 'node:util';
import path from 'node:path';
import { ConfigError, DEFAULT_K6_VERSION, parseCommandArgs, parseInstallMethod, parseK6Version, optional } from './config.js';
import { exitStatusForSignal, type Cancellation } from './cancel.js';
import { describeFailure } from './errors.js';
import { createTerminalLogger, type Logger } from './log.js';
import { VERSION } from './version.js';

// Each command loads its modules when it runs, so `--version` and `--help` start in node's own time.
// `webpackMode: "eager"` keeps them in the one bundle (no chunk files next to dist/cli.js); only
// their evaluation is deferred, and that is what costs at start (the pipeline and what it pulls in).
const load = {
  pipeline: () => import(/* webpackMode: "eager" */ './pipeline.js'),
  inputs: () => import(/* webpackMode: "eager" */ './inputs.js'),
  gitlab: () => import(/* webpackMode: "eager" */ './platform/gitlab/publish.js'),
  markdown: () => import(/* webpackMode: "eager" */ './report/markdown.js'),
  install: () => import(/* webpackMode: "eager" */ './k6/install.js'),
  demo: () => import(/* webpackMode: "eager" */ './demo/demo.js'),
  baseline: () => import(/* webpackMode: "eager" */ './baseline-command.js'),
  operator: () => import(/* webpackMode: "eager" */ './shard/operator-cli.js'),
};

const HELP = `k6-gate ${VERSION} — load-test regression gate around k6

Usage:
  k6-gate run <scenario...> [options]   run scenarios, compare with the baseline, report, gate
  k6-gate demo [--slowdown 50%]         start the bundled demo target and gate a smoke run against it
  k6-gate demo-target [--port 8080]     run the demo target in the foreground (Ctrl-C stops it)
  k6-gate install [--k6-version V]      install k6 and print its path
  k6-gate baseline show|diff|update     look at or maintain the baseline file
  k6-gate merge <scenario...> --from DIR [options]
                                        gate a sharded run: merge the shards' raw samples under DIR
                                        (k6-<scenario>.shard-*.json.gz), then compare and report
  k6-gate operator-manifest <scenario> --name NAME --parallelism N
                                        write a k6-operator TestRun (see operator-manifest --help)
  k6-gate --help | --version

A scenario is a bundled name (http-endpoints, crud-flow, jsonrpc, websocket, user-flow) or a
path to your own k6 script; name=path sets the name used in reports and the baseline.

Run options:
  --profile NAME            smoke | load | stress | spike | soak | breakpoint (bundled scenarios)
  --target URL              base URL of the system under test (BASE_URL for the script)
  --environment NAME        a named environment (its base URL is the default target)
  --environments FILE       named environments (default k6-gate.environments.json, if present)
  --allow-heavy-load        allow stress/spike/soak/breakpoint against a protected environment
  --health-url URL          wait for this URL before k6 starts (default: the target)
  --no-preflight            do not wait for the target
  --preflight-timeout D     how long to wait for the target (default 30s)
  --baseline FILE           baseline JSON (default k6-baseline.json)
  --config FILE             rules file: watched metrics, tolerances (JSON or YAML)
  --tolerance P             relative tolerance of every watched metric, e.g. 10% (overrides --config)
  --watch METRIC:STAT       watch this metric instead of the defaults (repeatable), e.g. http_req_duration:p(95)
  --history-limit N         runs kept in the baseline history (default 10)
  --confidence C            prediction-interval confidence (default 0.99)
  --results-dir DIR         where summaries and reports go (default k6-gate-results)
  --fail-on LIST            regression,thresholds (default) | regression | thresholds | none
  --update-baseline [MODE]  record this run in the baseline: true | auto (default branch) | always | force | false
  --env KEY=VALUE           extra variable for the script (repeatable)
  --secret-env NAME         pass this environment variable to k6 as a secret (repeatable)
  --k6-args "ARGS"          extra k6 arguments, split like a shell would (no shell runs)
  --timeout D               stop k6 after D (SIGINT, then kill after a grace period)
  --no-html-report          skip k6's HTML dashboard report
  --raw-output              also write every sample (k6-<scenario>.json.gz)
  --metrics-output KIND=T   stream k6's samples while it runs (repeatable): prometheus=<remote-write URL>
                            (k6-gate pushes its verdict series there too), prometheus-native=URL
                            (Trends as native histograms), influxdb=URL, otlp=URL, json=FILE
  --notify KIND=VAR         notify slack=VAR or webhook=VAR (VAR holds the URL; repeatable)
  --notify-on WHEN          regression (default), error or always
  --no-analysis             skip live sample analysis (per-endpoint table, error mix, k6 health, sampling bands)
  --analysis BOOL           the same as a value: true (default) | false
  --endpoints-top N         endpoints listed in the per-endpoint table (default 10)
  --confirm N               rerun a regressed scenario up to N times; fail only if it persists (default 1)
  --baseline-target URL     A/B mode: a deployment of the base version, run in ABBA rounds with --target
  --shard I/N               run shard I of N (execution segments); writes shard files for merge
  --from DIR                (merge) folder with the shard files of all shards
  --k6-version V            k6 to use (default ${DEFAULT_K6_VERSION})
  --k6-install METHOD       auto | release | go | path (default auto)
  --k6-path FILE            a k6 binary to use (implies --k6-install path)
  --k6-download-url URL     release URL template for mirrors: {tag} {version} {asset}
  --json                    print comparison.json instead of the Markdown report
  --verbose                 more log lines (and the stack of an error)

Exit status: 0 passed, 1 the gate failed by policy, 2 error (k6 or the target could not run, bad input),
130/143 stopped by SIGINT/SIGTERM (k6 is stopped and the partial results are written; a second signal stops at once).
`;

const RUN_OPTIONS = {
  profile: { type: 'string' },
  target: { type: 'string' },
  environment: { type: 'string' },
  environments: { type: 'string' },
  'allow-heavy-load': { type: 'boolean' },
  'health-url': { type: 'string' },
  'no-preflight': { type: 'boolean' },
  'preflight-timeout': { type: 'string' },
  baseline: { type: 'string' },
  config: { type: 'string' },
  tolerance: { type: 'string' },
  'history-limit': { type: 'string' },
  confidence: { type: 'string' },
  watch: { type: 'string', multiple: true },
  'results-dir': { type: 'string' },
  'fail-on': { type: 'string' },
  'update-baseline': { type: 'string' },
  env: { type: 'string', multiple: true },
  'secret-env': { type: 'string', multiple: true },
  'k6-args': { type: 'string' },
  timeout: { type: 'string' },
  'no-html-report': { type: 'boolean' },
  'raw-output': { type: 'boolean' },
  'metrics-output': { type: 'string', multiple: true },
  'no-analysis': { type: 'boolean' },
  analysis: { type: 'string' },
  notify: { type: 'string', multiple: true },
  'notify-on': { type: 'string' },
  'endpoints-top': { type: 'string' },
  confirm: { type: 'string' },
  'baseline-target': { type: 'string' },
  shard: { type: 'string' },
  from: { type: 'string' },
  'k6-version': { type: 'string' },
  'k6-install': { type: 'string' },
  'k6-path': { type: 'string' },
  'k6-download-url': { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export interface CliIO {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Fed by the process's SIGINT/SIGTERM (bin.ts): a run stops gracefully and exits 130/143. */
  cancellation?: Cancellation;
}

/** `--update-baseline` may stand alone (meaning true) or take a mode. */
function normaliseArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // k6 arguments start with a dash, which parseArgs would take for a flag of ours.
    if (arg === '--k6-args' && i + 1 < argv.length) {
      out.push(`--k6-args=${argv[++i]}`);
      continue;
    }
    out.push(arg);
    if (arg === '--update-baseline') {
      const next = argv[i + 1];
      // A mode word, or a word that looks like one ("yes", "on", "0"): the latter must fail as a
      // bad mode rather than run as a scenario of that name.
      const modeLike = next !== undefined && /^(true|false|auto|force|always|never|yes|no|on|off|y|n|0|1|enabled?|disabled?)$/i.test(next);
      if (!modeLike) out.push('true');
    }
  }
  return out;
}

function parse<T extends ParseArgsConfig['options']>(options: T, args: string[]) {
  return parseCommandArgs(options, normaliseArgv(args), undefined);
}

function isGitLab(env: NodeJS.ProcessEnv): boolean {
  return env.GITLAB_CI === 'true';
}

function gitFacts(env: NodeJS.ProcessEnv) {
  if (isGitLab(env)) {
    return {
      commit: env.CI_COMMIT_SHA,
      ref: env.CI_COMMIT_REF_NAME,
      isDefaultBranch: env.CI_COMMIT_BRANCH !== undefined && env.CI_COMMIT_BRANCH === env.CI_DEFAULT_BRANCH,
    };
  }
  return { commit: env.GIT_COMMIT, ref: env.GIT_BRANCH };
}

async function commandRun(args: string[], io: CliIO, log: Logger): Promise<number> {
  const { values, positionals } = parse(RUN_OPTIONS, args);
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const inputs: Record<string, string | undefined> = {
    scenarios: positionals.join('\n'),
    profile: values.profile,
    target: values.target,
    environment: values.environment,
    environments: values.environments,
    'allow-heavy-load': values['allow-heavy-load'] ? 'true' : undefined,
    'health-url': values['health-url'],
    preflight: values['no-preflight'] ? 'false' : undefined,
    'preflight-timeout': values['preflight-timeout'],
    baseline: values.baseline,
    config: values.config,
    tolerance: values.tolerance,
    'history-limit': values['history-limit'],
    confidence: values.confidence,
    watch: values.watch?.join('\n'),
    'results-dir': values['results-dir'],
    'fail-on': values['fail-on'],
    'update-baseline': values['update-baseline'],
    env: (values.env ?? []).map((pair) => (/[\s"'\\]/.test(pair) ? `'${pair.replace(/'/g, `'\\''`)}'` : pair)).join(' '),
    'secret-env': (values['secret-env'] ?? []).join(','),
    'k6-args': values['k6-args'],
    timeout: values.timeout,
    'html-report': values['no-html-report'] ? 'false' : undefined,
    'raw-output': values['raw-output'] ? 'true' : undefined,
    'metrics-output': values['metrics-output']?.join('\n'),
    analysis: values['no-analysis'] ? 'false' : values.analysis,
    notify: (values.notify ?? []).join(','),
    'notify-on': values['notify-on'],
    'endpoints-top': values['endpoints-top'],
    confirm: values.confirm,
    'baseline-target': values['baseline-target'],
    shard: values.shard,
    'merge-from': values.from,
    'k6-version': values['k6-version'],
    'k6-install': values['k6-install'],
    'k6-path': values['k6-path'],
    'k6-download-url': values['k6-download-url'],
  };
  const [{ configFromInputs }, { exitStatusFor, runGate }, { renderMarkdownReport }] = await Promise.all([
    load.inputs(),
    load.pipeline(),
    load.markdown(),
  ]);
  const config = await configFromInputs((name) => inputs[name], {
    workspace: io.cwd,
    env: io.env,
    git: gitFacts(io.env),
    onCi: isGitLab(io.env) || io.env.CI === 'true',
    changeRequest: isGitLab(io.env) && io.env.CI_MERGE_REQUEST_IID ? 'merge request pipeline' : undefined,
    resultsDirAnywhere: true,
  });
  const result = await runGate(config, log, { cancellation: io.cancellation });
  if (isGitLab(io.env)) await (await load.gitlab()).publishGitLab(result, { resultsDir: config.resultsDir, log, env: io.env });
  io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderMarkdownReport(result));
  log.info(
    `k6-gate: results in ${path.relative(io.cwd, config.resultsDir) || '.'}/ (report.md, comparison.json, summaries, k6 logs${config.htmlReport ? ', HTML reports' : ''})`,
  );
  if (result.cancelled) {
    log.warning(`k6-gate: cancelled by ${result.cancelled}; the partial results are written`);
    return exitStatusForSignal(result.cancelled);
  }
  return exitStatusFor(result);
}

async function commandInstall(args: string[], io: CliIO, log: Logger): Promise<number> {
  const { values } = parse(
    {
      'k6-version': { type: 'string' },
      'k6-install': { type: 'string' },
      method: { type: 'string' },
      'k6-download-url': { type: 'string' },
      'k6-path': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    args,
  );
  if (values.help) {
    io.stdout(
      'k6-gate install [--k6-version X.Y.Z] [--method auto|release|go|path] [--k6-download-url TEMPLATE] [--k6-path FILE]\nPrints the path of the installed k6 on stdout.\n',
    );
    return 0;
  }
  const { installK6 } = await load.install();
  const installed = await installK6(
    {
      version: parseK6Version(optional(values['k6-version']) ?? DEFAULT_K6_VERSION),
      install: parseInstallMethod(values.method ?? values['k6-install']),
      downloadUrl: optional(values['k6-download-url']),
      path: values['k6-path'] ? path.resolve(io.cwd, values['k6-path']) : undefined,
    },
    log,
  );
  log.info(`k6 ${installed.version} ready (${installed.source}): ${installed.path}`);
  io.stdout(`${installed.path}\n`);
  return 0;
}

/** Runs the CLI and returns the exit status; never calls process.exit itself. */
export async function main(io: CliIO): Promise<number> {
  const [command, ...given] = io.argv;
  // Every command takes --verbose: it adds debug lines and the stack of an error.
  const verbose = given.includes('--verbose');
  const rest = given.filter((arg) => arg !== '--verbose');
  const log = createTerminalLogger({ verbose, gitlabSections: isGitLab(io.env), write: (line) => io.stderr(`${line}\n`) });
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
      case '-v':
        io.stdout(`${VERSION}\n`);
        return 0;
      case 'run':
        return await commandRun(rest, io, log);
      case 'merge':
        if (!rest.some((a) => a === '--from' || a.startsWith('--from=')) && !rest.includes('--help')) {
          throw new ConfigError("merge needs --from DIR: the folder holding the shards' k6-<scenario>.shard-<i>-of-<N>.json.gz files");
        }
        return await commandRun(rest, io, log);
      case 'operator-manifest':
        return await (await load.operator()).commandOperatorManifest(rest, io, log);
      case 'baseline':
        return await (await load.baseline()).runBaselineCommand(rest, io, log);
      case 'install':
        return await commandInstall(rest, io, log);
      case 'demo':
        return await (await load.demo()).runDemo(rest, io, log);
      case 'demo-target':
        return await (await load.demo()).startDemoTargetFromFlags(rest, io, log);
      default:
        throw new ConfigError(
          `unknown command ${JSON.stringify(command)}; expected run, merge, operator-manifest, demo, demo-target, baseline or install (see k6-gate --help)`,
        );
    }
  } catch (error) {
    log.error(describeFailure(error, verbose));
    return 2;
  }
}
