// Step 4, one measurement: one k6 run of one scenario (with live analysis around it, or as one shard
// of a sharded test), or, in merge mode, the shards' results merged into one summary; then judged.
import { readFile, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Config, ScenarioSpec } from '../config.js';
import { k6Environment } from '../k6/environment.js';
import { k6FileNames, safeFileName } from '../k6/files.js';
import { inspectExecutorModel } from '../k6/inspect.js';
import type { InstalledK6 } from '../k6/install.js';
import { runK6, type K6RunResult } from '../k6/run.js';
import { readScriptException } from '../k6/script-error.js';
import { formatDuration } from '../format.js';
import { parseSummary } from '../k6/summary.js';
import type { RunSummary, ScenarioResult } from '../model.js';
import { metricsOutputArgs, metricsOutputEnv } from '../observability/metrics-output.js';
import { runLabels } from '../observability/push.js';
import { runFindings, startRunAnalysis, type RunAnalysis, type RunAnalysisResult } from '../samples/run-analysis.js';
import { keepShardFiles, mergeScenarioForGate } from '../shard/gate-files.js';
import { shardArgs, shardRawFileName } from '../shard/shard.js';
import { startShardStateRun, type ShardStateRun } from '../shard/state-files.js';
import { markInconclusive } from '../verdict/outcome.js';
import { trendsOf, watchedPercentileMetrics } from '../verdict/samples.js';
import { compareSummary, settleScenario, trendStatsFor, type Judging } from './judge.js';
import { newScenarioResult, type GateRun } from './result.js';

/** One scenario of the run, with what it is judged against. */
export interface ScenarioStep {
  run: GateRun;
  spec: ScenarioSpec;
  judging: Judging;
}

/** The variables k6 gets for this scenario: the outputs' settings, the user's `env`, BASE_URL and PROFILE. */
export function k6Variables(config: Config, k6: InstalledK6): Record<string, string> {
  const env = metricsOutputEnv(config.metricsOutputs ?? [], k6.version, config.env);
  if (config.target) env.BASE_URL = config.target;
  if (config.profile) env.PROFILE = config.profile;
  return env;
}

/**
 * One k6 run of the scenario with `config` (A/B rounds change the target). Reruns and A/B rounds
 * label their files (`<scenario>.<label>`): nothing measured is lost. A shard is judged only after
 * the merge, from the state files (or, with --raw-output, the raw samples) of all shards; it runs
 * without live analysis.
 */
export async function runScenarioOnce(step: ScenarioStep, k6: InstalledK6, config: Config, label?: string): Promise<ScenarioResult> {
  const { spec, judging } = step;
  const { log, cancellation, result } = step.run;
  const fileName = label ? `${spec.name}.${label}` : spec.name;
  const names = k6FileNames(fileName);
  const scenario = newScenarioResult(config, spec);
  const env = k6Variables(config, k6);
  const metricsArgs = result.testId
    ? metricsOutputArgs(config.metricsOutputs ?? [], { ...runLabels(config, result.testId), gate_scenario: spec.name })
    : [];
  const analysisOptions = config.analysis ?? { enabled: true, top: 10 };
  const watched = watchedPercentileMetrics(judging.rules.watch);
  const analysis = !config.shard && analysisOptions.enabled ? await startAnalysis(step, k6, config, env, fileName, watched) : undefined;
  const shardState = config.shard && !config.rawOutput ? await startShardState(step, k6, config, env) : undefined;
  const run = await runK6({
    k6Path: k6.path,
    script: spec.script,
    scenario: fileName,
    resultsDir: config.resultsDir,
    env,
    args: [
      ...metricsArgs,
      ...(analysis?.args ?? []),
      ...(shardState?.args ?? []),
      ...config.k6Args,
      ...(config.shard ? shardArgs(config.shard.index, config.shard.count) : []),
    ],
    trendStats: trendStatsFor(judging.rules),
    timeoutMs: config.timeoutMs,
    htmlReport: config.htmlReport,
    rawOutput: config.shard
      ? shardState
        ? undefined
        : shardRawFileName(safeFileName(spec.name), config.shard)
      : config.rawOutput
        ? `k6-${safeFileName(fileName)}.json.gz`
        : undefined,
    liveOutput: analysis?.liveOutput,
    onSpawn: (pid) => analysis?.onSpawn(pid),
    log,
    secrets: config.secrets,
    cwd: config.workspace,
    cancellation,
  });
  const measured = await analysis?.stop();
  scenario.executorModel = measured?.executorModel;
  const state = await shardState?.finish({ summaryFile: run.files.summary });
  if (state?.file) scenario.files.shardState = state.file;
  await noteK6Run(scenario, run, names, step, k6, config);
  await judgeK6Run(scenario, run, names.summary, step, measured, watched, state?.file ? undefined : state?.problem);
  const findings = measured
    ? runFindings(measured, {
        summary: scenario.summary,
        k6Log: await readFile(run.files.log, 'utf8').catch(() => ''),
        top: analysisOptions.top,
        baseline: judging.baseline?.scenarios[scenario.key],
      })
    : undefined;
  if (findings) {
    scenario.analysis = findings;
    for (const warning of findings.loadGenerator?.warnings ?? []) log.warning(`k6-gate: ${spec.name}: ${warning}`);
    const untrustworthy = findings.loadGenerator?.untrustworthy ?? [];
    // A load generator unfit to measure: whatever the numbers say, they cannot say "passed".
    if (untrustworthy.length > 0 && scenario.outcome !== 'error') {
      markInconclusive(scenario, `the load generator was unhealthy: ${untrustworthy.join('; ')}`);
      log.warning(`k6-gate: ${spec.name}: inconclusive: ${scenario.inconclusive}`);
    }
  }
  return scenario;
}

