// The one orchestration: install → preflight → run each scenario → parse → compare → report →
// decide. Every entry (action, CLI, GitLab job) calls runGate; platforms only publish its result.
//
// Run problems never throw out of runGate: they become the `error` outcome with the cause, after
// whatever was measured has been written to the results dir.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBaseline, saveBaseline, type BaselineFile } from './baseline/format.js';
import { compareToBaseline, noiseFloorFor } from './baseline/compare.js';
import { loadRules, type Rules } from './baseline/rules.js';
import { shouldUpdateBaseline, updateBaseline, type BaselineRun } from './baseline/update.js';
import { ConfigError, type Config, type ScenarioSpec } from './config.js';
import { worstOutcome } from './k6/exit-codes.js';
import { installK6, type InstalledK6 } from './k6/install.js';
import { waitForHealthy } from './k6/preflight.js';
import { formatMs, k6FileNames, runK6, safeFileName } from './k6/run.js';
import { parseSummary } from './k6/summary.js';
import type { Logger } from './log.js';
import type { GateResult, Outcome, ScenarioResult } from './model.js';
import { renderMarkdownReport } from './report/markdown.js';
import { renderJUnit } from './report/junit.js';
import { LOAD_PERFORMANCE_FILE, loadPerformanceSourceFile, renderLoadPerformance } from './report/load-performance.js';
import { VERSION } from './version.js';
import { withoutCredentials } from './url.js';
import { mergeScenarioShards } from './shard/merge.js';
import { shardArgs, shardRawFileName, shardSummaryFileName } from './shard/shard.js';
import { copyFile } from 'node:fs/promises';
import { SUMMARY_TREND_STATS } from './k6/run.js';
import { DEFAULT_CONFIRM, runWithConfirmation } from './verdict/confirm.js';
import { runSamplingBands, samplingBands } from './verdict/samples.js';
import { runAB } from './verdict/ab.js';

/** The scenarios shipped with k6-gate, next to dist/ (or src/ when run from source). */
export function bundledScenariosDir(): string {
  if (process.env.K6_GATE_SCENARIOS_DIR) return process.env.K6_GATE_SCENARIOS_DIR;
  // Resolved at run time from this file's own place (src/ or dist/, both one level below the
  // package root); written so the bundler does not rewrite it into a bundled asset path.
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.join(here, PARENT, SCENARIOS_FOLDER);
}

const PARENT = '..';
const SCENARIOS_FOLDER = 'scenarios';

export async function listBundledScenarios(dir = bundledScenariosDir()): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts'))
      .map((e) => e.name.replace(/\.(ts|js)$/, ''))
      .sort();
  } catch {
    return [];
  }
}

/**
 * A scenario is a path to a k6 script (relative to the workspace) or the name of a bundled one.
 * `name=path` gives a path its own report name.
 */
export async function resolveScenario(input: string, workspace: string, scenariosDir = bundledScenariosDir()): Promise<ScenarioSpec> {
  const text = input.trim();
  const eq = text.indexOf('=');
  const [givenName, ref] = eq > 0 && !text.slice(0, eq).includes('/') ? [text.slice(0, eq), text.slice(eq + 1)] : [undefined, text];
  const looksLikePath = /[\\/]/.test(ref) || /\.(m?js|ts|cjs)$/.test(ref);
  if (looksLikePath) {
    const script = path.resolve(workspace, ref);
    if (!existsSync(script)) {
      throw new ConfigError(
        `scenario ${JSON.stringify(ref)}: no file at ${script}; expected a k6 script path relative to the workspace, or a bundled scenario name`,
      );
    }
    return { name: givenName ?? path.basename(ref).replace(/\.(m?js|ts|cjs)$/, ''), script };
  }
  for (const ext of ['.ts', '.js']) {
    const script = path.join(scenariosDir, ref + ext);
    if (existsSync(script)) return { name: givenName ?? ref, script };
  }
  const known = await listBundledScenarios(scenariosDir);
  throw new ConfigError(
    `unknown scenario ${JSON.stringify(ref)}; expected a k6 script path or one of the bundled scenarios: ${known.join(', ') || '(none found)'}`,
  );
}

