// What a run came to, in one line: the headline of the report, the PR comment, the MR note and the
// notifications, and the readable name of a scenario run. The one headline map. Pure.
import { formatCount } from '../format.js';
import type { GateResult, Outcome, ScenarioResult } from '../model.js';

const HEADLINE: Record<Outcome, string> = {
  passed: '✅ k6-gate: passed',
  inconclusive: '❔ k6-gate: inconclusive, the numbers could not decide',
  regressed: '❌ k6-gate: performance regressed',
  'thresholds-failed': '❌ k6-gate: k6 thresholds crossed',
  error: '💥 k6-gate: the load test could not run',
};

/** Why a run ended in `error`, as the headline names it. */
export type ErrorCause = 'cancelled' | 'bad-input' | 'error';

/** Messages of the problems k6-gate reports as "config error: …" (a watch list naming no metric, …). */
const BAD_INPUT = /^config error\b/i;

export function errorCause(result: GateResult): ErrorCause | undefined {
  if (result.cancelled) return 'cancelled';
  if (result.outcome !== 'error') return undefined;
  if (result.badInput) return 'bad-input';
  const errors = result.scenarios.filter((s) => s.error).map((s) => s.error!);
  return errors.length > 0 && errors.every((e) => BAD_INPUT.test(e)) ? 'bad-input' : 'error';
}

/** `✅ k6-gate: passed`, `⛔ k6-gate: cancelled (SIGTERM)`, `💥 k6-gate: bad input, nothing was measured`, … */
export function headline(result: GateResult): string {
  switch (errorCause(result)) {
    case 'cancelled':
      return `⛔ k6-gate: cancelled (${result.cancelled})`;
    case 'bad-input':
      return '💥 k6-gate: bad input';
    default:
      return HEADLINE[result.outcome];
  }
}

const SCENARIO_OUTCOME: Record<Outcome, string> = {
  passed: 'passed',
  inconclusive: 'inconclusive',
  regressed: 'regressed',
  'thresholds-failed': 'thresholds crossed',
  error: 'error',
};

export function scenarioIcon(outcome: Outcome): string {
  return outcome === 'passed' ? '✅' : outcome === 'inconclusive' ? '❔' : outcome === 'error' ? '💥' : '❌';
}

/** A scenario's outcome in words: `thresholds crossed`, `error`. */
export function scenarioOutcome(outcome: Outcome): string {
  return SCENARIO_OUTCOME[outcome];
}

/**
 * The name a reader knows a scenario run by: `checkout` or `checkout · profile smoke` (the
 * environment is the report's own). Never the baseline key, whose empty parts read `big-b@@demo`.
 */
export function scenarioLabel(s: Pick<ScenarioResult, 'scenario' | 'profile'>): string {
  return s.profile ? `${s.scenario} · profile ${s.profile}` : s.scenario;
}

/** Worst first: error, thresholds crossed, regressed, inconclusive, passed; the given order among equals. */
const OUTCOME_RANK: Record<Outcome, number> = { error: 0, 'thresholds-failed': 1, regressed: 2, inconclusive: 3, passed: 4 };

export function failuresFirst<T extends { outcome: Outcome }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => OUTCOME_RANK[a.item.outcome] - OUTCOME_RANK[b.item.outcome] || a.index - b.index)
    .map((x) => x.item);
}

/** `1 regression`, `2 crossed thresholds`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}
