// `k6-gate collect`: the receiver k6 runners push to (src/shard/collector.ts); once every runner
// finished (or the rest are reported missing), each runner's state is written under
// <results-dir>/collected/ and the gate runs in merge mode on them, reporting like `merge`.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, parseCommandArgs } from '../config.js';
import { formatDuration } from '../format.js';
import { inputsFromFlags, normaliseArgv, parseArgsOptions, renderFlagHelp } from '../input-spec.js';
import { readInputs } from '../inputs.js';
import { k6Environment } from '../k6/environment.js';
import { safeFileName } from '../k6/files.js';
import { inspectThresholds } from '../k6/inspect.js';
import type { Logger } from '../log.js';
import { detectPlatform } from '../platform/registry.js';
import { collectionProblems, describeRunner, runnerStates, type Collection } from '../shard/collector.js';
import { startCollector } from '../shard/collector-server.js';
import { shardStateFileName } from '../shard/shard.js';
import { shardStateText } from '../shard/state.js';
import type { CliIO } from './io.js';
import { gateAndPublish } from './run.js';

export const COLLECT_HELP = `k6-gate collect <scenario> --run-id ID --runners N (--token-env NAME | --token-file FILE) [options]

Receives the remote-write pushes of N k6 processes (k6-operator runners, or any fleet) running one
test with execution segments, keeps each runner's totals apart, and once all N have finished gates
the merged state like \`k6-gate merge\`: the same reports and exit status. Every runner runs k6 with
  --out experimental-prometheus-rw --tag instance_id=<1..N> --tag testrun_name=<ID>
  K6_PROMETHEUS_RW_SERVER_URL=http://<this collector>/api/v1/write
  K6_PROMETHEUS_RW_BEARER_TOKEN=<the token>  K6_PROMETHEUS_RW_STALE_MARKERS=true
  native histograms (k6 2: K6_FEATURES=native-histograms; k6 1: K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true)
(k6-operator adds both tags; \`k6-gate operator-manifest --collector\` writes all of it). See docs/scale-out.md.

Options:
${renderFlagHelp('collect')}`;

export async function commandCollect(args: string[], io: CliIO, log: Logger): Promise<number> {
  const { values, positionals } = parseCommandArgs(parseArgsOptions('collect'), normaliseArgv('collect', args), 'collect');
  if (values.help) {
    io.stdout(COLLECT_HELP);
    return 0;
  }
  const inputs = inputsFromFlags('collect', values, positionals);
  if (inputs['collect-run-id'] === undefined) {
    throw new ConfigError('collect needs --run-id ID: the testrun_name tag the runners push with (k6-operator: the TestRun name)');
  }
  if (positionals.length !== 1) {
    throw new ConfigError(
      `collect gates one scenario (the script the runners run); got ${positionals.length} (${positionals.join(' ') || 'none'})`,
    );
  }
  const platform = detectPlatform(io.env);
  const read = await readInputs((name) => inputs[name], {
    workspace: io.cwd,
    env: io.env,
    ...platform.facts(io.env),
    resultsDirAnywhere: true,
  });
  const { config } = read;
  const settings = config.collect!;
  log.addSecret(settings.token);
  const collector = await startCollector({ ...settings, deadlineAt: Date.now() + settings.deadlineMs, log });
  // Remote write carries no thresholds: k6 reads them from the script while the runners run.
  const spec = config.scenarios[0];
  const thresholds = inspectThresholds({
    k6Path: config.k6.path ?? 'k6',
    script: spec.script,
    env: withoutValue(k6Environment(io.env, { ...config.env, K6_NO_USAGE_REPORT: 'true' }), settings.token),
    cwd: config.workspace,
  });
  log.info(
    `k6-gate collect: waiting for ${settings.runners} runner(s) of run ${settings.runId} at ${collector.url} ` +
      `(a runner silent for ${formatDuration(settings.runnerTimeoutMs)} is reported; deadline ${formatDuration(settings.deadlineMs)})`,
  );
  const stopListening = io.cancellation?.onRequest(() => collector.close());
  const collection = await collector.done.finally(() => stopListening?.());
  log.info(`k6-gate collect: ${describeEnd(collection)}`);

  const dir = config.merge!.dir;
  const expressions = await thresholds;
  if (!expressions) {
    log.warning(
      `k6-gate collect: \`k6 inspect\` could not read the thresholds of ${spec.script} (is k6 on PATH, or --k6-path set?): the merged test is gated without the script's thresholds`,
    );
  }
  await writeRunnerStates(collection, spec.name, dir, expressions ?? {});
  const problems = collectionProblems(collection);
  if (io.cancellation?.requested) problems.push(`the collection was stopped by ${io.cancellation.signal} before every runner finished`);
  const status = await gateAndPublish(
    { ...read, config: { ...config, merge: { dir, problems } } },
    { json: values.json === true },
    io,
    log,
    platform,
  );
  if (settings.linger && io.cancellation && !io.cancellation.requested) {
    log.info(`k6-gate collect: the verdict is written (exit status ${status}); lingering until stopped, so the results can be copied`);
    await new Promise<void>((resolve) => io.cancellation!.onRequest(() => resolve()));
  }
  return status;
}

/** The environment without any variable holding `secret` (a --token-env named K6_… would reach k6). */
function withoutValue(env: NodeJS.ProcessEnv, secret: string): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== secret));
}

function describeEnd(collection: Collection): string {
  const finished = collection.runners.filter((r) => r.finishedAt !== undefined).length;
  const took = formatDuration(collection.endedAt - collection.startedAt);
  const why = {
    finished: 'every runner finished',
    stopped: 'the others stopped pushing',
    deadline: 'the deadline passed',
    closed: 'stopped',
  }[collection.ended];
  const missing = collection.missing.map((m) => describeRunner(m)).join(', ');
  return `${finished} of ${collection.runners.length} runners finished in ${took} (${why})${missing ? `; missing: ${missing}` : ''}`;
}

/** One state file per finished runner, in a folder that holds this run's states only. */
async function writeRunnerStates(
  collection: Collection,
  scenario: string,
  dir: string,
  thresholds: Record<string, string[]>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) if (/^state-.+\.json$/.test(name)) await rm(path.join(dir, name), { force: true });
  const name = safeFileName(scenario);
  for (const state of runnerStates(collection, name, thresholds)) {
    await writeFile(path.join(dir, shardStateFileName(name, state.shard!)), shardStateText(state));
  }
}
