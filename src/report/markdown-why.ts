// The collapsed "why" section of a scenario's report: in words, why each row regressed, improved,
// was held back or was not judged (history, A/B and duet rows alike). Pure: data in, text out.
// Every string from the script goes through escape.ts.
import { formatChange, formatCount, formatDelta, formatPercent, formatSetting, formatValue } from '../format.js';
import type { MetricComparison, ScenarioResult } from '../model.js';
import { codeSpan, escapeProse } from './escape.js';
import { plural } from './headline.js';
import { abNumbers, changeOf, duetChangeCell, duetNumbers, duetSize, intervalText, limitOf, type DuetNumbers } from './markdown-rows.js';

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
