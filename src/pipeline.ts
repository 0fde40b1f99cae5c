// The one orchestration: install → preflight → run each scenario → parse → compare → report →
// decide. Every entry (action, CLI, GitLab job) calls runGate; platforms only publish its result.
//
// Run problems never throw out of runGate: they become the `error` outcome with the cause, after
// whatever was measured has been written to the results dir.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadBaseline, type BaselineFile } from './baseline/format.js';
import { compareToBaseline, isRegression, noiseFloorFor } from './baseline/compare.js';
import { loadRules, unknownWatchedMetrics, type Rules } from './baseline/rules.js';
import { updateBaselineFile } from './baseline/store.js';
import {
  recordProblems,
  runWarnings,
  runsToRecord,
  shouldUpdateBaseline,
  unmigratedKeysFor,
  updateBaseline,
  type BaselineRun,
} from './baseline/update.js';
import { ConfigError, type Config, type ScenarioSpec } from './config.js';
import { worstOutcome } from './k6/exit-codes.js';
import { installK6, type InstalledK6 } from './k6/install.js';
import { startPreflight, type PendingPreflight } from './k6/preflight.js';
import { runK6 } from './k6/run.js';
import { readScriptException } from './k6/script-error.js';
import { k6FileNames, safeFileName } from './k6/files.js';
import { noteK6Version, parseSummary, SUMMARY_TREND_STATS } from './k6/summary.js';
import { redactDeep, sayingWarningsOnce, type Logger } from './log.js';
import { Cancellation } from './cancel.js';
import { lockResultsDir, type ResultsLock } from './results-lock.js';
import type { GateResult, Outcome, ScenarioResult } from './model.js';
import { renderMarkdownReport } from './report/markdown.js';
import { reportTrend } from './report/history.js';
import { JUNIT_FILE, renderJUnit } from './report/junit.js';
import { LOAD_PERFORMANCE_FILE, loadPerformanceSourceFile, renderLoadPerformance } from './report/load-performance.js';
import { VERSION } from './version.js';
import { withoutCredentials } from './url.js';
import { findShardSummaryFiles, mergeScenarioShards } from './shard/merge.js';
import { shardArgs, shardLogFileName, shardRawFileName, shardSummaryFileName } from './shard/shard.js';
import { scenarioKey } from './scenarios.js';
import {
  liveRemoteWriteSetup,
  metricsOutputArgs,
  metricsOutputEnv,
  newTestId,
  remoteWriteTakenBy,
} from './observability/metrics-output.js';
import { pushGateSeries, runLabels } from './observability/push.js';
import { judgeLoadGenerator, startLoadSampler } from './k6/load-health.js';
import { inspectExecutorModel, type ExecutorModel } from './k6/inspect.js';
import { k6Environment } from './k6/environment.js';
import { analyseSamples } from './samples/analysis.js';
import { sendNotifications } from './notify/send.js';
import { startLiveAnalysis, type LiveAnalysis, type RunSamples } from './samples/live.js';
import { addSummaryChecks, startRemoteWriteAnalysis, type RemoteWriteAnalysis } from './samples/remote-write.js';
import { DEFAULT_CONFIRM, runWithConfirmation } from './verdict/confirm.js';
import { samplingBands, trendsOf, watchedPercentileMetrics } from './verdict/samples.js';
import { runAB } from './verdict/ab.js';
import { formatCount, formatDuration } from './format.js';

const COMPARISON_FILE = 'comparison.json';
const REPORT_FILE = 'report.md';

/** Files k6-gate writes into the results dir; the baseline must not be one of them. */
function isOwnOutputFile(file: string, resultsDir: string): boolean {
  if (path.dirname(path.resolve(file)) !== path.resolve(resultsDir)) return false;
  const name = path.basename(file);
  return (
    [COMPARISON_FILE, REPORT_FILE, JUNIT_FILE, LOAD_PERFORMANCE_FILE].includes(name) ||
    /^(summary-.*\.json|k6-.*\.(log|json\.gz|json)|report-.*\.html)$/.test(name)
  );
}

