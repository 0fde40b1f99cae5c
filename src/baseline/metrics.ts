// What a metric's numbers mean: which way is better and in which unit they are. The direction
// follows from the k6 metric type (and a name that counts failures); the type comes from k6 when
// the summary says it, else from the baseline's record, else from a guess (describeMetric).
import { guessContains } from '../k6/summary.js';
import type { Direction, MetricContains, MetricComparison, MetricSummary, MetricType } from '../model.js';

export type Unit = MetricComparison['unit'];

/** `http_req_duration{name:login}` → `http_req_duration`. */
export function baseMetricName(metric: string): string {
  const brace = metric.indexOf('{');
  return brace === -1 ? metric : metric.slice(0, brace);
}

/** Names that count bad things: more of them is worse whatever the metric type. */
const BAD_THINGS = /(fail|error|err_|_err$|timeout|drop|reject|abort|retr(y|ies)|blocked|lost|denied|5xx|4xx)/i;

/** Type from the stat name when the run does not have the metric (a missing metric). */
export function guessType(metric: string, stat: string): MetricType {
  const base = baseMetricName(metric);
  if (stat === 'count') return 'counter';
  if (stat === 'rate') {
    if (
      base === 'http_reqs' ||
      base === 'iterations' ||
      base.startsWith('data_') ||
      base.endsWith('_reqs') ||
      base.endsWith('_count') ||
      base.endsWith('_total')
    ) {
      return 'counter';
    }
    return 'rate';
  }
  if (stat === 'value') return 'gauge';
  return 'trend';
}

/**
 * Lower is better for times, sizes of delays, and anything counting failures; higher is better for
 * success rates (`checks`) and throughput (`http_reqs`, `iterations` rates). A rule can override.
 */
export function inferDirection(metric: string, stat: string, type: MetricType = guessType(metric, stat)): Direction {
  const base = baseMetricName(metric);
  if (BAD_THINGS.test(base)) return 'lower-is-better';
  if (type === 'rate') return 'higher-is-better';
  if (type === 'counter') return 'higher-is-better';
  return 'lower-is-better';
}

export function inferUnit(metric: string, stat: string, type: MetricType, contains: MetricContains): Unit {
  if (type === 'rate') return stat === 'passes' || stat === 'fails' ? 'count' : 'ratio';
  if (type === 'counter') {
    if (stat === 'rate') return 'per-second';
    return contains === 'data' ? 'bytes' : 'count';
  }
  if (contains === 'time') return 'ms';
  if (contains === 'data') return 'bytes';
  return 'none';
}

/** What the baseline recorded about a stat: its type and unit, when it recorded them. */
export interface RecordedMetric {
  type?: MetricType;
  unit?: Unit;
}

/**
 * Unit and type of a watched metric. The run's type wins: k6 says it, or (legacy export) it follows
 * from the stats present, which tell the four types apart (see inferLegacyType). Whether a trend
 * holds times is only guessed from a legacy export, so there the unit the baseline recorded for the
 * same type wins: a later run cannot silently change it. Without the metric in the run, the
 * recorded type and unit are used, else a guess from the names.
 */
export function describeMetric(
  metric: string,
  stat: string,
  summary: MetricSummary | undefined,
  recorded: RecordedMetric | undefined,
): { type: MetricType; unit: Unit } {
  if (summary) {
    const unit = inferUnit(metric, stat, summary.type, summary.contains);
    const keepRecorded = summary.typeFrom === 'guess' && recorded?.unit !== undefined && recorded.type === summary.type;
    return { type: summary.type, unit: keepRecorded ? recorded.unit! : unit };
  }
  if (recorded?.type !== undefined) {
    return { type: recorded.type, unit: recorded.unit ?? inferUnit(metric, stat, recorded.type, guessContains(metric, recorded.type)) };
  }
  const type = guessType(metric, stat);
  return { type, unit: recorded?.unit ?? inferUnit(metric, stat, type, guessContains(metric, type)) };
}

/**
 * A sentence when the run's metric is of another type than the baseline recorded (a script turned
 * a Trend into a Counter), or — when k6 itself says so — of another unit (`Trend(name, true)` lost
 * its `true`): the numbers are then not comparable, and the reader must know. A legacy export's
 * unit is a guess and never raises it. Undefined when nothing changed.
 */
