// `k6-gate run` and `k6-gate merge`: flags → the same named inputs as the action → Config → runGate.
import type { ParseArgsConfig } from 'node:util';
import path from 'node:path';
import { exitStatusForSignal } from '../cancel.js';
import { ConfigError, parseCommandArgs, quoteArg } from '../config.js';
import { configFromInputs } from '../inputs.js';
import { startPreflight } from '../k6/preflight.js';
import type { Logger } from '../log.js';
import { HELP } from './help.js';
import { isExpectedError } from '../errors.js';
import { detectPlatform } from '../platform/registry.js';
import type { CliIO } from './io.js';

const RUN_OPTIONS = {
  profile: { type: 'string' },
  target: { type: 'string' },
  environment: { type: 'string' },
  environments: { type: 'string' },
  'allow-heavy-load': { type: 'boolean' },
  'allow-new-baseline': { type: 'string' },
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
  'k6-sha256': { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

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
      const modeLike =
        next !== undefined &&
        /^(true|false|auto|force|always|never|pull-request|merge-request|yes|no|on|off|y|n|0|1|enabled?|disabled?)$/i.test(next);
      if (!modeLike) out.push('true');
    }
  }
  return out;
}

function parse<T extends ParseArgsConfig['options']>(options: T, args: string[]) {
  return parseCommandArgs(options, normaliseArgv(args), undefined);
}

export async function commandRun(args: string[], io: CliIO, log: Logger): Promise<number> {
  const platform = detectPlatform(io.env);
  // Bad input: the change request's sticky comment says so instead of keeping the last report.
  const reportBadInput = async (error: unknown): Promise<never> => {
    if (isExpectedError(error)) await platform.publishFailure(error.message, { log, env: io.env });
    throw error;
  };
  const { values, positionals } = await Promise.resolve()
    .then(() => parse(RUN_OPTIONS, args))
    .catch(reportBadInput);
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
    'allow-new-baseline': values['allow-new-baseline'],
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
    env: (values.env ?? []).map(quoteArg).join(' '),
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
    'k6-sha256': values['k6-sha256'],
  };
  const config = await configFromInputs((name) => inputs[name], {
    workspace: io.cwd,
    env: io.env,
    ...platform.facts(io.env),
    resultsDirAnywhere: true,
  }).catch(reportBadInput);
  // The target's health check starts before the gate's modules are loaded and evaluated (most of
  // a short run's start-up), so the target's answer is awaited meanwhile; runGate waits for it before
  // k6 starts. Its request is sent first: evaluating modules holds the thread that writes it.
  const preflight = startPreflight(config, log);
  await preflight?.sent;
  const [{ exitStatusFor, runGate, wroteResults }, { renderMarkdownReport }] = await Promise.all([
    import(/* webpackMode: "eager" */ '../gate/gate.js'),
    import(/* webpackMode: "eager" */ '../report/markdown.js'),
  ]);
  const result = await runGate(config, log, { cancellation: io.cancellation, preflight });
  await platform.publish(result, {
    resultsDir: config.resultsDir,
    log,
    env: io.env,
    baseline: config.proposeBaseline && { proposal: config.proposeBaseline, file: config.baselinePath, workspace: config.workspace },
  });
  io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderMarkdownReport(result));
  if (wroteResults(result))
    log.info(
      `k6-gate: results in ${path.relative(io.cwd, config.resultsDir) || '.'}/ (report.md, comparison.json, summaries, k6 logs${result.scenarios.some((s) => s.files.html) ? ', HTML reports' : ''})`,
    );
  if (result.cancelled) {
    log.warning(`k6-gate: cancelled by ${result.cancelled}; the partial results are written`);
    return exitStatusForSignal(result.cancelled);
  }
  return exitStatusFor(result);
}

/** `k6-gate merge`: a run whose summaries come from the shards' files under --from. */
export async function commandMerge(args: string[], io: CliIO, log: Logger): Promise<number> {
  if (!args.some((a) => a === '--from' || a.startsWith('--from=')) && !args.includes('--help')) {
    throw new ConfigError("merge needs --from DIR: the folder holding the shards' k6-<scenario>.shard-<i>-of-<N>.json.gz files");
  }
  return commandRun(args, io, log);
}