/** Paths inside the workspace are shown relative to it; others (the demo's bundled baseline) in full. */
function displayPath(file: string, workspace: string): string {
  const relative = path.relative(workspace, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function emptyResult(config: Config): GateResult {
  return {
    schemaVersion: 1,
    tool: { name: 'k6-gate', version: VERSION },
    generatedAt: new Date().toISOString(),
    target: config.target ? withoutCredentials(config.target) : undefined,
    environment: config.environment,
    baselinePath: displayPath(config.baselinePath, config.workspace),
    outcome: 'passed',
    failOn: config.failOn,
    failed: false,
    scenarios: [],
    regressions: 0,
    thresholdsFailed: 0,
    warnings: [],
    testId: config.metricsOutputs?.length ? newTestId(new Date(), randomBytes(3).toString('hex')) : undefined,
  };
}

/** Makes sure the results dir exists and can be written, before anything is measured. */
async function prepareResultsDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = path.join(dir, '.k6-gate-write-test');
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `results dir ${dir} is not writable (${code ?? (error as Error).message}); expected a folder k6-gate can create and write, set results-dir to one`,
    );
  }
}

/** A scenario's result before anything is known about it. */
function newScenarioResult(config: Config, spec: ScenarioSpec, key: string): ScenarioResult {
  return { scenario: spec.name, profile: config.profile, key, outcome: 'passed', thresholds: [], metrics: [], files: {} };
}

export interface GateOptions {
  /** A stop request (signal, job cancel): the gate stops k6, writes what it has, marked cancelled. */
  cancellation?: Cancellation;
  /** The target health check, when the caller started it already (`startPreflight` with this config). */
  preflight?: PendingPreflight;
}

/** Runs the whole gate. Never throws for run problems; see the module comment. */
export async function runGate(config: Config, log: Logger, options: GateOptions = {}): Promise<GateResult> {
  const cancellation = options.cancellation ?? new Cancellation();
  // While the gate runs, a stop request is handled here (gracefully) rather than by exiting.
  const stopListening = cancellation.onRequest(() => undefined);
  const held: ResultsLock[] = [];
  try {
    return await runGateSteps(config, log, cancellation, held, options.preflight);
  } finally {
    stopListening();
    for (const lock of held) await lock.release();
  }
}

