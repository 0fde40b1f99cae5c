// The outcome policy, in one place: what a scenario's numbers make of it, what the scenarios make of
// the gate, whether `fail-on` fails the job, and the exit status. Every way a verdict is reached
// (one run, confirmation reruns, A/B rounds, the duet, merged shards) ends here; the sinks (dotenv,
// annotations, notifications, series, reports) count regressions with the same predicate,
// `isRegression`, and inconclusive scenarios with the count `decideGate` leaves on the result.
//
// `inconclusive` sits between passed and regressed: the numbers could not decide (a duet that reached
// max-duration undecided, a load generator too starved to trust). A crossed threshold or a regression
// still wins, in a scenario and across the gate; an inconclusive scenario makes a gate that would have
// passed inconclusive. It fails the job only when `fail-on` names it, and it is never recorded as a
// baseline (baseline/update.ts `runsToRecord`).
import { isRegression } from '../baseline/compare.js';
import { worstOutcome } from '../k6/exit-codes.js';
import type { GateResult, Outcome, ScenarioResult } from '../model.js';

/**
 * A scenario's outcome from what it measured: crossed thresholds (k6 exit 99 and the summary must
 * agree; whichever saw a crossing wins), then a regression, then a reason it could not decide (its
 * `inconclusive`, or a watched stat the duet left inconclusive), on top of `base` (k6's own outcome).
 */
export function scenarioOutcome(
  measured: Pick<ScenarioResult, 'thresholds' | 'metrics'> & Partial<Pick<ScenarioResult, 'inconclusive'>>,
  base: Outcome = 'passed',
): Outcome {
  let outcome = base;
  if (measured.thresholds.some((t) => !t.ok)) outcome = worstOutcome(outcome, 'thresholds-failed');
  if (measured.metrics.some(isRegression)) outcome = worstOutcome(outcome, 'regressed');
  if (measured.inconclusive !== undefined || measured.metrics.some((m) => m.verdict === 'inconclusive'))
    outcome = worstOutcome(outcome, 'inconclusive');
  return outcome;
}

/**
 * Says why the scenario's numbers cannot decide (a starved load generator, a duet out of time) and
 * settles its outcome again: a scenario that passed becomes inconclusive; a regression, a crossed
 * threshold or an error stays what it is, with the reason kept beside it for the report.
 */
export function markInconclusive(scenario: ScenarioResult, why: string): void {
  scenario.inconclusive = scenario.inconclusive ? `${scenario.inconclusive}; ${why}` : why;
  scenario.outcome = worstOutcome(scenario.outcome, 'inconclusive');
}

/** Counts, outcome and the policy decision (`fail-on`) of the gate, from its scenario results. */
export function decideGate(result: GateResult): void {
  result.regressions = result.scenarios.reduce((n, s) => n + s.metrics.filter(isRegression).length, 0);
  result.thresholdsFailed = result.scenarios.reduce((n, s) => n + s.thresholds.filter((t) => !t.ok).length, 0);
  result.inconclusive = result.scenarios.filter((s) => s.outcome === 'inconclusive').length;
  const errored = result.scenarios.some((s) => s.outcome === 'error');
  const thresholdsCrossed = result.thresholdsFailed > 0 || result.scenarios.some((s) => s.outcome === 'thresholds-failed');
  let outcome: Outcome = 'passed';
  if (result.inconclusive > 0) outcome = worstOutcome(outcome, 'inconclusive');
  if (result.regressions > 0) outcome = worstOutcome(outcome, 'regressed');
  if (thresholdsCrossed) outcome = worstOutcome(outcome, 'thresholds-failed');
  if (errored) outcome = 'error';
  result.outcome = outcome;
  result.failed =
    errored ||
    (result.regressions > 0 && result.failOn.includes('regression')) ||
    (thresholdsCrossed && result.failOn.includes('thresholds')) ||
    (result.inconclusive > 0 && result.failOn.includes('inconclusive'));
}

/** 0 passed (or not failed by policy), 1 failed by policy, 2 error. */
export function exitStatusFor(result: GateResult): 0 | 1 | 2 {
  if (result.outcome === 'error') return 2;
  return result.failed ? 1 : 0;
}