/** A shard's state receiver (shard/state-files.ts); undefined when the shard writes raw samples instead. */
function startShardState(
  step: ScenarioStep,
  k6: InstalledK6,
  config: Config,
  env: Record<string, string>,
): Promise<ShardStateRun | undefined> {
  return startShardStateRun({
    scenario: safeFileName(step.spec.name),
    shard: config.shard!,
    resultsDir: config.resultsDir,
    k6Version: k6.version,
    metricsOutputs: config.metricsOutputs,
    k6Args: config.k6Args,
    env,
    log: step.run.log,
  });
}

/** Live analysis around the k6 run (samples/run-analysis.ts), with `k6 inspect` in k6's environment. */
function startAnalysis(
  step: ScenarioStep,
  k6: InstalledK6,
  config: Config,
  env: Record<string, string>,
  fileName: string,
  watched: string[],
): Promise<RunAnalysis> {
  return startRunAnalysis({
    resultsDir: config.resultsDir,
    fileName: safeFileName(fileName),
    k6Version: k6.version,
    metricsOutputs: config.metricsOutputs,
    k6Args: config.k6Args,
    env,
    watched,
    // The same allow-listed environment as `k6 run`: the script's init code runs here too.
    inspect: () =>
      inspectExecutorModel({
        k6Path: k6.path,
        script: step.spec.script,
        env: k6Environment(process.env, { ...env, K6_NO_USAGE_REPORT: 'true' }),
        cwd: config.workspace,
      }),
    log: step.run.log,
  });
}

/** k6's exit, wall time and files on the scenario (a shard's summary and log under shard names). */
async function noteK6Run(
  scenario: ScenarioResult,
  run: K6RunResult,
  names: ReturnType<typeof k6FileNames>,
  step: ScenarioStep,
  k6: InstalledK6,
  config: Config,
): Promise<void> {
  scenario.exitCode = run.exitCode ?? undefined;
  scenario.exitMeaning = run.meaning;
  scenario.k6WallMs = run.wallMs;
  scenario.files.log = names.log;
  scenario.exception = await readScriptException(run.files.log, run.exitCode);
  if (run.files.html) scenario.files.html = names.html;
  if (run.files.raw) scenario.files.raw = path.basename(run.files.raw);
  step.run.log.info(`k6-gate: k6 finished in ${formatDuration(run.wallMs)}: exit ${run.exitCode ?? run.signal ?? 'none'} (${run.meaning})`);
  if (!config.shard) return;
  const kept = await keepShardFiles({
    scenario: step.spec.name,
    shard: config.shard,
    resultsDir: config.resultsDir,
    files: run.files,
    k6Version: k6.version,
  });
  if (kept.shardSummary) scenario.files.shardSummary = kept.shardSummary;
  if (kept.log) scenario.files.log = kept.log;
}