async function runGateSteps(
  config: Config,
  log: Logger,
  cancellation: Cancellation,
  held: ResultsLock[],
  pending: PendingPreflight | undefined,
): Promise<GateResult> {
  const result = emptyResult(config);
  for (const secret of config.secrets) log.addSecret(secret);
  const fail = (message: string): GateResult => {
    log.error(message);
    result.outcome = 'error';
    result.failed = true;
    if (result.scenarios.length === 0) {
      result.scenarios = config.scenarios.map((spec) => ({
        ...newScenarioResult(config, spec, scenarioKey(spec.name, config.profile, config.environment)),
        outcome: 'error' as Outcome,
        error: message,
      }));
    }
    return result;
  };

  // The target's health check (none in merge mode, which needs neither k6 nor the target) runs while
  // the results dir, rules and baseline are read and k6 is found or installed (all mostly wait on the
  // disk or other processes); their problems are told first. The CLI starts it even earlier.
  const preflight = pending ?? startPreflight(config, log);

  try {
    await prepareResultsDir(config.resultsDir);
  } catch (error) {
    // Nowhere to write: report on the log only.
    await preflight?.abandon();
    return fail((error as Error).message);
  }
  try {
    const lock = await lockResultsDir(config.resultsDir);
    held.push(lock);
    if (lock.replaced) log.info(`k6-gate: removed an abandoned lock of ${config.resultsDir} (${lock.replaced})`);
  } catch (error) {
    // Another run owns the folder: write nothing into it.
    await preflight?.abandon();
    return fail((error as Error).message);
  }

  let rules: Rules;
  let baseline: BaselineFile | undefined;
  try {
    rules = await loadRules(config.configFile, config.rulesOverrides);
    if (isOwnOutputFile(config.baselinePath, config.resultsDir)) {
      throw new ConfigError(
        `baseline ${result.baselinePath} is one of the files k6-gate writes into the results dir (${path.basename(config.baselinePath)}); expected a file of its own, e.g. k6-baseline.json`,
      );
    }
    baseline = await loadBaseline(config.baselinePath);
    if (!baseline)
      result.warnings.push(`no baseline at ${result.baselinePath}: every metric is reported as new; run with update-baseline to create it`);
    // A key typo (or another profile) would otherwise pass silently with every metric "new".
    for (const spec of baseline && !config.shard ? config.scenarios : []) {
      const key = scenarioKey(spec.name, config.profile, config.environment);
      if (!baseline!.scenarios[key]) {
        const known = Object.keys(baseline!.scenarios).sort().join(', ') || 'none';
        const legacy = config.environment ? unmigratedKeysFor(baseline, spec.name, config.profile) : [];
        result.warnings.push(
          legacy.length > 0
            ? `${result.baselinePath} has ${JSON.stringify(legacy[0])}, recorded before baseline keys named the environment, but no ${JSON.stringify(key)}: it is not used for ${config.environment} (another environment may have recorded it), so every metric is reported as new; if those runs measured ${config.environment}, move them with \`k6-gate baseline migrate --environment ${config.environment}\``
            : `${result.baselinePath} has no entry for ${JSON.stringify(key)} (it has: ${known}): every metric is reported as new`,
        );
      }
    }
  } catch (error) {
    await preflight?.abandon();
    // The rules file or the baseline the user gave cannot be used: the report's headline says "bad input".
    result.badInput = true;
    return finish(config, fail((error as Error).message), log);
  }

  // A stop before k6 started: nothing was measured; say so in every report.
  const stoppedBefore = (step: string): Promise<GateResult> => {
    const signal = cancellation.signal!;
    result.cancelled = signal;
    return finish(config, fail(`k6-gate received ${signal} ${step}: no scenario ran`), log);
  };

  let k6: InstalledK6 | undefined;
  if (!config.merge)
    try {
      k6 = await log.group(`k6-gate: installing k6 ${config.k6.version} (${config.k6.install})`, () =>
        cancellation.race(installK6(config.k6, log)),
      );
      if (!k6) {
        await preflight?.abandon();
        return stoppedBefore('while installing k6');
      }
      result.k6 = { version: k6.version, path: k6.path, source: k6.source };
      log.info(`k6-gate: using k6 ${k6.version} from ${k6.source} (${k6.path})`);
    } catch (error) {
      await preflight?.abandon();
      return finish(config, fail(`k6 could not be installed: ${(error as Error).message}`), log);
    }

  if (preflight) {
    const unhealthy = await cancellation.race(preflight.done);
    if (cancellation.requested) {
      await preflight?.abandon();
      return stoppedBefore('while waiting for the target');
    }
    if (unhealthy) return finish(config, fail(unhealthy.message), log);
  }

  /** Each run with why it must not be recorded (empty: it may). */
  const runs: { run: BaselineRun; problems: string[] }[] = [];
  for (const [index, spec] of config.scenarios.entries()) {
    const key = scenarioKey(spec.name, config.profile, config.environment);
    if (cancellation.requested) {
      result.scenarios.push({
        ...newScenarioResult(config, spec, key),
        outcome: 'error',
        error: `not run: k6-gate received ${cancellation.signal} before this scenario started`,
      });
      continue;
    }
    const title = `k6-gate: [${index + 1}/${config.scenarios.length}] ${spec.name}${config.profile ? ` (profile ${config.profile})` : ''}${config.target ? ` against ${config.target}` : ''}`;
    // One k6 run of this scenario; reruns and A/B rounds label their files (`<scenario>.<label>`).
    const roundsLog = sayingWarningsOnce(log);
    const runOnce = (runConfig: Config, label?: string) =>
      runScenario(runConfig, spec, key, k6!, rules, baseline, roundsLog, cancellation, result.testId, label);
    const scenario = await log.group(title, () =>
      config.merge
        ? mergeScenario(config, spec, key, rules, baseline, log)
        : config.shard
          ? runOnce(config)
          : config.baselineTarget
            ? runAB(
                (side, pair) => runOnce({ ...config, target: side === 'A' ? config.baselineTarget : config.target }, `ab-${side}${pair}`),
                (row) => noiseFloorOfRow(row, rules),
                log,
              )
            : runWithConfirmation(
                (attempt) => runOnce(config, attempt > 1 ? `run-${attempt}` : undefined),
                config.confirm ?? DEFAULT_CONFIRM,
                log,
              ),
    );
    result.scenarios.push(scenario);
    if (scenario.summary && !config.shard) {
      for (const warning of runWarnings(key, scenario.summary, baseline, rules)) {
        result.warnings.push(warning);
        log.warning(`k6-gate: ${warning}`);
      }
      const run: BaselineRun = {
        key,
        scenario: spec.name,
        profile: config.profile,
        environment: config.environment,
        summary: scenario.summary,
        // Merged shards: k6 ran in the shard jobs; their summary may say which k6, else the pinned one.
        k6Version: k6?.version ?? scenario.summary.k6Version ?? config.k6.version,
        commit: config.git.commit,
        ref: config.git.ref,
        date: result.generatedAt,
        endpoints: scenario.analysis?.endpoints,
        executorModel: scenario.executorModel,
      };
      runs.push({ run, problems: recordProblems({ summary: scenario.summary, exitCode: scenario.exitCode, limits: rules.record }) });
    }
  }

  decide(result);
  if (cancellation.requested) {
    result.cancelled = cancellation.signal;
    result.warnings.push(`the run was cancelled (k6-gate received ${cancellation.signal}): the numbers are partial`);
    // A partial run must not teach the baseline anything.
    if (config.updateBaseline !== 'never') result.warnings.push('baseline not updated: the run was cancelled');
    return finish(config, result, log);
  }

  const decision = shouldUpdateBaseline({
    mode: config.updateBaseline,
    outcome: result.outcome,
    isDefaultBranch: config.git.isDefaultBranch,
  });
  if (config.updateBaseline !== 'never') {
    await recordRuns(config, result, decision, runs, rules, log);
  }
  return finish(config, result, log);
}

