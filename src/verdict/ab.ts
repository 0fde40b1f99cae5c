// A/B paired mode: the same scenario against a deployment of the base version (A, `baseline-target`)
// and the candidate (B, `target`), in short interleaved rounds in ABBA order (A B, B A, A B, …), in
// one job on one runner. Whatever the runner does to the numbers (a noisy neighbour, a slower
// machine than the one that recorded the baseline, drift during the job) hits both sides of a pair
// alike, so the per-pair difference keeps only the change itself.
//
// The decision per watched value uses the pairs' differences B − A (sign turned so that positive is
// worse): the exact Wilcoxon signed-rank test (distribution-free; a latency's run-to-run noise is
// skewed and has outliers, so no normality is assumed), two-sided at AB_ALPHA, AND a practical size:
// the median of the per-pair ratios B/A must be past AB_MIN_EFFECT (for ratios such as error rates:
// the median difference past the noise floor). Six pairs is the smallest count at which the exact
// test can reach p < 0.05 at all (p = 2/64 when every pair points the same way).
//
// Both sides must answer: a round in which every request failed ends the rounds with an error naming
// the side (a deployment that is down answers fastest of all, so its numbers would look like a win).
// Some failed requests are a measurement like any other: the error rate is compared, and a candidate
// answering 500s where the base answers 200s regresses on it.
import { isRegression } from '../baseline/compare.js';
import { wilcoxonSignedRank } from '../baseline/sampling.js';
import { median } from '../baseline/stats.js';
import { formatChange, formatDelta, formatDuration, formatValue } from '../format.js';
import type { Logger } from '../log.js';
import type { MetricComparison, ScenarioResult } from '../model.js';
import { joinedReasons, metricId } from './confirm.js';
import { scenarioOutcome } from './outcome.js';

/** Pairs of rounds (each pair is one A run and one B run). */
export const AB_PAIRS = 6;
/** Two-sided level of the signed-rank test. */
export const AB_ALPHA = 0.05;
/** Smallest relative change A/B mode calls a regression (median of the pair ratios). */
export const AB_MIN_EFFECT = 0.05;

export type Side = 'A' | 'B';

/** ABBA order: pair i runs A first when i is even, B first when odd. */
export function abOrder(pairs: number): { pair: number; side: Side }[] {
  const out: { pair: number; side: Side }[] = [];
  for (let i = 0; i < pairs; i++) {
    const sides: Side[] = i % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    for (const side of sides) out.push({ pair: i + 1, side });
  }
  return out;
}

export interface PairedDecision {
  verdict: 'regressed' | 'improved' | 'unchanged';
  /** Median of B/A − 1 over the pairs (undefined when an A value is 0). */
  change?: number;
  /** Median of B − A over the pairs. */
  difference: number;
  p: number;
  pairs: number;
}

/** The A/B verdict of one value from its per-pair values (pure). */
export function decidePaired(
  a: readonly number[],
  b: readonly number[],
  direction: MetricComparison['direction'],
  unit: MetricComparison['unit'],
  noiseFloor: number,
  alpha = AB_ALPHA,
  minEffect = AB_MIN_EFFECT,
): PairedDecision {
  const n = Math.min(a.length, b.length);
  const worseSign = direction === 'higher-is-better' ? -1 : 1;
  const differences = Array.from({ length: n }, (_, i) => b[i] - a[i]);
  const test = wilcoxonSignedRank(differences.map((d) => d * worseSign));
  const difference = median(differences);
  const ratios = Array.from({ length: n }, (_, i) => (a[i] > 0 ? b[i] / a[i] - 1 : NaN));
  const change = ratios.every(Number.isFinite) ? median(ratios) : undefined;
  const worse = difference * worseSign;
  const big = unit === 'ratio' || change === undefined ? Math.abs(difference) > noiseFloor : Math.abs(change) > minEffect;
  let verdict: PairedDecision['verdict'] = 'unchanged';
  if (test.p <= alpha && big && Math.abs(difference) > noiseFloor) verdict = worse > 0 ? 'regressed' : 'improved';
  return { verdict, change, difference, p: test.p, pairs: n };
}

function sideName(side: Side): string {
  return side === 'A' ? 'baseline-target (A)' : 'target (B)';
}

/** `N of M requests failed (http_req_failed)` when every request of the round failed (the side is down). */
function failedRequests(result: Pick<ScenarioResult, 'summary'>): string | undefined {
  const values = result.summary?.metrics.http_req_failed?.values;
  if (!values || !(values.rate >= 1)) return undefined;
  const failed = values.passes;
  const total = failed !== undefined && values.fails !== undefined ? failed + values.fails : undefined;
  return failed !== undefined && total !== undefined
    ? `${failed} of ${total} requests failed (http_req_failed)`
    : `${(values.rate * 100).toFixed(1)} % of the requests failed (http_req_failed)`;
}

