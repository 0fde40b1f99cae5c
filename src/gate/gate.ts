// The one orchestration. Every entry (action, CLI, GitLab job, demo) calls runGate; platforms only
// publish its result. Read runSteps top to bottom: each line is one step, each step a module of
// this folder with one concern.
//
// Run problems never throw out of runGate: a step that cannot go on throws `GateStop`, which becomes
// the `error` outcome with the cause, after whatever was measured has been written to the results dir.
import { Cancellation } from '../cancel.js';
import type { Config } from '../config.js';
import type { PendingPreflight } from '../k6/preflight.js';
import type { Logger } from '../log.js';
import type { GateResult } from '../model.js';
import type { ResultsLock } from '../results-lock.js';
import { decideGate } from '../verdict/outcome.js';
import { readRulesAndBaseline } from './rules-and-baseline.js';
import { awaitHealthyTarget, readyK6, startTargetChecks, type TargetChecks } from './k6-and-target.js';
import { logVerdict, publishAndNotify } from './publish.js';
import { recordBaseline } from './record.js';
import { writeResultFiles } from './report.js';
import { prepareResultsDir } from './results-dir.js';
import { emptyResult, GateStop, markError, type GateRun } from './result.js';
import { runScenarios } from './scenarios.js';

// What entries need besides runGate: the exit status of a result.
export { exitStatusFor } from '../verdict/outcome.js';
export { wroteResults } from './report.js';

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
  const run: GateRun = { config, log, cancellation, result: emptyResult(config) };
  for (const secret of config.secrets) log.addSecret(secret);
  // The health checks (none in merge mode, which needs neither k6 nor the target) run while the
  // results dir, rules and baseline are read and k6 is found or installed; the CLI starts the target's earlier.
  const preflight = startTargetChecks(config, log, options.preflight);
  const held: ResultsLock[] = [];
  try {
    return await runSteps(run, preflight, held);
  } finally {
    stopListening();
    for (const lock of held) await lock.release();
  }
}

async function runSteps(run: GateRun, preflight: TargetChecks | undefined, held: ResultsLock[]): Promise<GateResult> {
  try {
    held.push(await prepareResultsDir(run)); // 1. results dir: created, probed, this run's alone
    const judging = await readRulesAndBaseline(run); // 2. rules and baseline, key typos warned
    const k6 = await readyK6(run); // 3. k6 found or installed…
    await awaitHealthyTarget(run, preflight); //    …and the target healthy
    const runs = await runScenarios(run, k6, judging); // 4. every scenario measured and judged
    decideGate(run.result); // 5. outcome, counts, and whether fail-on fails the job
    noteCancellation(run);
    await recordBaseline(run, runs, judging); // 6. the baseline learns, when allowed
  } catch (error) {
    if (!(error instanceof GateStop)) throw error;
    await preflight?.abandon();
    markError(run, error.message);
    if (!error.writeResults) return run.result;
  }
  await writeResultFiles(run); // 7. comparison.json, report.md, junit.xml, load-performance.json
  await publishAndNotify(run); // 8. metrics push and notifications
  logVerdict(run);
  return run.result;
}

/** A stop during the scenarios: what was measured is kept and marked partial. */
function noteCancellation(run: GateRun): void {
  const { cancellation, result } = run;
  if (!cancellation.requested) return;
  result.cancelled = cancellation.signal;
  result.warnings.push(`the run was cancelled (k6-gate received ${cancellation.signal}): the numbers are partial`);
}
