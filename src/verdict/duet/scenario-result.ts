// A duet's result as a scenario's result: what a user reads in the report, comparison.json and
// every sink. One row per watched statistic (method `duet`: A pooled as the baseline, B pooled as
// the current value), the outcome by the one policy (verdict/outcome.ts), the sentence saying when
// the duet stopped and why, and a compact record of the looks. Pure: the gate (gate/duet.ts) runs
// the duet and reads k6's files.
import type { MetricRule } from '../../baseline/rules.js';
import { formatChange, formatDuration, formatPercent, formatPointChange, formatSetting, formatValue } from '../../format.js';
import type { DuetRecord, DuetStatRecord, MetricComparison, MetricVerdict, Outcome, ScenarioResult, ThresholdResult } from '../../model.js';
import { markInconclusive, scenarioOutcome } from '../outcome.js';
import { duetStatId, type DuetOptions, type DuetStat, type DuetStatResult } from './decision.js';
import type { DuetRunResult } from './run.js';

/** Trend statistics a duet compares window by window (avg, med, min, max, p(N)). */
const TREND_STAT = /^(avg|med|min|max|p\(\d+(?:\.\d+)?\))$/;
/** k6's built-in gauges: they have min and max, but no per-request distribution to pair. */
const GAUGES = new Set(['vus', 'vus_max']);

/**
 * The watched statistics a duet can compare, and the ones it cannot with why: a trend's statistics
 * (k6 pushes each trend as a histogram per second) and the failed-request rate (from the requests
 * of each window). Counters, checks, rates of other metrics and submetrics have no per-window
 * value on both sides to pair.
 */
export function duetStatsOf(watch: readonly MetricRule[]): { stats: DuetStat[]; left: string[] } {
  const stats: DuetStat[] = [];
  const left: string[] = [];
  for (const rule of watch) {
    const id = `${rule.metric}:${rule.stat}`;
    if (rule.metric === 'http_req_failed' && rule.stat === 'rate') stats.push({ metric: rule.metric, stat: rule.stat });
    else if (!rule.metric.includes('{') && !GAUGES.has(rule.metric) && TREND_STAT.test(rule.stat))
      stats.push({ metric: rule.metric, stat: rule.stat });
    else left.push(id);
  }
  return { stats, left };
}

/** What the mapping needs besides the duet's result. */
export interface DuetMapping {
  /** The scenario's result before the duet (key, name, profile). */
  scenario: ScenarioResult;
  duet: DuetRunResult;
  /** The watched rules of the compared statistics (direction, unit). */
  rules: readonly MetricRule[];
  /** Trend metrics whose values are times (ms), from k6's summary; others are unitless. */
  timeMetrics: ReadonlySet<string>;
  options: DuetOptions;
  blockMs: number;
  maxDurationMs: number;
  /** B's k6 thresholds over all of B's runs (gate/duet.ts says how the halves combine). */
  thresholds: ThresholdResult[];
  /** Some B run ended with k6's exit 99 (thresholds crossed). */
  thresholdsCrossed: boolean;
  /** target equals baseline-target: an A/A check. */
  aa: boolean;
  files: Record<string, string>;
}

const AA_NOTE = "A/A check: the duet of the base against itself; equivalent means the two sides' infrastructure is alike";

/** The scenario's result from the duet's. */
export function duetScenarioResult(m: DuetMapping): ScenarioResult {
  const { duet } = m;
  const last = duet.looks.at(-1);
  const metrics = (last?.stats ?? []).map((s) => duetRow(s, m));
  const k6WallMs = duet.runs.reduce((sum, r) => sum + r.result.wallMs, 0);
  const result: ScenarioResult = {
    ...m.scenario,
    thresholds: m.thresholds,
    metrics,
    files: { ...m.scenario.files, ...m.files },
    k6WallMs,
    k6Runs: duet.runs.length,
    verdictNote: verdictNote(m),
    duet: duetRecord(m),
  };
  if (duet.outcome === 'error') {
    result.outcome = 'error';
    result.error = `duet: ${duet.error ?? duet.reason}`;
    return result;
  }
  const base: Outcome = duet.outcome === 'inconclusive' ? 'inconclusive' : 'passed';
  result.outcome = scenarioOutcome({ thresholds: m.thresholds, metrics }, m.thresholdsCrossed ? 'thresholds-failed' : base);
  if (duet.outcome === 'inconclusive') result.inconclusive = duet.reason;
  // k6 starved of CPU while it measured: the duet's answer cannot be trusted (a regression still wins).
  if (duet.untrustworthy) markInconclusive(result, `the load generator was unhealthy: ${duet.untrustworthy}`);
  return result;
}

/** "duet stopped at look 1 of 3 after 20 s of k6 per side: B is worse than A on …". */
function verdictNote({ duet, blockMs, maxDurationMs, aa }: DuetMapping): string {
  const looks = Math.floor(maxDurationMs / blockMs);
  const perSide = formatDuration(duet.k6Seconds * 1000);
  const said =
    duet.outcome === 'error'
      ? `duet ended with an error after ${perSide} of k6 per side: ${duet.reason}`
      : duet.looks.length === 0
        ? `duet stopped before its first look after ${perSide} of k6 per side: ${duet.reason}`
        : `duet stopped at look ${duet.looks.length} of ${looks} after ${perSide} of k6 per side: ${duet.reason}`;
  return aa ? `${AA_NOTE}. ${said}` : said;
}