/** Records the runs in the baseline when the decision allows it and each run is sane (or forced). */
async function recordRuns(
  config: Config,
  result: GateResult,
  decision: { update: boolean; reason: string },
  runs: { run: BaselineRun; problems: string[] }[],
  rules: Rules,
  log: Logger,
): Promise<void> {
  const notUpdated = (why: string) => {
    result.warnings.push(`baseline not updated: ${why}`);
    log.warning(`k6-gate: baseline not updated: ${why}`);
  };
  if (!decision.update) {
    log.info(`k6-gate: baseline not updated: ${decision.reason}`);
    result.warnings.push(`baseline not updated: ${decision.reason}`);
    return;
  }
  if (runs.length === 0) {
    log.info('k6-gate: baseline not updated: no scenario produced a summary');
    return;
  }
  const { kept, forcedLines, refusals } = runsToRecord(runs, config.updateBaseline === 'force');
  for (const line of forcedLines) {
    result.warnings.push(line);
    log.warning(`k6-gate: ${line}`);
  }
  refusals.forEach(notUpdated);
  if (kept.length === 0) return;
  try {
    // Under the lock, the file is read again: a gate that wrote since this one started is merged, not lost.
    await updateBaselineFile(config.baselinePath, (current) => updateBaseline(current, kept, rules), { log });
    result.baselineUpdated = true;
    log.info(`k6-gate: baseline ${result.baselinePath} updated with ${kept.map((r) => r.key).join(', ')} (${decision.reason})`);
  } catch (error) {
    notUpdated((error as Error).message);
  }
}

