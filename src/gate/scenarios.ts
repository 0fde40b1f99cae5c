// Step 4: every scenario in turn, each by its strategy: merge mode (the shards' results), one shard,
// A/B against `baseline-target` (a duet, gate/duet.ts, or ABBA rounds), or one run with
// confirmation reruns. A stop request skips the scenarios not started yet. Returns the runs the
// baseline may learn from.
import { noiseFloorFor } from '../baseline/compare.js';
import { recordProblems, runWarnings, type BaselineRun } from '../baseline/update.js';
import { isDuet, type Config, type ScenarioSpec } from '../config.js';
import type { InstalledK6 } from '../k6/install.js';
import { sayingWarningsOnce } from '../log.js';
import type { MetricComparison, ScenarioResult } from '../model.js';
import { runAB } from '../verdict/ab.js';
import { DEFAULT_CONFIRM, runWithConfirmation } from '../verdict/confirm.js';
import { runDuetScenario } from './duet.js';
import type { Judging } from './judge.js';
import { newScenarioResult, type GateRun } from './result.js';
import { mergeScenario, runScenarioOnce, type ScenarioStep } from './scenario-run.js';

/** A run the baseline may record, with the reasons it must not (empty: it may). */
export interface RunToRecord {
  run: BaselineRun;
  problems: string[];
  /** Why the scenario's verdict is inconclusive: such a run is never recorded (`runsToRecord`). */
  inconclusive?: string;
}

/** Runs (or merges) every scenario into `run.result.scenarios`. */
export async function runScenarios(run: GateRun, k6: InstalledK6 | undefined, judging: Judging): Promise<RunToRecord[]> {
  const { config, log, cancellation, result } = run;
  const runs: RunToRecord[] = [];
  for (const [index, spec] of config.scenarios.entries()) {
    if (cancellation.requested) {
      const error = `not run: k6-gate received ${cancellation.signal} before this scenario started`;
      result.scenarios.push({ ...newScenarioResult(config, spec), outcome: 'error', error });
      continue;
    }
    // Reruns and A/B rounds repeat the same load-generator warning: it is said once.
    const step: ScenarioStep = { run: { ...run, log: sayingWarningsOnce(log) }, spec, judging };
    const scenario = await log.group(scenarioTitle(config, spec, index), () => measureScenario(step, k6));
    result.scenarios.push(scenario);
    if (scenario.summary && mayRecord(config)) runs.push(runToRecord(run, spec, scenario, k6, judging));
  }
  if (isDuet(config) && config.updateBaseline !== 'never') {
    const why = 'baseline not updated: an A/B duet measures A and B side by side, and those numbers are no baseline for runs alone';
    result.warnings.push(why);
    log.info(`k6-gate: ${why}`);
  }
  return runs;
}

/**
 * Whether a scenario's numbers may teach the baseline at all: a shard's are recorded after the
 * merge, never alone; a duet's were measured with a second k6 beside them on the same machine, so
 * they are no reference for runs alone (its result carries no summary). ABBA rounds run alone: the
 * last B round's summary is recorded (verdict/ab.ts).
 */
function mayRecord(config: Config): boolean {
  return !config.shard && !isDuet(config);
}

function scenarioTitle(config: Config, spec: ScenarioSpec, index: number): string {
  const profile = config.profile ? ` (profile ${config.profile})` : '';
  const target = config.target ? ` against ${config.target}` : '';
  return `k6-gate: [${index + 1}/${config.scenarios.length}] ${spec.name}${profile}${target}`;
}

/** The scenario's verdict by the strategy the config asks for. */
function measureScenario(step: ScenarioStep, k6: InstalledK6 | undefined): Promise<ScenarioResult> {
  const { config, log } = step.run;
  if (config.merge) return mergeScenario(step);
  const once = (runConfig: Config, label?: string) => runScenarioOnce(step, k6!, runConfig, label);
  if (config.shard) return once(config);
  if (isDuet(config)) return runDuetScenario(step, k6!);
  if (config.baselineTarget) {
    const baselineTarget = config.baselineTarget;
    return runAB(
      (side, pair) => once({ ...config, target: side === 'A' ? baselineTarget : config.target }, `ab-${side}${pair}`),
      (row) => noiseFloorOfRow(row, step.judging),
      log,
    );
  }
  return runWithConfirmation((attempt) => once(config, attempt > 1 ? `run-${attempt}` : undefined), config.confirm ?? DEFAULT_CONFIRM, log);
}

/** The noise floor the rules give a compared row (A/B differences smaller than it are no change). */
function noiseFloorOfRow(row: MetricComparison, { rules }: Judging): number {
  const rule = rules.watch.find((r) => r.metric === row.metric && r.stat === row.stat) ?? { metric: row.metric, stat: row.stat };
  return noiseFloorFor(rule, row.unit, rules);
}

/** The run as the baseline would record it, after warning about what makes it a poor reference. */
function runToRecord(
  run: GateRun,
  spec: ScenarioSpec,
  scenario: ScenarioResult,
  k6: InstalledK6 | undefined,
  judging: Judging,
): RunToRecord {
  const { config, log, result } = run;
  const summary = scenario.summary!;
  for (const warning of runWarnings(scenario.key, summary, judging.baseline, judging.rules)) {
    result.warnings.push(warning);
    log.warning(`k6-gate: ${warning}`);
  }
  const record: BaselineRun = {
    key: scenario.key,
    scenario: spec.name,
    profile: config.profile,
    environment: config.environment,
    summary,
    // Merged shards: k6 ran in the shard jobs; their summary may say which k6, else the pinned one.
    k6Version: k6?.version ?? summary.k6Version ?? config.k6.version,
    commit: config.git.commit,
    ref: config.git.ref,
    date: result.generatedAt,
    endpoints: scenario.analysis?.endpoints,
    executorModel: scenario.executorModel,
  };
  return {
    run: record,
    problems: recordProblems({ summary, exitCode: scenario.exitCode, limits: judging.rules.record }),
    inconclusive: scenario.inconclusive,
  };
}