const VERDICT: Record<DuetStatResult['verdict'], MetricVerdict> = {
  regressed: 'regressed',
  improved: 'improved',
  equivalent: 'unchanged',
  undecided: 'inconclusive',
};

/** One watched statistic as a row of the table. */
function duetRow(s: DuetStatResult, m: DuetMapping): MetricComparison {
  const [metric, stat] = splitId(s.id);
  const rule = m.rules.find((r) => duetStatId(r) === s.id);
  const direction = rule?.direction ?? 'lower-is-better';
  const isRate = s.kind === 'difference';
  const unit: MetricComparison['unit'] = isRate ? 'ratio' : m.timeMetrics.has(metric) ? 'ms' : 'none';
  // The decision calls B above A "regressed"; a statistic where higher is better turns that round.
  let verdict = VERDICT[s.verdict];
  if (direction === 'higher-is-better' && (verdict === 'regressed' || verdict === 'improved'))
    verdict = verdict === 'regressed' ? 'improved' : 'regressed';
  const row: MetricComparison = {
    metric,
    stat,
    unit,
    direction,
    verdict,
    method: 'duet',
    samples: s.windows,
    tolerance: isRate ? 0 : m.options.minEffect,
    note: rowNote(s, stat, unit),
  };
  if (Number.isFinite(s.pooledA)) row.baseline = s.pooledA;
  if (Number.isFinite(s.pooledB)) row.current = s.pooledB;
  const change = isRate ? (s.pooledA > 0 ? s.pooledB / s.pooledA - 1 : undefined) : s.change;
  if (change !== undefined && Number.isFinite(change)) row.change = change;
  if (Number.isFinite(s.mde)) row.mde = s.mde;
  if (Number.isFinite(s.pooledA)) {
    // Values inside are no change: A pooled, widened by the floor that applied.
    const f = s.floor.value;
    row.band = isRate ? { low: s.pooledA - f, high: s.pooledA + f } : { low: s.pooledA / (1 + f), high: s.pooledA * (1 + f) };
    row.limitBy = s.floor.source === 'window noise' ? 'noise floor' : 'tolerance';
  }
  return row;
}

function splitId(id: string): [string, string] {
  const at = id.lastIndexOf(':');
  return [id.slice(0, at), id.slice(at + 1)];
}

/** A floor as the report's table writes it: `2%`, `2.6%`, `0.12 pp`. */
const size = (isRate: boolean, v: number) => (isRate ? formatSetting(v, 'ratio') : formatPercent(v));

/** "duet p(95): B 52.1 ms vs A 50 ms, +4.2% (interval +3.1% … +5.3%), p = 0.001, 40 paired windows; …". */
function rowNote(s: DuetStatResult, stat: string, unit: MetricComparison['unit']): string {
  const isRate = s.kind === 'difference';
  const sides = `duet ${stat}: B ${formatValue(s.pooledB, unit)} vs A ${formatValue(s.pooledA, unit)}`;
  if (!Number.isFinite(s.change)) return `${sides}; ${s.note ?? 'too few paired windows'}`;
  const show = (v: number) => (isRate ? formatPointChange(v) : formatChange(v));
  const said =
    s.verdict === 'equivalent'
      ? (s.note ?? 'equivalent')
      : s.verdict === 'undecided'
        ? `undecided: ${s.note ?? 'the interval is too wide'}`
        : `${s.verdict} (p ${s.p.toFixed(4)} ≤ ${s.level.toFixed(4)})`;
  const floor =
    s.floor.source === 'window noise'
      ? `floor ±${size(isRate, s.floor.value)} from the window noise (wider than the practical size)`
      : `floor ±${size(isRate, s.floor.value)}, the practical size`;
  return (
    `${sides}, ${show(s.change)} (interval ${show(s.interval[0])} … ${show(s.interval[1])}), ` +
    `p = ${s.p.toFixed(4)} over ${s.windows} paired windows; ${said}; ${floor}`
  );
}

const finite = (v: number) => (Number.isFinite(v) ? v : undefined);

/** The compact record of the duet for comparison.json (no windows: those go to their own file). */
function duetRecord({ duet, blockMs, maxDurationMs, options, aa }: DuetMapping): DuetRecord {
  const stats = (duet.looks.at(-1)?.stats ?? []).map((s): DuetStatRecord => {
    const record: DuetStatRecord = { id: s.id, verdict: s.verdict, windows: s.windows, level: s.level, floor: s.floor };
    if (finite(s.change) !== undefined) record.change = s.change;
    if (s.interval.every(Number.isFinite)) record.interval = s.interval;
    if (finite(s.p) !== undefined) record.p = s.p;
    if (finite(s.mde) !== undefined) record.mde = s.mde;
    return record;
  });
  return {
    outcome: duet.outcome === 'continue' ? 'inconclusive' : duet.outcome,
    stopReason: duet.reason,
    ...(duet.side ? { side: duet.side } : {}),
    ...(aa ? { aa } : {}),
    k6SecondsPerSide: duet.k6Seconds,
    blockSeconds: blockMs / 1000,
    maxSeconds: maxDurationMs / 1000,
    minEffect: options.minEffect,
    looks: duet.looks.map((l) => ({ look: l.look, fraction: l.fraction, outcome: l.outcome, reason: l.reason })),
    stats,
  };
}