async function runScenario(
  config: Config,
  spec: ScenarioSpec,
  key: string,
  k6: InstalledK6,
  rules: Rules,
  baseline: BaselineFile | undefined,
  log: Logger,
  cancellation: Cancellation,
  testId?: string,
  /** Reruns and A/B rounds keep their own files (`<scenario>.<label>`): nothing measured is lost. */
  label?: string,
): Promise<ScenarioResult> {
  const fileName = label ? `${spec.name}.${label}` : spec.name;
  const names = k6FileNames(fileName);
  const scenario = newScenarioResult(config, spec, key);
  const env: Record<string, string> = metricsOutputEnv(config.metricsOutputs ?? [], k6.version, config.env);
  if (config.target) env.BASE_URL = config.target;
  if (config.profile) env.PROFILE = config.profile;
  const metricsArgs = testId
    ? metricsOutputArgs(config.metricsOutputs ?? [], { ...runLabels(config, testId), gate_scenario: spec.name })
    : [];
  // With `analysis` (the default), k6 pushes its samples, aggregated per tag set, to k6-gate's
  // loopback receiver through its remote-write output (docs/adr/0004-remote-write-analysis.md); when
  // the user's own Prometheus already has that output, k6-gate follows a plain --out json file
  // instead (docs/adr/0003-live-samples.md). Either way the one sample aggregator gives the findings
  // and the sampling bands of the verdict. Without analysis the verdict rests on the history band
  // alone. A shard is judged after the merge, from the raw samples of all shards.
  const analysis = config.analysis ?? { enabled: true, top: 10 };
  const findings = !config.shard && analysis.enabled;
  const watched = watchedPercentileMetrics(rules.watch);
  const liveArgs: string[] = [];
  let liveFile: string | undefined;
  let live: LiveAnalysis | undefined;
  let receiver: RemoteWriteAnalysis | undefined;
  if (findings) {
    const taken = remoteWriteTakenBy(config.metricsOutputs, config.k6Args, { ...process.env, ...config.env });
    if (taken) {
      liveFile = path.join(config.resultsDir, `.k6-live-${safeFileName(fileName)}.json`);
      live = startLiveAnalysis({ file: liveFile, log, watched });
      log.info(`k6-gate: live analysis follows k6's JSON output (${taken}; at high request rates this costs k6 CPU)`);
    } else {
      receiver = await startRemoteWriteAnalysis({ log, watched });
      const setup = liveRemoteWriteSetup(receiver.url, k6.version, env);
      Object.assign(env, setup.env);
      liveArgs.push(...setup.args);
    }
  }
  const sampler = findings ? startLoadSampler({ gomaxprocs: env.GOMAXPROCS ?? config.env.GOMAXPROCS }) : undefined;
  // `k6 inspect` runs next to the test, started once `k6 run` is spawned (not before it): its answer
  // is only read once k6 is done.
  let inspecting: Promise<ExecutorModel | undefined> = Promise.resolve(undefined);
  const inspect = () =>
    inspectExecutorModel({
      k6Path: k6.path,
      script: spec.script,
      // The same allow-listed environment as `k6 run`: the script's init code runs here too.
      env: k6Environment(process.env, { ...env, K6_NO_USAGE_REPORT: 'true' }),
      cwd: config.workspace,
    });
  const run = await runK6({
    k6Path: k6.path,
    script: spec.script,
    scenario: fileName,
    resultsDir: config.resultsDir,
    env,
    args: [...metricsArgs, ...liveArgs, ...config.k6Args, ...(config.shard ? shardArgs(config.shard.index, config.shard.count) : [])],
    timeoutMs: config.timeoutMs,
    htmlReport: config.htmlReport,
    rawOutput: config.shard
      ? shardRawFileName(safeFileName(spec.name), config.shard)
      : config.rawOutput
        ? `k6-${safeFileName(fileName)}.json.gz`
        : undefined,
    liveOutput: liveFile,
    onSpawn: (pid) => {
      sampler?.watch(pid);
      if (findings) inspecting = inspect();
    },
    log,
    secrets: config.secrets,
    cwd: config.workspace,
    cancellation,
  });
  const loadSamples = sampler?.stop();
  const executorModel = await inspecting;
  scenario.executorModel = executorModel;
  let samples: RunSamples | undefined;
  if (live) {
    samples = await live.stop();
    await rm(liveFile!, { force: true }).catch(() => undefined);
  }
  if (receiver) samples = await receiver.stop();
  if (samples) {
    const read =
      samples.source === 'remote-write'
        ? `${formatCount(samples.samples)} samples from k6's remote-write pushes (${(samples.bytes / 2 ** 10).toFixed(0)} KiB)`
        : `${formatCount(samples.samples)} samples (${(samples.bytes / 2 ** 20).toFixed(1)} MiB)`;
    log.info(`k6-gate: live analysis read ${read}${samples.problem ? `; ${samples.problem}` : ''}`);
  }
  scenario.exitCode = run.exitCode ?? undefined;
  scenario.exitMeaning = run.meaning;
  scenario.k6WallMs = run.wallMs;
  scenario.files.log = names.log;
  scenario.exception = await readScriptException(run.files.log, run.exitCode);
  if (run.files.html) scenario.files.html = names.html;
  if (run.files.raw) scenario.files.raw = path.basename(run.files.raw);
  log.info(`k6-gate: k6 finished in ${formatDuration(run.wallMs)}: exit ${run.exitCode ?? run.signal ?? 'none'} (${run.meaning})`);
  if (config.shard) {
    // Shard files of all shards meet in one folder at merge time: the summary gets the shard suffix too.
    // The copy notes which k6 measured it: the merge job installs none and records this version.
    const shardSummary = shardSummaryFileName(safeFileName(spec.name), config.shard);
    await readFile(run.files.summary, 'utf8')
      .then((text) => writeFile(path.join(config.resultsDir, shardSummary), noteK6Version(text, k6.version)))
      .then(
        () => (scenario.files.shardSummary = shardSummary),
        () => undefined,
      );
    // …and so does the log: every shard's log reaches the merge job, not only the last one's.
    const shardLog = shardLogFileName(safeFileName(spec.name), config.shard);
    await copyFile(run.files.log, path.join(config.resultsDir, shardLog)).then(
      () => (scenario.files.log = shardLog),
      () => undefined,
    );
  }

  // A shard measured a share of the load: its own thresholds and numbers are judged only after the merge.
  let outcome: Outcome = config.shard && run.outcome === 'thresholds-failed' ? 'passed' : run.outcome;
  const problems: string[] = [];
  if (run.outcome === 'error') problems.push(run.spawnError ?? `k6 exit ${run.exitCode ?? run.signal}: ${run.meaning}`);
  let summaryText: string | undefined;
  try {
    summaryText = await readFile(run.files.summary, 'utf8');
  } catch {
    if (!run.spawnError) problems.push(`k6 wrote no summary (${names.summary})`);
  }
  if (summaryText !== undefined) {
    try {
      scenario.summary = parseSummary(summaryText, names.summary);
      scenario.files.summary = names.summary;
      scenario.thresholds = scenario.summary.thresholds;
      if (samples) addSummaryChecks(samples, scenario.summary.checks);
      // The run's own samples give the sampling bands of its watched percentiles.
      const sampling = samples ? samplingBands(trendsOf(samples.aggregator, watched), rules.watch) : undefined;
      scenario.metrics = compareToBaseline({ key, summary: scenario.summary, baseline, rules, sampling });
      problems.push(...watchProblems(rules, scenario.summary, baseline));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (findings && samples && samples.samples > 0) {
    scenario.analysis = {
      source: samples.source,
      ...analyseSamples(samples.aggregator, {
        top: analysis.top,
        baseline: baseline?.scenarios[key]?.endpoints,
      }),
      loadGenerator: judgeLoadGenerator(scenario.summary, loadSamples, await readFile(run.files.log, 'utf8').catch(() => ''), {
        run: executorModel,
        baseline: baseline?.scenarios[key]?.executorModel,
      }),
    };
    for (const warning of scenario.analysis.loadGenerator!.warnings) log.warning(`k6-gate: ${spec.name}: ${warning}`);
  }
  if (problems.length > 0) {
    outcome = 'error';
    scenario.error = problems.join('; ');
  } else if (config.shard) {
    scenario.metrics = [];
    scenario.thresholds = [];
  } else {
    // k6 exit 99 and the summary's own view of thresholds must agree; trust whichever saw a crossing.
    if (scenario.thresholds.some((t) => !t.ok)) outcome = worstOutcome(outcome, 'thresholds-failed');
    if (scenario.metrics.some(isRegression)) outcome = worstOutcome(outcome, 'regressed');
  }
  scenario.trend = reportTrend(baseline?.scenarios[key], scenario.metrics, rules.historyLimit);
  scenario.outcome = outcome;
  return scenario;
}

/** Config errors of the watch list that only the run can reveal (a metric name nobody has). */
function watchProblems(rules: Rules, summary: ScenarioResult['summary'], baseline: BaselineFile | undefined): string[] {
  const known = new Set(Object.keys(summary?.metrics ?? {}));
  for (const entry of Object.values(baseline?.scenarios ?? {})) for (const metric of Object.keys(entry.metrics)) known.add(metric);
  return unknownWatchedMetrics(rules, known).map((problem) => `config error: ${problem}`);
}

/** The k6 version the shards noted in their summaries (see noteK6Version); undefined when none did. */
async function shardK6Version(config: Config, spec: ScenarioSpec, log: Logger): Promise<string | undefined> {
  const files = await findShardSummaryFiles(config.merge!.dir, safeFileName(spec.name));
  const versions = new Set<string>();
  for (const file of files) {
    const version = await readFile(file, 'utf8').then(
      (text) => parseSummary(text, path.basename(file)).k6Version,
      () => undefined,
    );
    if (version) versions.add(version);
  }
  if (versions.size > 1) log.warning(`k6-gate: the shards of ${spec.name} ran different k6 versions (${[...versions].join(', ')})`);
  return versions.size > 0 ? [...versions].join(', ') : undefined;
}

/** Merge mode: the summary of the whole sharded test, from the shards' raw samples; then the same verdict as a run. */
async function mergeScenario(
  config: Config,
  spec: ScenarioSpec,
  key: string,
  rules: Rules,
  baseline: BaselineFile | undefined,
  log: Logger,
): Promise<ScenarioResult> {
  const scenario = newScenarioResult(config, spec, key);
  try {
    const merged = await mergeScenarioShards({
      dir: config.merge!.dir,
      scenario: safeFileName(spec.name),
      resultsDir: config.resultsDir,
      summaryFile: k6FileNames(spec.name).summary,
      watch: [...rules.watch.map((r) => r.metric), ...Object.keys(baseline?.scenarios[key]?.metrics ?? {})],
      trendStats: [...SUMMARY_TREND_STATS],
      log,
    });
    scenario.summary = { ...merged.summary, k6Version: merged.summary.k6Version ?? (await shardK6Version(config, spec, log)) };
    scenario.files.summary = merged.summaryFile;
    scenario.thresholds = merged.summary.thresholds;
    // The merged samples of all shards give the sampling bands, as a single run's would.
    const sampling = samplingBands(merged.trends, rules.watch);
    scenario.metrics = compareToBaseline({ key, summary: merged.summary, baseline, rules, sampling });
    const problems = watchProblems(rules, merged.summary, baseline);
    if (problems.length > 0) throw new ConfigError(problems.join('; '));
    if (scenario.thresholds.some((t) => !t.ok)) scenario.outcome = worstOutcome(scenario.outcome, 'thresholds-failed');
    if (scenario.metrics.some(isRegression)) scenario.outcome = worstOutcome(scenario.outcome, 'regressed');
  } catch (error) {
    scenario.outcome = 'error';
    scenario.error = `merge of the shard results failed: ${(error as Error).message}`;
    log.error(scenario.error);
  }
  return scenario;
}

/** The noise floor the rules give a compared row (A/B differences smaller than it are no change). */
function noiseFloorOfRow(row: ScenarioResult['metrics'][number], rules: Rules): number {
  const rule = rules.watch.find((r) => r.metric === row.metric && r.stat === row.stat) ?? { metric: row.metric, stat: row.stat };
  return noiseFloorFor(rule, row.unit, rules);
}

/** Outcome, counts and the policy decision, from the scenario results. */
export function decide(result: GateResult): void {
  result.regressions = result.scenarios.reduce((n, s) => n + s.metrics.filter(isRegression).length, 0);
  result.thresholdsFailed = result.scenarios.reduce((n, s) => n + s.thresholds.filter((t) => !t.ok).length, 0);
  const errored = result.scenarios.some((s) => s.outcome === 'error');
  let outcome: Outcome = 'passed';
  if (result.regressions > 0) outcome = worstOutcome(outcome, 'regressed');
  if (result.thresholdsFailed > 0 || result.scenarios.some((s) => s.outcome === 'thresholds-failed'))
    outcome = worstOutcome(outcome, 'thresholds-failed');
  if (errored) outcome = 'error';
  result.outcome = outcome;
  const thresholdsCrossed = result.thresholdsFailed > 0 || result.scenarios.some((s) => s.outcome === 'thresholds-failed');
  result.failed =
    errored ||
    (result.regressions > 0 && result.failOn.includes('regression')) ||
    (thresholdsCrossed && result.failOn.includes('thresholds'));
}

/** Writes comparison.json and the reports, then logs the verdict. Returns `result`. */
async function finish(config: Config, result: GateResult, log: Logger): Promise<GateResult> {
  // Messages quote k6's output and the script's errors: no secret, in any encoding, leaves in a file or comment.
  Object.assign(result, redactDeep(result, config.secrets));
  try {
    await writeReports(config, result);
  } catch (error) {
    result.warnings.push(`could not write the reports to ${config.resultsDir}: ${(error as Error).message}`);
    log.warning(`could not write the reports to ${config.resultsDir}: ${(error as Error).message}`);
  }
  // After the files: a failed push changes neither them nor the verdict (a warning on the log only).
  await pushGateSeries(config, result, log);
  if (config.notify) await sendNotifications(config.notify, result, log, { commit: config.git.commit });
  const verdict = result.cancelled ? `CANCELLED (${result.cancelled})` : result.failed ? 'FAILED' : 'ok';
  log.info(
    `k6-gate: outcome ${result.outcome} — ${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s) — gate ${verdict}`,
  );
  return result;
}

/** Every report file of the results dir, written once here. Platforms upload the folder as it is. */
export async function writeReports(config: Config, result: GateResult): Promise<void> {
  if (!existsSync(config.resultsDir)) return;
  const write = (name: string, text: string) => writeFile(path.join(config.resultsDir, name), text);
  await write(COMPARISON_FILE, `${JSON.stringify(result, null, 2)}\n`);
  await write(REPORT_FILE, renderMarkdownReport(result));
  await write(JUNIT_FILE, renderJUnit(result));
  // GitLab's load_performance report: the gating scenario's legacy summary export, copied as is.
  const lpSource = loadPerformanceSourceFile(result);
  const lpLegacy = lpSource ? await readFile(path.join(config.resultsDir, lpSource), 'utf8').catch(() => undefined) : undefined;
  const loadPerformance = renderLoadPerformance(result, lpLegacy);
  if (loadPerformance !== undefined) await write(LOAD_PERFORMANCE_FILE, loadPerformance);
}

/** 0 passed (or not failed by policy), 1 failed by policy, 2 error. */
export function exitStatusFor(result: GateResult): 0 | 1 | 2 {
  if (result.outcome === 'error') return 2;
  return result.failed ? 1 : 0;
}
