// The rows of a scenario's report: watched metrics (history and A/B), k6 thresholds, and the
// collapsed "why" section that says in words why a row regressed, improved or was not judged.
// Pure: data in, text out. Every string from the script goes through escape.ts.
import { markdownTable } from 'markdown-table';
import { isRegression } from '../baseline/compare.js';
import { percentileInterval } from '../baseline/sampling.js';
import { sparkline } from '../baseline/trend.js';
import { median } from '../baseline/stats.js';
import {
  formatChange,
  formatCount,
  formatDelta,
  formatPercent,
  formatPointChange,
  formatSetting,
  formatValue,
  relativeChange,
} from '../format.js';
import { compareCodeUnits } from '../json.js';
import type { DuetStatRecord, MetricComparison, ScenarioResult, ThresholdResult } from '../model.js';
import { DUET_RATE_MARGIN, duetStatId } from '../verdict/duet/decision.js';
import { anyMde, mdeCell } from './detectable.js';
import { codeSpan, escapeProse, tableCell } from './escape.js';
import { plural } from './headline.js';

/** How a row ranks when the report must be shortened: failing rows are never the first to go. */
export type RowClass = 'failing' | 'notable' | 'passed';

export function metricClass(row: MetricComparison): RowClass {
  if (isRegression(row)) return 'failing';
  if (row.verdict === 'unchanged' && !row.thin) return 'passed';
  return 'notable';
}

const CLASS_RANK: Record<RowClass, number> = { failing: 0, notable: 1, passed: 2 };

