// `k6-gate run` and `k6-gate merge`: flags → the same named inputs as the action → Config → runGate.
import path from 'node:path';
import { exitStatusForSignal } from '../cancel.js';
import { ConfigError, parseCommandArgs } from '../config.js';
import { inputsFromFlags, normaliseArgv, parseArgsOptions } from '../input-spec.js';
import { readInputs, type Inputs } from '../inputs.js';
import { startPreflight } from '../k6/preflight.js';
import type { Logger } from '../log.js';
import { HELP } from './help.js';
import { isExpectedError } from '../errors.js';
import { detectPlatform } from '../platform/registry.js';
import type { CliIO } from './io.js';

/** The command's flags from the input specification, read with node's parseArgs (strict). */
function parseRunFlags(command: 'run' | 'merge', args: string[]) {
  const { values, positionals } = parseCommandArgs(parseArgsOptions(command), normaliseArgv(command, args), undefined);
  return { values, inputs: inputsFromFlags(command, values, positionals) };
}

export async function commandRun(args: string[], io: CliIO, log: Logger, command: 'run' | 'merge' = 'run'): Promise<number> {
  const platform = detectPlatform(io.env);
  // Bad input: the change request's sticky comment says so instead of keeping the last report.
  const reportBadInput = async (error: unknown): Promise<never> => {
    if (isExpectedError(error)) await platform.publishFailure(error.message, { log, env: io.env });
    throw error;
  };
  const { values, inputs } = await Promise.resolve()
    .then(() => parseRunFlags(command, args))
    .catch(reportBadInput);
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const { config, publish } = await readInputs((name) => inputs[name], {
    workspace: io.cwd,
    env: io.env,
    ...platform.facts(io.env),
    resultsDirAnywhere: true,
  }).catch(reportBadInput);
  return gateAndPublish({ config, publish }, { json: values.json === true }, io, log, platform);
}

/**
 * The gate for a Config read from the flags, published to the platform, printed, and turned into
 * the exit status: what `run`, `merge` and `collect` share once their inputs are read.
 */
export async function gateAndPublish(
  { config, publish }: Inputs,
  values: { json: boolean },
  io: CliIO,
  log: Logger,
  platform = detectPlatform(io.env),
): Promise<number> {
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
    mrNote: publish.mrNote,
    dotenvPrefix: publish.dotenvPrefix,
    noteId: publish.commentId,
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
    throw new ConfigError(
      "merge needs --from DIR: the folder holding the shards' state-<scenario>.shard-<i>-of-<N>.json files (or their k6-<scenario>.shard-<i>-of-<N>.json.gz raw samples)",
    );
  }
  return commandRun(args, io, log, 'merge');
}
