// Confirmation reruns: when a scenario's first run regresses, run it again (up to `confirm` more
// times) and fail only when the regression persists. The rule is sequential: a metric stays
// "regressed" only while EVERY run so far regressed on it; the first rerun in which no metric of the
// first run's list still regresses clears the scenario and stops. With independent runs a false
// alarm that has probability p in one run survives k reruns with probability about p^(k+1); a real
// slowdown detected with probability d per run is confirmed with probability d^(k+1), so reruns pay
// off only once a single run detects a shift almost surely (see docs/verdicts.md for the figures).
//
// Crossed thresholds (k6 exit 99) and errors are never rerun: only a pure regression is.
import type { MetricComparison, Outcome } from '../model.js';

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
