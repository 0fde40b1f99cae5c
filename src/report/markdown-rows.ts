// The rows of a scenario's report: watched metrics (history, A/B and duet) and k6 thresholds. The
// collapsed "why" section under them is markdown-why.ts.
// Pure: data in, text out. Every string from the script goes through escape.ts.
import { markdownTable } from 'markdown-table';
import { isRegression } from '../baseline/compare.js';
import { percentileInterval } from '../baseline/sampling.js';
import { sparkline } from '../baseline/trend.js';
import { median } from '../baseline/stats.js';
import { formatChange, formatPercent, formatPointChange, formatSetting, formatValue, relativeChange } from '../format.js';
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
export function limitOf(row: MetricComparison): number | undefined {
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

export function intervalText(interval: AbNumbers['interval']): string {
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
export function duetSize(d: DuetNumbers, v: number): string {
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
