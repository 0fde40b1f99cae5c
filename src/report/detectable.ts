// What the report says about the smallest change each watched stat could see (its minimum detectable
// effect, `mde`): the table's "Can see ≥" cell, and, when a stat cannot see its own tolerance, one
// plain sentence with advice that is true for where the noise came from. Pure: data in, text out;
// the Markdown report and gate-report.html both use it, each with its own escaping.
//
// The advice depends on the noise source, never on a guess:
// - history mode: the noise is the spread of the accepted runs (other jobs, other days, other
//   runners). A longer run shrinks only its within-run part, so no "run longer" number is given;
//   more history helps down to (z₁₋α/₂ + z₁₋β)·s and no further (power.ts computes how many runs);
//   A/B mode with `baseline-target` removes the between-job drift.
// - a duet: the noise is the spread between windows of one job; it shrinks roughly as 1/√duration,
//   so a longer duet (`max-duration`) helps. No number: the windows' autocorrelation decides it.
import { worseWay } from '../baseline/compare.js';
import { HISTORY_SEARCH_LIMIT, historyRunsFor, logRatioTowards, mdeUnlimitedHistory, relativeTowards } from '../baseline/power.js';
import { formatPercent, trimNumber } from '../format.js';
import type { MetricComparison } from '../model.js';

/** A rounded-up amount: a MDE shown smaller than it is would promise too much. */
function ceilTo(value: number, digits: number): string {
  const factor = 10 ** digits;
  const up = Math.ceil(value * factor - 1e-9) / factor;
  // trimNumber drops trailing zeros after a point only when there is one: 50 stays 50.
  return digits === 0 ? String(up) : trimNumber(up, digits);
}

/** `27%`, `4.5%`, `0.31 pp`: a MDE in the terms of its row (relative, or absolute for ratios). */
export function formatMde(mde: number, unit: MetricComparison['unit']): string {
  if (unit === 'ratio') return `${ceilTo(mde * 100, 2)} pp`;
  const percent = mde * 100;
  return `${ceilTo(percent, percent >= 10 ? 0 : 1)}%`;
}

/**
 * True when the row's MDE is larger than its relative tolerance: changes of the tolerance's size go
 * unseen. Ratios are left out: their MDE is absolute, their limit the wider of the tolerance and
 * the noise floor, so the two are not comparable in one number.
 */
export function cannotSeeTolerance(row: MetricComparison): boolean {
  return row.mde !== undefined && row.unit !== 'ratio' && row.tolerance > 0 && row.mde > row.tolerance;
}

/** The table cell: `27%`, with ⚠️ when the tolerance is out of sight; `—` without a MDE. */
export function mdeCell(row: MetricComparison): string {
  if (row.mde === undefined) return '—';
  return `${formatMde(row.mde, row.unit)}${cannotSeeTolerance(row) ? ' ⚠️' : ''}`;
}

/** Whether a table of these rows needs the column at all. */
export function anyMde(rows: readonly MetricComparison[]): boolean {
  return rows.some((row) => row.mde !== undefined);
}

/** What more history would do for a history-mode row that cannot see its tolerance. */
export interface HistoryReach {
  /** Fewest accepted runs at this spread that would see the tolerance; undefined = none would. */
  runs?: number;
  /** The best any amount of such history could see (relative). */
  best: number;
}

export function historyReach(row: MetricComparison): HistoryReach | undefined {
  const basis = row.mdeBasis;
  if (!basis || basis.source !== 'history' || row.unit === 'ratio') return undefined;
  const options = { alpha: basis.alpha, power: basis.power };
  const unlimited = mdeUnlimitedHistory(basis.spread, options);
  if (basis.scale === 'log') {
    const worse = worseWay(row.direction);
    // A tolerance of 100 % or more down is no limit on the log scale.
    if (worse === 'down' && row.tolerance >= 1) return undefined;
    return {
      runs: historyRunsFor(logRatioTowards(row.tolerance, worse), basis.spread, options),
      best: relativeTowards(unlimited, worse),
    };
  }
  // Linear scale: the MDE was divided by the accepted value; do the same to the target.
  const accepted = Math.abs(row.baseline ?? 0);
  if (!(accepted > 0)) return undefined;
  return { runs: historyRunsFor(row.tolerance * accepted, basis.spread, options), best: unlimited / accepted };
}

/** How the caller writes a stat's name and escapes prose in its format (Markdown or HTML). */
export interface Speaker {
  name(row: MetricComparison): string;
  code(text: string): string;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The plain sentence for the rows that cannot see their tolerance, or '' when every row can:
 * "this gate can only see changes ≥ 45% on p(95); the tolerance is 10%", then (with `advice`) what
 * would help for where the noise came from.
 */
export function blindSpotText(rows: readonly MetricComparison[], say: Speaker, advice: boolean): string {
  const blind = rows.filter(cannotSeeTolerance);
  if (blind.length === 0) return '';
  const tolerances = new Set(blind.map((row) => row.tolerance));
  const oneTolerance = tolerances.size === 1;
  // A duet's tolerance is its practical size (ab-min-effect), and its table says so.
  const limit = blind.every((row) => row.method === 'duet') ? 'practical size' : 'tolerance';
  const items = blind.map(
    (row) => `≥ ${formatMde(row.mde!, row.unit)} on ${say.name(row)}${oneTolerance ? '' : ` (${limit} ${formatPercent(row.tolerance)})`}`,
  );
  const sentences = [
    `This gate can only see changes ${list(items)}${oneTolerance ? `; the ${limit} is ${formatPercent(blind[0].tolerance)}` : ''}: smaller regressions pass unseen.`,
  ];
  if (!advice) return sentences.join(' ');

  const history = blind.filter((row) => row.mdeBasis?.source === 'history');
  if (history.length > 0) {
    const n = Math.max(...history.map((row) => row.samples));
    sentences.push(
      `Its noise is the spread of the ${n} accepted runs of the history (other jobs, other runners): a longer run shrinks only its own sampling part, not the drift between jobs.`,
    );
    const reaches = history.map((row) => ({ row, reach: historyReach(row) })).filter((x) => x.reach !== undefined);
    const unreachable = reaches.filter((x) => x.reach!.runs === undefined);
    if (unreachable.length > 0) {
      const worst = unreachable.reduce((a, x) => (x.reach!.best > a.reach!.best ? x : a));
      sentences.push(
        worst.reach!.best > worst.row.tolerance
          ? `More history cannot fix it: even unlimited history at this spread would see only ≥ ${formatMde(worst.reach!.best, worst.row.unit)} on ${say.name(worst.row)}.`
          : `More history would take over ${HISTORY_SEARCH_LIMIT} runs at this spread.`,
      );
    } else if (reaches.length > 0) {
      const runs = Math.max(...reaches.map((x) => x.reach!.runs!));
      sentences.push(
        `A history of ≥ ${runs} runs at this spread would see the tolerance (if ${say.code('history-limit')} keeps that many).`,
      );
    }
    sentences.push(`A/B mode (${say.code('baseline-target')}) measures both versions in the same job and removes the drift between jobs.`);
  }
  if (blind.some((row) => row.method === 'duet')) {
    sentences.push(
      `In the duet the noise is the spread between its windows, which shrinks roughly as 1/√duration: a longer ${say.code('max-duration')} sees smaller changes.`,
    );
  }
  return sentences.join(' ');
}