/** The result of rounds that ended before the last pair: the last round's, with why there is no verdict. */
function endedEarly(rounds: readonly { result: ScenarioResult }[], pair: number, side: Side): ScenarioResult {
  const result = rounds[rounds.length - 1].result;
  const k6WallMs = rounds.reduce((s, r) => s + (r.result.k6WallMs ?? 0), 0);
  return {
    ...result,
    k6WallMs,
    k6Runs: rounds.length,
    verdictNote: `A/B round ${pair} against ${sideName(side)} ended ${result.outcome}; no A/B verdict`,
  };
}

/**
 * Runs the A/B rounds and decides. `runRound` makes one k6 run against one side and returns its
 * result compared as usual (the rows carry the values, units, directions and noise floors); the
 * verdicts of the returned rows are replaced by the paired ones. The scenario result is the last
 * B round's (its summary is what the baseline records: absolute numbers for the trend).
 */
export async function runAB(
  runRound: (side: Side, pair: number) => Promise<ScenarioResult>,
  noiseFloorOf: (row: MetricComparison) => number,
  log: Logger,
  pairs = AB_PAIRS,
): Promise<ScenarioResult> {
  const rounds: { side: Side; pair: number; result: ScenarioResult }[] = [];
  for (const { side, pair } of abOrder(pairs)) {
    log.info(`k6-gate: A/B pair ${pair}: ${side === 'A' ? 'A (baseline-target)' : 'B (target)'}`);
    const result = await runRound(side, pair);
    rounds.push({ side, pair, result });
    // A side whose every request failed measured no deployment (a base that is down answers fastest
    // of all): an error naming the side, and nothing for the baseline to learn.
    const failed = failedRequests(result);
    if (failed && result.outcome !== 'error') {
      const { summary: _unrecorded, ...measured } = result;
      const error = `A/B round ${pair} against ${sideName(side)}: ${failed}; a paired comparison needs both deployments answering`;
      rounds[rounds.length - 1].result = { ...measured, outcome: 'error', error };
      return endedEarly(rounds, pair, side);
    }
    // Thresholds crossed and errors end the rounds: they are outcomes of their own, never averaged away.
    if (result.outcome === 'error' || result.outcome === 'thresholds-failed') return endedEarly(rounds, pair, side);
  }
  const aRuns = rounds.filter((r) => r.side === 'A').sort((x, y) => x.pair - y.pair);
  const bRuns = rounds.filter((r) => r.side === 'B').sort((x, y) => x.pair - y.pair);
  const last = bRuns[bRuns.length - 1].result;
  const valuesOf = (runs: typeof aRuns, id: string) => runs.map((r) => r.result.metrics.find((m) => metricId(m) === id)?.current);
  const metrics = last.metrics.map((row): MetricComparison => {
    const id = metricId(row);
    const a = valuesOf(aRuns, id);
    const b = valuesOf(bRuns, id);
    if (a.some((v) => v === undefined) || b.some((v) => v === undefined)) return row;
    const noiseFloor = noiseFloorOf(row);
    const decision = decidePaired(a as number[], b as number[], row.direction, row.unit, noiseFloor);
    const aMedian = median(a as number[]);
    const bMedian = median(b as number[]);
    const out: MetricComparison = {
      ...row,
      verdict: decision.verdict,
      method: 'paired',
      runs: b as number[],
      abBaseline: a as number[],
      abDecision: { p: decision.p, alpha: AB_ALPHA, difference: decision.difference, noiseFloor, minEffect: AB_MIN_EFFECT },
      note:
        `A/B ${row.stat}: B ${formatValue(bMedian, row.unit)} vs A ${formatValue(aMedian, row.unit)} (medians of ${decision.pairs} ABBA pairs), ` +
        `${decision.change === undefined ? `difference ${formatDelta(decision.difference, row.unit)}` : `${formatChange(decision.change)} median pair ratio`}, ` +
        `signed-rank p = ${decision.p.toFixed(3)}; history: ${row.note}`,
    };
    if (decision.change !== undefined) out.change = decision.change;
    delete out.band;
    delete out.limitBy;
    // The history's MDE says nothing about the pairs; six ABBA pairs have none worth stating (docs/baseline.md).
    delete out.mde;
    delete out.mdeBasis;
    return out;
  });
  const k6WallMs = rounds.reduce((s, r) => s + (r.result.k6WallMs ?? 0), 0);
  const inconclusive = joinedReasons(rounds.map((r) => r.result));
  const outcome = scenarioOutcome({ thresholds: last.thresholds, metrics, inconclusive });
  const regressed = metrics.filter(isRegression).map(metricId);
  const verdictNote =
    `A/B mode: ${pairs} ABBA pairs (${rounds.length} k6 runs, ${formatDuration(k6WallMs)} of k6) against baseline-target (A) and target (B); ` +
    (regressed.length > 0 ? `B is worse on ${regressed.join(', ')}` : 'no paired difference beyond the limits');
  log.info(`k6-gate: ${verdictNote}`);
  return { ...last, outcome, metrics, k6WallMs, k6Runs: rounds.length, verdictNote, inconclusive };
}
