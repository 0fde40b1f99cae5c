// Confirmation reruns: when a scenario's first run regresses, run it again (up to `confirm` more
// times) and fail only when the regression persists. The rule is sequential: a metric stays
// "regressed" only while EVERY run so far regressed on it; the first rerun in which no metric of the
// first run's list still regresses clears the scenario and stops. With independent runs a false
// alarm that has probability p in one run survives k reruns with probability about p^(k+1); a real
// slowdown detected with probability d per run is confirmed with probability d^(k+1), so reruns pay
// off only once a single run detects a shift almost surely (see docs/verdicts.md for the figures).
//
// Crossed thresholds (k6 exit 99) and errors are never rerun: only a pure regression is.

/** Reruns when the project sets none: see docs/verdicts.md for the figures behind it. */
export const DEFAULT_CONFIRM = 1;
import { isRegression, mdeForRuns } from '../baseline/compare.js';
import { formatDuration } from '../format.js';
import type { Logger } from '../log.js';
import type { MetricComparison, Outcome, ScenarioResult } from '../model.js';
import { scenarioOutcome } from './outcome.js';

/** The identity of a watched value across runs. */
export function metricId(row: Pick<MetricComparison, 'metric' | 'stat'>): string {
  return `${row.metric} ${row.stat}`;
}

export interface ConfirmState {
  /** Metrics that regressed in every run so far. */
  persisting: string[];
  /** Runs made so far (first run included). */
  runs: number;
}

/** Whether a run's outcome may be rerun at all: regressions only. */
export function mayConfirm(outcome: Outcome): boolean {
  return outcome === 'regressed';
}

/** The state after the first run, from its regressed rows. */
export function startConfirm(regressed: readonly MetricComparison[]): ConfirmState {
  return { persisting: [...new Set(regressed.map(metricId))], runs: 1 };
}

/** Adds one rerun's regressed rows: what still persists. */
export function addConfirmRun(state: ConfirmState, regressed: readonly MetricComparison[]): ConfirmState {
  const now = new Set(regressed.map(metricId));
  return { persisting: state.persisting.filter((id) => now.has(id)), runs: state.runs + 1 };
}

/** True while another rerun is worth making: something persists and reruns are left. */
export function shouldRerun(state: ConfirmState, maxReruns: number): boolean {
  return state.persisting.length > 0 && state.runs - 1 < maxReruns;
}

/**
 * The rows' MDE for a gate whose regressions must survive `maxReruns` reruns: each run must see the
 * change, so the MDE is the one at which all of them do with 80 % power (mdeForRuns).
 */
function withRerunMde(result: ScenarioResult, maxReruns: number): ScenarioResult {
  if (maxReruns <= 0) return result;
  return { ...result, metrics: result.metrics.map((row) => mdeForRuns(row, maxReruns + 1)) };
}

/**
 * Runs a scenario, and when it regressed, reruns it (up to `maxReruns` times) under the rule above.
 * `runOnce(attempt)` makes one k6 run (attempt 1, 2, …) and compares it. The result is the last
 * run's, with every watched value's numbers of every run (`runs`), verdicts of values that did not
 * regress in every run turned to `unchanged`, and a sentence saying what happened.
 */
export async function runWithConfirmation(
  runOnce: (attempt: number) => Promise<ScenarioResult>,
  maxReruns: number,
  log: Logger,
): Promise<ScenarioResult> {
  const first = withRerunMde(await runOnce(1), maxReruns);
  if (maxReruns <= 0 || !mayConfirm(first.outcome)) return first;
  const all = [first];
  let state = startConfirm(first.metrics.filter(isRegression));
  let stoppedBy: ScenarioResult | undefined;
  while (shouldRerun(state, maxReruns)) {
    log.info(`k6-gate: ${state.persisting.join(', ')} regressed; confirmation rerun ${state.runs} of ${maxReruns}`);
    const next = await runOnce(state.runs + 1);
    all.push(next);
    if (next.outcome === 'error' || next.outcome === 'thresholds-failed') {
      // Crossed thresholds and errors are never rerun away, nor judged as "cleared".
      stoppedBy = next;
      state = { ...state, runs: state.runs + 1 };
      break;
    }
    state = addConfirmRun(state, next.metrics.filter(isRegression));
  }

  const last = withRerunMde(all[all.length - 1], maxReruns);
  const byId = (run: ScenarioResult) => new Map(run.metrics.map((m) => [metricId(m), m]));
  const maps = all.map(byId);
  const persisting = new Set(state.persisting);
  const metrics = last.metrics.map((row): MetricComparison => {
    const id = metricId(row);
    const values = maps.map((m) => m.get(id)?.current);
    const regressedIn = maps.filter((m) => {
      const r = m.get(id);
      return r !== undefined && isRegression(r);
    }).length;
    const out: MetricComparison = { ...row };
    if (values.every((v) => v !== undefined)) out.runs = values as number[];
    if (regressedIn === 0) return out;
    if (stoppedBy === undefined && !persisting.has(id)) {
      out.verdict = 'unchanged';
      delete out.severity;
      out.note = `${row.note}; regressed in ${regressedIn} of ${all.length} runs: not confirmed`;
    } else {
      out.note = `${row.note}; regressed in ${regressedIn} of ${all.length} runs`;
    }
    return out;
  });
  const k6WallMs = all.reduce((sum, r) => sum + (r.k6WallMs ?? 0), 0);
  // A run whose numbers could not decide (a starved k6) leaves the verdict inconclusive at best.
  const inconclusive = joinedReasons(all);
  // The rows persisting regressions kept decide, as for a single run.
  const outcome: Outcome = stoppedBy ? stoppedBy.outcome : scenarioOutcome({ thresholds: last.thresholds, metrics, inconclusive });
  let verdictNote: string;
  if (stoppedBy) {
    verdictNote = `confirmation rerun ${all.length - 1} ended ${stoppedBy.outcome}; ${all.length} k6 runs, ${formatDuration(k6WallMs)} of k6`;
  } else if (persisting.size > 0) {
    verdictNote = `regression confirmed: ${[...persisting].join(', ')} regressed in all ${all.length} runs; ${formatDuration(k6WallMs)} of k6`;
  } else {
    verdictNote = `first run regressed, ${all.length === 2 ? 'the rerun' : `rerun ${all.length - 1}`} did not: not confirmed, passed; ${all.length} k6 runs, ${formatDuration(k6WallMs)} of k6`;
  }
  log.info(`k6-gate: ${verdictNote}`);
  return { ...last, outcome, metrics, k6WallMs, k6Runs: all.length, verdictNote, inconclusive };
}

/** Every run's reason to be inconclusive, each said once with the run it came from; undefined when none had one. */
export function joinedReasons(runs: readonly Pick<ScenarioResult, 'inconclusive'>[]): string | undefined {
  const said = runs.flatMap((r, i) => (r.inconclusive ? [runs.length > 1 ? `run ${i + 1}: ${r.inconclusive}` : r.inconclusive] : []));
  return said.length > 0 ? said.join('; ') : undefined;
}