export function scenarioKey(scenario: string, profile?: string): string {
  return profile ? `${scenario}@${profile}` : scenario;
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

/** Runs the whole gate. Never throws for run problems; see the module comment. */
export async function runGate(config: Config, log: Logger): Promise<GateResult> {
  const result = emptyResult(config);
  for (const secret of config.secrets) log.addSecret(secret);
  const fail = (message: string): GateResult => {
    log.error(message);
    result.outcome = 'error';
    result.failed = true;
    if (result.scenarios.length === 0) {
      result.scenarios = config.scenarios.map((spec) => ({
        ...newScenarioResult(config, spec, scenarioKey(spec.name, config.profile)),
        outcome: 'error' as Outcome,
        error: message,
      }));
    }
    return result;
  };

  try {
    await prepareResultsDir(config.resultsDir);
  } catch (error) {
    // Nowhere to write: report on the log only.
    return fail((error as Error).message);
  }

  let rules: Rules;
  let baseline: BaselineFile | undefined;
  try {
    rules = await loadRules(config.configFile, config.rulesOverrides);
    baseline = await loadBaseline(config.baselinePath);
    if (!baseline)
      result.warnings.push(`no baseline at ${result.baselinePath}: every metric is reported as new; run with update-baseline to create it`);
    // A key typo (or another profile) would otherwise pass silently with every metric "new".
    for (const spec of baseline && !config.shard ? config.scenarios : []) {
      const key = scenarioKey(spec.name, config.profile);
      if (!baseline!.scenarios[key]) {
        const known = Object.keys(baseline!.scenarios).sort().join(', ') || 'none';
        result.warnings.push(
          `${result.baselinePath} has no entry for ${JSON.stringify(key)} (it has: ${known}): every metric is reported as new`,
        );
      }
    }
  } catch (error) {
    return finish(config, fail((error as Error).message), log);
  }

  // Merge mode measures nothing: it needs neither k6 nor the target.
  let k6: InstalledK6 | undefined;
  if (!config.merge)
    try {
      k6 = await log.group(`k6-gate: installing k6 ${config.k6.version} (${config.k6.install})`, () => installK6(config.k6, log));
      result.k6 = { version: k6.version, path: k6.path, source: k6.source };
      log.info(`k6-gate: using k6 ${k6.version} from ${k6.source} (${k6.path})`);
    } catch (error) {
      return finish(config, fail(`k6 could not be installed: ${(error as Error).message}`), log);
    }

  if (config.healthUrl && !config.merge) {
    try {
      await waitForHealthy(config.healthUrl, { timeoutMs: config.preflightTimeoutMs, log });
    } catch (error) {
      return finish(config, fail((error as Error).message), log);
    }
  }

  const runs: BaselineRun[] = [];
  for (const [index, spec] of config.scenarios.entries()) {
    const key = scenarioKey(spec.name, config.profile);
    const title = `k6-gate: [${index + 1}/${config.scenarios.length}] ${spec.name}${config.profile ? ` (profile ${config.profile})` : ''}${config.target ? ` against ${config.target}` : ''}`;
    const scenario = await log.group(title, () =>
      config.merge
        ? mergeScenario(config, spec, key, rules, baseline, log)
        : config.shard
          ? runScenario(config, spec, key, k6!, rules, baseline, log)
          : config.baselineTarget
            ? runAB(
                (side, pair) =>
                  runScenario(
                    { ...config, target: side === 'A' ? config.baselineTarget : config.target },
                    spec,
                    key,
                    k6!,
                    rules,
                    baseline,
                    log,
                    `ab-${side}${pair}`,
                  ),
                (row) => noiseFloorOfRow(row, rules),
                log,
              )
            : runWithConfirmation(
                (attempt) => runScenario(config, spec, key, k6!, rules, baseline, log, attempt > 1 ? `run-${attempt}` : undefined),
                config.confirm ?? DEFAULT_CONFIRM,
                log,
              ),
    );
    result.scenarios.push(scenario);
    if (scenario.summary && !config.shard) {
      runs.push({
        key,
        scenario: spec.name,
        profile: config.profile,
        summary: scenario.summary,
        k6Version: k6?.version ?? scenario.summary.k6Version ?? 'merged',
        commit: config.git.commit,
        ref: config.git.ref,
        date: result.generatedAt,
      });
    }
  }

  decide(result);

  const decision = shouldUpdateBaseline({
    mode: config.updateBaseline,
    outcome: result.outcome,
    isDefaultBranch: config.git.isDefaultBranch,
  });
  if (config.updateBaseline !== 'never') {
    if (decision.update && runs.length > 0) {
      try {
        await saveBaseline(config.baselinePath, updateBaseline(baseline, runs, rules));
        result.baselineUpdated = true;
        log.info(`k6-gate: baseline ${result.baselinePath} updated (${decision.reason})`);
      } catch (error) {
        result.warnings.push(`baseline not updated: ${(error as Error).message}`);
      }
    } else {
      log.info(`k6-gate: baseline not updated: ${decision.update ? 'no scenario produced a summary' : decision.reason}`);
      if (!decision.update) result.warnings.push(`baseline not updated: ${decision.reason}`);
    }
  }
  return finish(config, result, log);
}

async function runScenario(
  config: Config,
  spec: ScenarioSpec,
  key: string,
  k6: InstalledK6,
  rules: Rules,
  baseline: BaselineFile | undefined,
  log: Logger,
  /** Reruns and A/B rounds keep their own files (`<scenario>.<label>`): nothing measured is lost. */
  label?: string,
): Promise<ScenarioResult> {
  const fileName = label ? `${spec.name}.${label}` : spec.name;
  const names = k6FileNames(fileName);
  const scenario = newScenarioResult(config, spec, key);
  const env: Record<string, string> = { ...config.env };
  if (config.target) env.BASE_URL = config.target;
  if (config.profile) env.PROFILE = config.profile;
  const run = await runK6({
    k6Path: k6.path,
    script: spec.script,
    scenario: fileName,
    resultsDir: config.resultsDir,
    env,
    args: config.shard ? [...config.k6Args, ...shardArgs(config.shard.index, config.shard.count)] : config.k6Args,
    timeoutMs: config.timeoutMs,
    htmlReport: config.htmlReport,
    rawOutput: config.shard
      ? shardRawFileName(safeFileName(spec.name), config.shard)
      : config.rawOutput
        ? `k6-${safeFileName(fileName)}.json.gz`
        : // The run's own samples give the sampling bands; kept only when raw-output asks for them.
          samplesFileName(fileName),
    log,
    secrets: config.secrets,
    cwd: config.workspace,
  });
  scenario.exitCode = run.exitCode ?? undefined;
  scenario.exitMeaning = run.meaning;
  scenario.k6WallMs = run.wallMs;
  scenario.files.log = names.log;
  if (run.files.html) scenario.files.html = names.html;
  if (run.files.raw) scenario.files.raw = path.basename(run.files.raw);
  log.info(`k6-gate: k6 finished in ${formatMs(run.wallMs)}: exit ${run.exitCode ?? run.signal ?? 'none'} (${run.meaning})`);
  if (config.shard) {
    // Shard files of all shards meet in one folder at merge time: the summary gets the shard suffix too.
    const shardSummary = shardSummaryFileName(safeFileName(spec.name), config.shard);
    await copyFile(run.files.summary, path.join(config.resultsDir, shardSummary)).then(
      () => (scenario.files.shardSummary = shardSummary),
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
      const sampling = config.shard || !run.files.raw ? undefined : await runSamplingBands(run.files.raw, rules.watch, log);
      scenario.metrics = compareToBaseline({ key, summary: scenario.summary, baseline, rules, sampling });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (!config.shard && !config.rawOutput && run.files.raw) {
    await rm(run.files.raw, { force: true });
    delete scenario.files.raw;
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
  scenario.outcome = outcome;
  return scenario;
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
      trendStats: SUMMARY_TREND_STATS.split(','),
      log,
    });
    scenario.summary = merged.summary;
    scenario.files.summary = merged.summaryFile;
    scenario.thresholds = merged.summary.thresholds;
    // The merged samples of all shards give the sampling bands, as a single run's would.
    const sampling = samplingBands(merged.trends, rules.watch);
    scenario.metrics = compareToBaseline({ key, summary: merged.summary, baseline, rules, sampling });
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

/** The hidden raw-sample file of a run whose samples are read for the sampling bands, then removed. */
function samplesFileName(fileName: string): string {
  return `.k6-gate-samples-${safeFileName(fileName)}.json.gz`;
}

function isRegression(row: ScenarioResult['metrics'][number]): boolean {
  return row.verdict === 'regressed' || (row.verdict === 'missing' && row.severity === 'error');
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
  try {
    await writeReports(config, result);
  } catch (error) {
    result.warnings.push(`could not write the reports to ${config.resultsDir}: ${(error as Error).message}`);
    log.warning(`could not write the reports to ${config.resultsDir}: ${(error as Error).message}`);
  }
  const verdict = result.failed ? 'FAILED' : 'ok';
  log.info(
    `k6-gate: outcome ${result.outcome} — ${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s) — gate ${verdict}`,
  );
  return result;
}

/** Every report file of the results dir. Platforms upload the folder as it is. */
export async function writeReports(config: Config, result: GateResult): Promise<void> {
  if (!existsSync(config.resultsDir)) return;
  const write = (name: string, text: string) => writeFile(path.join(config.resultsDir, name), text);
  await write('comparison.json', `${JSON.stringify(result, null, 2)}\n`);
  await write('report.md', renderMarkdownReport(result));
  await write('junit.xml', renderJUnit(result));
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
