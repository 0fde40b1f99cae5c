// What kind of metric a k6 metric is, in one place: its type (trend, rate, counter, gauge) when k6
// does not say it (from the stats a legacy export has, or from a stat name), what its values
// measure (times, data, plain numbers), which way is better, and in which unit it is reported.
// The type comes from k6 when the summary says it, else from the baseline's record, else from a
// guess (describeMetric). Pure; imports only types. Used by k6/summary.ts (reading summaries) and
// baseline/ (comparing, recording, validating).
import type { Unit } from './format.js';
import type { Direction, MetricContains, MetricSummary, MetricType } from './model.js';

export type { Unit };

export const METRIC_TYPES: readonly string[] = ['trend', 'rate', 'counter', 'gauge'];
export const METRIC_CONTAINS: readonly string[] = ['time', 'data', 'default'];

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

/** Stats only a trend has (`count` is NOT among them: a Trend carries it when the trend stats ask for it). */
const TREND_ONLY_KEYS = new Set(['avg', 'med']);

/**
 * The legacy export has no type field, so the type is told by which keys are present. Fallback
 * only (docs/baseline.md, "Types and units"): a trend is recognised by its trend stats first, so a
 * trend that also carries `count` (`--summary-trend-stats …,count`) never becomes a counter, whose
 * direction would be "higher is better".
 */
export function legacyTypeFromStats(values: Record<string, unknown>): MetricType | undefined {
  const keys = Object.keys(values).filter((key) => key !== 'thresholds');
  if ('passes' in values || 'fails' in values) return 'rate';
  if (keys.some((key) => TREND_ONLY_KEYS.has(key) || key.startsWith('p('))) return 'trend';
  if ('value' in values) return 'gauge';
  // A counter has exactly count and rate; a trend whose only requested stats are min/max/count is
  // a trend all the same (a counter never has min or max).
  if ('min' in values || 'max' in values) return 'trend';
  // A counter always has exactly count and rate; `count` alone is a Trend asked only for its count.
  if ('count' in values) return 'rate' in values ? 'counter' : 'trend';
  return undefined;
}

/** k6's built-in metrics whose values are times (ms) or data (bytes); custom ones are guessed by name. */
const TIME_METRICS =
  /^(http_req_(duration|blocked|connecting|tls_handshaking|sending|waiting|receiving)|iteration_duration|group_duration|ws_(connecting|session_duration|ping)|grpc_req_duration|browser_)/;
/** A custom trend whose name has one of these parts (`login_duration`, `poll_time_to_ready`, `ws_echo_round_trip`) holds times. */
const TIME_NAME_PART = /(^|_)(duration|latency|time|ms|rtt|round_trip|ttfb)(_|$)/i;
const DATA_METRICS = /^(data_(sent|received)|ws_msgs_(sent|received)_bytes)/;

export function guessContains(metric: string, type: MetricType): MetricContains {
  const base = baseMetricName(metric);
  if (DATA_METRICS.test(base)) return 'data';
  if (type === 'trend' && (TIME_METRICS.test(base) || TIME_NAME_PART.test(base))) return 'time';
  return 'default';
}
