// What a metric's numbers mean: which way is better and in which unit they are. The direction
// follows from the k6 metric type (and a name that counts failures); the type comes from k6 when
// the summary says it, else from the baseline's record, else from a guess (describeMetric).
import { guessContains } from '../k6/summary.js';
import type { Direction, MetricContains, MetricSummary, MetricType } from '../model.js';

import type { Unit } from '../format.js';

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
  // A Trend's `count` counts samples: a number of requests, never milliseconds.
  if (type === 'trend' && stat === 'count') return 'count';
  if (type === 'rate') return stat === 'passes' || stat === 'fails' ? 'count' : 'ratio';
  if (type === 'counter') {
    if (stat === 'rate') return 'per-second';
    return contains === 'data' ? 'bytes' : 'count';
  }
  if (contains === 'time') return 'ms';
  if (contains === 'data') return 'bytes';
  return 'none';
}

/** A Trend's `count`: an older baseline may have recorded it in the trend's own unit (ms); it is a count. */
function countsSamples(type: MetricType, stat: string): boolean {
  return type === 'trend' && stat === 'count';
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
    const keepRecorded =
      summary.typeFrom === 'guess' && recorded?.unit !== undefined && recorded.type === summary.type && !countsSamples(summary.type, stat);
    return { type: summary.type, unit: keepRecorded ? recorded.unit! : unit };
  }
  if (recorded?.type !== undefined) {
    const unit = countsSamples(recorded.type, stat) ? undefined : recorded.unit;
    return { type: recorded.type, unit: unit ?? inferUnit(metric, stat, recorded.type, guessContains(metric, recorded.type)) };
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