/** Reads k6's summary and judges it; a shard's own thresholds and numbers wait for the merge. */
async function judgeK6Run(
  scenario: ScenarioResult,
  run: K6RunResult,
  summaryName: string,
  step: ScenarioStep,
  measured: RunAnalysisResult | undefined,
  watched: string[],
  stateProblem?: string,
): Promise<void> {
  const shard = step.run.config.shard;
  const problems: string[] = [];
  // A shard without its state file would be missing from the merge: fail it here, where the cause is known.
  if (stateProblem && run.outcome !== 'error') problems.push(stateProblem);
  if (run.outcome === 'error') problems.push(run.spawnError ?? `k6 exit ${run.exitCode ?? run.signal}: ${run.meaning}`);
  const text = await readFile(run.files.summary, 'utf8').catch(() => undefined);
  let summary: RunSummary | undefined;
  try {
    if (text !== undefined) summary = parseSummary(text, summaryName);
  } catch (error) {
    problems.push((await fullDisk(step.run.config.resultsDir, run.files.summary, summaryName)) ?? (error as Error).message);
  }
  if (text === undefined && !run.spawnError)
    problems.push((await fullDisk(step.run.config.resultsDir, run.files.summary, summaryName)) ?? `k6 wrote no summary (${summaryName})`);
  if (summary) {
    scenario.files.summary = summaryName;
    const trends = measured?.samples ? trendsOf(measured.samples.aggregator, watched) : undefined;
    try {
      problems.push(...compareSummary(scenario, summary, step.judging, trends));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (shard && problems.length === 0) {
    scenario.metrics = [];
    scenario.thresholds = [];
  }
  settleScenario(scenario, problems, step.judging, shard && run.outcome === 'thresholds-failed' ? 'passed' : run.outcome);
}

/**
 * Why k6's summary is missing, empty or cut short when the results dir's disk is full; the partial
 * file is removed (nothing half-written is left to be read as a result).
 */
async function fullDisk(dir: string, file: string, name: string): Promise<string | undefined> {
  const disk = await statfs(dir).catch(() => undefined);
  const free = disk ? disk.bavail * disk.bsize : Infinity;
  if (free >= FULL_DISK_BYTES) return undefined;
  await rm(file, { force: true }).catch(() => undefined);
  return `could not write ${name}: the disk of ${dir} is full (ENOSPC, ${free} bytes free)`;
}

/** Less free space than this after a run counts as a full disk (k6's summary is tens of KiB). */
const FULL_DISK_BYTES = 64 * 1024;

/** Merge mode: the summary of the whole sharded test from the shards' raw samples, judged like a run. */
export async function mergeScenario(step: ScenarioStep): Promise<ScenarioResult> {
  const { config, log } = step.run;
  const { spec, judging } = step;
  const scenario = newScenarioResult(config, spec);
  // Found before the merge (the collector: a runner missing or duplicated): the states stay on disk.
  const problems = config.merge!.problems ?? [];
  if (problems.length > 0) {
    settleScenario(scenario, problems, judging);
    scenario.error = `the runners' results cannot be gated: ${scenario.error}`;
    log.error(scenario.error);
    return scenario;
  }
  try {
    const merged = await mergeScenarioForGate({
      dir: config.merge!.dir,
      scenario: spec.name,
      resultsDir: config.resultsDir,
      watch: [...judging.rules.watch.map((r) => r.metric), ...Object.keys(judging.baseline?.scenarios[scenario.key]?.metrics ?? {})],
      trendStats: trendStatsFor(judging.rules),
      log,
    });
    scenario.files.summary = merged.summaryFile;
    // The merged samples of all shards give the sampling bands, as a single run's would.
    settleScenario(scenario, compareSummary(scenario, merged.summary, judging, merged.trends), judging);
  } catch (error) {
    settleScenario(scenario, [(error as Error).message], judging);
  }
  if (scenario.outcome === 'error') {
    scenario.error = `merge of the shard results failed: ${scenario.error}`;
    log.error(scenario.error);
  }
  return scenario;
}