export function typeChangeWarning(
  key: string,
  metric: string,
  stat: string,
  summary: MetricSummary | undefined,
  recorded: RecordedMetric | undefined,
): string | undefined {
  if (!summary || !recorded) return undefined;
  const now = describeMetric(metric, stat, summary, undefined);
  const changes: string[] = [];
  if (recorded.type !== undefined && recorded.type !== now.type) changes.push(`type ${recorded.type} → ${now.type}`);
  else if (summary.typeFrom !== 'guess' && recorded.unit !== undefined && recorded.unit !== now.unit)
    changes.push(`unit ${recorded.unit} → ${now.unit}`);
  if (changes.length === 0) return undefined;
  const source = summary.typeFrom === 'guess' ? 'the summary shows' : 'k6 says';
  return `${key}: ${metric} ${stat} changed ${changes.join(', ')} since the baseline was recorded; the values may not be comparable (${source} ${now.type}${summary.contains === 'time' ? ' of times' : ''}; re-record the baseline if the change is intended)`;
}

export function trimNumber(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, '') || '0';
}

/**
 * A value as a person reads it: `212 ms`, `0.35 ms`, `1.20%`, `45.3/s`, `1.5 MB`; `—` when there is
 * none. The one value formatter: notes, tables, annotations, JUnit and the baseline commands use it.
 */
export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  switch (unit) {
    case 'ms':
      if (abs >= 1000) return `${trimNumber(value / 1000, abs >= 10_000 ? 1 : 2)} s`;
      return `${abs >= 10 ? trimNumber(value, 1) : value.toFixed(2)} ms`;
    case 'ratio':
      return `${(value * 100).toFixed(2)}%`;
    case 'per-second':
      return `${abs >= 100 ? value.toFixed(0) : value.toFixed(1)}/s`;
    case 'bytes': {
      const units = ['B', 'kB', 'MB', 'GB', 'TB'];
      let scaled = value;
      let index = 0;
      while (Math.abs(scaled) >= 1000 && index < units.length - 1) {
        scaled /= 1000;
        index++;
      }
      return `${index === 0 ? value.toFixed(0) : trimNumber(scaled, 1)} ${units[index]}`;
    }
    case 'count':
      return Number.isInteger(value) ? String(value) : trimNumber(value, 2);
    default:
      return abs >= 100 ? value.toFixed(0) : trimNumber(value, abs >= 1 ? 2 : 4);
  }
}

/** A difference in the unit: ratios in percentage points (`0.50 pp`), others like formatValue. */
export function formatDelta(value: number, unit: Unit): string {
  if (unit === 'ratio') return `${(value * 100).toFixed(2)} pp`;
  return formatValue(value, unit);
}

/** A configured amount (noise floor) without padding zeros: `2 ms`, `0.5 pp`. */
export function formatSetting(value: number, unit: Unit): string {
  if (unit === 'ratio') return `${trimNumber(value * 100, 3)} pp`;
  if (unit === 'ms') return `${trimNumber(value, 3)} ms`;
  return trimNumber(value, 4);
}

/** A relative change, always signed and with one decimal: `+17.8%`, `-5.0%`, `±0.0%`; `—` when there is none. */
export function formatChange(change: number | undefined): string {
  if (change === undefined || !Number.isFinite(change)) return '—';
  const percent = change * 100;
  const sign = percent > 0 ? '+' : percent < 0 ? '-' : '±';
  return `${sign}${Math.abs(percent).toFixed(1)}%`;
}

/**
 * A whole count with thousands grouped by commas: `3,598`, `65,536`. Written out rather than
 * `toLocaleString`: the first Intl call loads ICU data, about 10 ms of a short run's start-up.
 */
export function formatCount(count: number): string {
  if (!Number.isSafeInteger(count)) return String(count);
  return String(count).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** A configured fraction (tolerance, confidence) as a percentage without padding zeros: `10%`, `99.5%`. */
export function formatPercent(fraction: number): string {
  return `${trimNumber(fraction * 100, 2)}%`;
}
