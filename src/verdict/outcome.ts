// The outcome policy, in one place: what a scenario's numbers make of it, what the scenarios make of
// the gate, whether `fail-on` fails the job, and the exit status. Every way a verdict is reached
// (one run, confirmation reruns, A/B rounds, merged shards) ends here; the sinks (dotenv, annotations,
// notifications, series, reports) count regressions with the same predicate, `isRegression`.
import { isRegression } from '../baseline/compare.js';
import { worstOutcome } from '../k6/exit-codes.js';
import type { GateResult, Outcome, ScenarioResult } from '../model.js';

/**
 * A scenario's outcome from what it measured: crossed thresholds (k6 exit 99 and the summary must
 * agree; whichever saw a crossing wins), then a regression, on top of `base` (k6's own outcome).
 */
export function scenarioOutcome(measured: Pick<ScenarioResult, 'thresholds' | 'metrics'>, base: Outcome = 'passed'): Outcome {
  let outcome = base;
  if (measured.thresholds.some((t) => !t.ok)) outcome = worstOutcome(outcome, 'thresholds-failed');
  if (measured.metrics.some(isRegression)) outcome = worstOutcome(outcome, 'regressed');
  return outcome;
}

/** Counts, outcome and the policy decision (`fail-on`) of the gate, from its scenario results. */
export function decideGate(result: GateResult): void {
  result.regressions = result.scenarios.reduce((n, s) => n + s.metrics.filter(isRegression).length, 0);
  result.thresholdsFailed = result.scenarios.reduce((n, s) => n + s.thresholds.filter((t) => !t.ok).length, 0);
  const errored = result.scenarios.some((s) => s.outcome === 'error');
  const thresholdsCrossed = result.thresholdsFailed > 0 || result.scenarios.some((s) => s.outcome === 'thresholds-failed');
  let outcome: Outcome = 'passed';
  if (result.regressions > 0) outcome = worstOutcome(outcome, 'regressed');
  if (thresholdsCrossed) outcome = worstOutcome(outcome, 'thresholds-failed');
  if (errored) outcome = 'error';
  result.outcome = outcome;
  result.failed =
    errored ||
    (result.regressions > 0 && result.failOn.includes('regression')) ||
    (thresholdsCrossed && result.failOn.includes('thresholds'));
}

/** 0 passed (or not failed by policy), 1 failed by policy, 2 error. */
export function exitStatusFor(result: GateResult): 0 | 1 | 2 {
  if (result.outcome === 'error') return 2;
  return result.failed ? 1 : 0;
}