/** Failing rows first, then the notable ones, then the rest; the watch list's order among equals. */
export function sortMetricRows(rows: readonly MetricComparison[]): MetricComparison[] {
  return rows
    .map((row, index) => ({ row, index, rank: CLASS_RANK[metricClass(row)] }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((x) => x.row);
}

/** Crossed thresholds first, then by metric and expression. */
export function sortThresholds(thresholds: readonly ThresholdResult[]): ThresholdResult[] {
  return [...thresholds].sort(
    (a, b) => Number(a.ok) - Number(b.ok) || compareCodeUnits(a.metric, b.metric) || compareCodeUnits(a.expression, b.expression),
  );
}

export function table(rows: string[][], align: ('l' | 'r')[], compact: boolean): string {
  return markdownTable(rows, { align, alignDelimiters: !compact });
}

function verdictCell(row: MetricComparison, duet?: DuetNumbers): string {
  if (row.thin) return '⚪ too few samples to judge';
  if (duet && row.verdict === 'unchanged') return `⚪ equivalent within ±${duetSize(duet, duet.margin)}`;
  switch (row.verdict) {
    case 'regressed':
      return '🔴 regressed';
    case 'improved':
      return '🟢 improved';
    case 'unchanged':
      return '⚪ unchanged';
    case 'inconclusive':
      return '❔ inconclusive';
    case 'new':
      return '🆕 new';
    case 'missing':
      return row.severity === 'error' ? '🔴 missing' : '⚠️ missing';
  }
}

/** The limit on the bad side of the band: values past it regress. */
function limitOf(row: MetricComparison): number | undefined {
  if (!row.band) return undefined;
  return row.direction === 'lower-is-better' ? row.band.high : row.band.low;
}

/** What set the limit, in the words of the Allowed column: `tolerance 10%`, `noise floor`, `interval of 9 runs`. */
function limitRule(row: MetricComparison): string | undefined {
  switch (row.limitBy) {
    case 'tolerance':
      return `tolerance ${formatPercent(row.tolerance)}`;
    case 'noise floor':
      return 'noise floor';
    case 'interval':
      return `interval of ${plural(row.samples, 'run')}`;
    default:
      return undefined;
  }
}

/** `≤ 198 ms (interval of 8 runs)`: the limit and the rule that set it, the same one the note names. */
export function allowedCell(row: MetricComparison): string {
  const limit = limitOf(row);
  if (limit === undefined) return '—';
  const bound = `${row.direction === 'lower-is-better' ? '≤' : '≥'} ${formatValue(limit, row.unit)}`;
  const rule = limitRule(row);
  return rule ? `${bound} (${rule})` : bound;
}

/** The change column: one spelling for "no change", also when both values are 0. */
export function changeOf(row: Pick<MetricComparison, 'change' | 'baseline' | 'current'>): string {
  return formatChange(row.change ?? relativeChange(row.baseline, row.current));
}

type Trend = NonNullable<ScenarioResult['trend']>[number];

function trendCell(trend: Trend | undefined): string {
  if (!trend || trend.values.length === 0) return '';
  const accepted = trend.accepted ?? trend.values.length - 1;
  const withCurrent = trend.values.length > accepted;
  return `${sparkline(trend.values)} (${plural(accepted, 'run')}${withCurrent ? ' + this' : ''})`;
}

function findTrend(s: ScenarioResult, row: MetricComparison): Trend | undefined {
  return s.trend?.find((t) => t.metric === row.metric && t.stat === row.stat);
}

/** The header of the column of minimum detectable effects: the smallest change the row could see. */
export const CAN_SEE = 'Can see ≥';

/**
 * The history-mode table: baseline against this run, the change, the limit and what set it, and
 * (when any row has one) the smallest change each row could see.
 */
export function historyTable(s: ScenarioResult, rows: readonly MetricComparison[], compact: boolean, withTrend: boolean): string {
  const trend = withTrend && rows.some((row) => findTrend(s, row));
  const mde = anyMde(rows);
  const header = ['Metric', 'Stat', 'Baseline', 'This run', 'Change', 'Allowed', ...(mde ? [CAN_SEE] : []), 'Verdict'];
  const align: ('l' | 'r')[] = ['l', 'l', 'r', 'r', 'r', 'r', ...(mde ? (['r'] as const) : []), 'l'];
  if (trend) {
    header.push('History, then this run');
    align.push('l');
  }
  const body = rows.map((row) => {
    const cells = [
      tableCell(codeSpan(row.metric)),
      tableCell(escapeProse(row.stat)),
      formatValue(row.baseline, row.unit),
      formatValue(row.current, row.unit),
      changeOf(row),
      allowedCell(row),
      ...(mde ? [mdeCell(row)] : []),
      verdictCell(row),
    ];
    if (trend) cells.push(trendCell(findTrend(s, row)));
    return cells;
  });
  return table([header, ...body], align, compact);
}

/** An A/B row's numbers: medians of both sides, the median pair ratio and its interval. */
export interface AbNumbers {
  a: number;
  b: number;
  pairs: number;
  /** Pairs in which B was worse than A. */
  worse: number;
  change?: number;
  interval?: { low?: number; high?: number; confidence: number };
}

/** Confidence of the interval of the median pair ratio shown next to an A/B change. */
const AB_INTERVAL_CONFIDENCE = 0.95;

export function abNumbers(row: MetricComparison): AbNumbers | undefined {
  const a = row.abBaseline;
  const b = row.runs;
  if (!a || !b || a.length === 0 || a.length !== b.length) return undefined;
  const sign = row.direction === 'higher-is-better' ? -1 : 1;
  const worse = a.filter((value, i) => (b[i] - value) * sign > 0).length;
  const out: AbNumbers = { a: median(a), b: median(b), pairs: a.length, worse, change: row.change };
  if (a.every((value) => value > 0)) {
    const ratios = a.map((value, i) => b[i] / value - 1).sort((x, y) => x - y);
    const interval = percentileInterval({ count: ratios.length, valueAtRank: (rank) => ratios[rank] }, 50, AB_INTERVAL_CONFIDENCE);
    out.interval = { low: interval.low, high: interval.high, confidence: AB_INTERVAL_CONFIDENCE };
  }
  return out;
}

function intervalText(interval: AbNumbers['interval']): string {
  if (!interval) return '—';
  const end = (v: number | undefined, open: string) => (v === undefined ? open : formatChange(v));
  return `${end(interval.low, 'open')} … ${end(interval.high, 'open')}`;
}

/** The A/B table: A and B side by side, B's change against A and that change's interval. */
export function abTable(rows: readonly MetricComparison[], compact: boolean): string {
  const mde = anyMde(rows);
  const body = rows.map((row) => {
    const ab = abNumbers(row);
    return [
      tableCell(codeSpan(row.metric)),
      tableCell(escapeProse(row.stat)),
      formatValue(ab?.a, row.unit),
      formatValue(ab?.b, row.unit),
      formatChange(ab?.change),
      intervalText(ab?.interval),
      ...(mde ? [mdeCell(row)] : []),
      verdictCell(row),
    ];
  });
  return table(
    [['Metric', 'Stat', 'A (baseline-target)', 'B (target)', 'Change B/A', '95% interval', ...(mde ? [CAN_SEE] : []), 'Verdict'], ...body],
    ['l', 'l', 'r', 'r', 'r', 'r', ...(mde ? (['r'] as const) : []), 'l'],
    compact,
  );
}

/**
 * A duet row's numbers: A and B pooled over the paired windows, B's change against A with its
 * interval (relative for times, a difference in percentage points for the error rate, as the
 * decision weighed it), the floor that applied, the margin of "equivalent" and the test.
 */
export interface DuetNumbers {
  a?: number;
  b?: number;
  /** The error rate: change, interval, floor and margin are differences (0.005 = 0.5 pp). */
  difference: boolean;
  change?: number;
  interval?: [number, number];
  windows: number;
  floor: DuetStatRecord['floor'];
  /** What "equivalent" allows either way: the practical size (ab-min-effect), or 0.5 pp for the error rate. */
  margin: number;
  p?: number;
  level: number;
  verdict: DuetStatRecord['verdict'];
}

export function duetNumbers(s: ScenarioResult, row: MetricComparison): DuetNumbers | undefined {
  if (row.method !== 'duet' || !s.duet) return undefined;
  const record = s.duet.stats.find((st) => st.id === duetStatId(row));
  if (!record) return undefined;
  const difference = row.unit === 'ratio';
  return {
    a: row.baseline,
    b: row.current,
    difference,
    change: record.change,
    interval: record.interval,
    windows: record.windows,
    floor: record.floor,
    margin: difference ? DUET_RATE_MARGIN : s.duet.minEffect,
    p: record.p,
    level: record.level,
    verdict: record.verdict,
  };
}

/** A size in the duet's terms: `2%` for times, `0.5 pp` for the error rate. */
function duetSize(d: DuetNumbers, v: number): string {
  return d.difference ? formatSetting(v, 'ratio') : formatPercent(v);
}

/** B's change against A as the decision weighed it: `+5.6%`, or `+0.40 pp` for the error rate. */
function duetChange(d: DuetNumbers, v: number | undefined): string {
  if (v === undefined) return '—';
  return d.difference ? formatPointChange(v) : formatChange(v);
}

/** `+5.6% (+1.2% … +10.1%)`: the change and its interval. */
export function duetChangeCell(d: DuetNumbers): string {
  if (d.change === undefined) return '—';
  const interval = d.interval ? ` (${duetChange(d, d.interval[0])} … ${duetChange(d, d.interval[1])})` : '';
  return `${duetChange(d, d.change)}${interval}`;
}

/** The floor that applied: `±2% practical size`, `±2.6% window noise`. */
export function duetFloorCell(d: DuetNumbers): string {
  if (d.floor.value === 0) return 'none: any real rise counts';
  return `±${duetSize(d, d.floor.value)} ${d.floor.source}`;
}

/** The header of the duet table's columns, in the order of duetCells. */
export const DUET_HEADER = ['A (baseline-target)', 'B (target)', 'Change B/A (interval)', 'Floor', CAN_SEE, 'Verdict'] as const;

/** A duet row's cells after the metric and stat, plain text (each format escapes its own way). */
export function duetCells(row: MetricComparison, d: DuetNumbers | undefined): string[] {
  return [
    formatValue(row.baseline, row.unit),
    formatValue(row.current, row.unit),
    d ? duetChangeCell(d) : changeOf(row),
    d ? duetFloorCell(d) : '—',
    mdeCell(row),
    verdictCell(row, d),
  ];
}

/**
 * The duet table: A and B measured side by side at the same time, pooled over their paired
 * windows; the change with its interval, the floor that applied, the smallest change it could see.
 */
export function duetTable(s: ScenarioResult, rows: readonly MetricComparison[], compact: boolean): string {
  const body = rows.map((row) => [
    tableCell(codeSpan(row.metric)),
    tableCell(escapeProse(row.stat)),
    ...duetCells(row, duetNumbers(s, row)),
  ]);
  return table([['Metric', 'Stat', ...DUET_HEADER], ...body], ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'], compact);
}

export function thresholdTable(thresholds: readonly ThresholdResult[], compact: boolean): string {
  return table(
    [
      ['k6 threshold', 'Result'],
      ...thresholds.map((t) => [tableCell(`${codeSpan(t.metric)}: ${codeSpan(t.expression)}`), t.ok ? '✅ passed' : '❌ crossed']),
    ],
    ['l', 'l'],
    compact,
  );
}

function limitReason(row: MetricComparison): string {
  switch (row.limitBy) {
    case 'tolerance':
      return `the ${formatPercent(row.tolerance)} tolerance`;
    case 'noise floor':
      return 'the noise floor (the smallest difference the gate counts)';
    case 'interval':
      return `the spread of the last ${plural(row.samples, 'accepted run')}`;
    default:
      return 'the rules';
  }
}

function runsText(row: MetricComparison): string {
  if (!row.runs || row.abBaseline) return '';
  return ` Every run: ${row.runs.map((v) => formatValue(v, row.unit)).join(', ')}.`;
}

/** Four decimals, as the decision's level is small: `0.0294`. */
const pText = (v: number) => (v < 0.0001 ? '< 0.0001' : `= ${v.toFixed(4)}`);

/** A duet row's "why": the paired windows, the change and its interval against the floor, the test. */
function duetWhy(row: MetricComparison, d: DuetNumbers): string {
  const value = (v: number | undefined) => formatValue(v, row.unit);
  const sides = `B ${value(d.b)} against A ${value(d.a)}, each pooled over the same ${plural(d.windows, 'paired window')} (both measured at the same time)`;
  if (d.change === undefined) return `${sides}; too few paired windows to judge.`;
  const moved = `B/A ${duetChangeCell(d)}`;
  const test =
    d.p === undefined
      ? ''
      : `p ${pText(d.p)} against the ${d.level.toFixed(4)} this look allows (spent over the looks, corrected across the watched stats)`;
  if (row.verdict === 'regressed' || row.verdict === 'improved') {
    const floor =
      d.floor.value === 0
        ? 'a real change of the error rate counts at any size'
        : `past the ±${duetSize(d, d.floor.value)} floor (${d.floor.source})`;
    return `${sides}; ${moved}, ${floor}; ${test}.`;
  }
  if (row.verdict === 'unchanged') return `${sides}; ${moved}: the whole interval lies within ±${duetSize(d, d.margin)}.`;
  // Undecided: a real change too small to count, or an interval too wide to say either.
  const why =
    d.p !== undefined && d.p <= d.level
      ? `a real change, but within the ${d.floor.source === 'practical size' ? 'practical size' : 'floor'} ±${duetSize(d, d.floor.value)}, and the interval reaches past ±${duetSize(d, d.margin)}`
      : `the interval holds 0 and reaches past ±${duetSize(d, d.margin)}: neither a change nor equivalence is shown`;
  return `${sides}; ${moved}; ${why}${test ? `; ${test}` : ''}.`;
}

/** One row's "why", in plain words. */
function whyLine(row: MetricComparison, s: ScenarioResult): string {
  const name = `${codeSpan(row.metric)} ${escapeProse(row.stat)}`;
  const value = (v: number | undefined) => formatValue(v, row.unit);
  const duet = duetNumbers(s, row);
  if (duet) return `${name}: ${duetWhy(row, duet)}`;
  const ab = abNumbers(row);
  if (ab) {
    const interval = ab.interval ? ` (${formatPercent(ab.interval.confidence)} interval ${intervalText(ab.interval)})` : '';
    return (
      `${name}: B ${value(ab.b)} against A ${value(ab.a)} (medians of ${plural(ab.pairs, 'pair')}); ` +
      `B/A ${formatChange(ab.change)}${interval}; B was worse in ${ab.worse} of ${ab.pairs} pairs${abVerdictText(row)}.`
    );
  }
  if (row.verdict === 'missing') {
    // The note starts with the stat the name already says ("p(95) missing: …").
    const note = row.note.startsWith(`${row.stat} `) ? row.note.slice(row.stat.length + 1) : row.note;
    return `${name}: ${escapeProse(note)}${row.severity === 'error' ? '; counted as a regression' : ''}.`;
  }
  const limit = limitOf(row);
  const against = `${value(row.current)} against ${value(row.baseline)} accepted (${changeOf(row)})`;
  if (row.thin) {
    const n = row.sampling ? ` from ${formatCount(row.sampling.n)} samples` : '';
    return (
      `${name}: ${against} is past the limit ${value(limit)}, but this run's value${n} is uncertain enough to lie ` +
      `inside it: too few samples to call it a regression.${runsText(row)}`
    );
  }
  if (row.verdict === 'regressed') {
    return `${name}: ${against}, past the limit ${value(limit)} set by ${limitReason(row)}.${runsText(row)}`;
  }
  if (row.verdict === 'improved') return `${name}: ${against}, better than every limit on the good side.${runsText(row)}`;
  return `${name}: ${against}.${runsText(row)}`;
}

/** Why an A/B change that moved by one measure was not counted, one reason per rule it missed. */
function abReasons(row: MetricComparison): string[] {
  const d = row.abDecision;
  if (!d) return [];
  const reasons: string[] = [];
  if (d.p > d.alpha) {
    reasons.push(
      `the pairs do not agree often enough (identical versions would look this one-sided in ${formatPercent(d.p)} of runs; A/B mode needs under ${formatPercent(d.alpha)})`,
    );
  }
  if (Math.abs(d.difference) <= d.noiseFloor) {
    reasons.push(
      `the median pair difference, ${formatDelta(Math.abs(d.difference), row.unit)}, is within the ${formatSetting(d.noiseFloor, row.unit)} noise floor`,
    );
  }
  if (row.unit !== 'ratio' && row.change !== undefined && Math.abs(row.change) <= d.minEffect) {
    reasons.push(`the change is within the ${formatPercent(d.minEffect)} A/B mode counts`);
  }
  return reasons;
}

/** An A/B row that looks moved (a one-sided test or a change past the minimum) but was not counted. */
function heldBack(row: MetricComparison): boolean {
  const d = row.abDecision;
  if (!d || row.verdict !== 'unchanged') return false;
  return d.p <= d.alpha || (row.change !== undefined && Math.abs(row.change) > d.minEffect);
}

function abVerdictText(row: MetricComparison): string {
  const d = row.abDecision;
  if (!d) return '';
  if (row.verdict === 'regressed' || row.verdict === 'improved') {
    return `; identical versions would look this one-sided in ${formatPercent(d.p)} of runs`;
  }
  const reasons = heldBack(row) ? abReasons(row) : [];
  return reasons.length > 0 ? `; not counted: ${reasons.join('; ')}` : '';
}

/** What a row's sentence explains: the Why section's summary counts these. */
export function whyKind(
  row: MetricComparison,
): 'regressed' | 'improved' | 'missing' | 'inconclusive' | 'too thin to judge' | 'not counted' | undefined {
  if (row.thin) return 'too thin to judge';
  if (row.verdict === 'regressed' || row.verdict === 'improved' || row.verdict === 'missing' || row.verdict === 'inconclusive')
    return row.verdict;
  return heldBack(row) ? 'not counted' : undefined;
}

/** Rows worth a sentence: those that regressed, improved, went missing, were too thin to judge or not counted. */
export function whyRows(rows: readonly MetricComparison[]): MetricComparison[] {
  return rows.filter((row) => whyKind(row) !== undefined);
}

/** The sentences of `rows`, which belong to scenario `s` (a duet row reads its record there). */
export function whyList(s: ScenarioResult, rows: readonly MetricComparison[]): string {
  return rows.map((row) => `- ${whyLine(row, s)}`).join('\n');
}
