// Reads k6's end-of-test summary files into one RunSummary.
//
// Two formats exist:
// - the legacy `--summary-export` (k6 v0.x to v2.x): metrics flattened, no type field, a rate's
//   `rate` renamed `value`, and in `thresholds` the value `true` means the threshold FAILED;
// - the machine-readable summary (`--new-machine-readable-summary`, schema version "1.0.0"):
//   metrics as an array with type and unit, trend keys `p90`/`p95`, `checks_succeeded` instead of
//   `checks`, and no thresholds.
import { isObject, type JsonObject } from '../json.js';
import { guessContains, legacyTypeFromStats, METRIC_CONTAINS, METRIC_TYPES } from '../metric-kind.js';
import type { CheckResult, MetricContains, MetricSummary, MetricType, RunSummary, ThresholdResult } from '../model.js';
import { ExpectedError } from '../errors.js';

export class SummaryParseError extends ExpectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SummaryParseError';
  }
}

type Json = JsonObject;

/** The trend stats k6 is always asked for (`--summary-trend-stats`; summaryTrendStats adds the watched percentiles). */
export const SUMMARY_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/**
 * The trend stats to ask k6 for: SUMMARY_TREND_STATS and every other percentile the rules watch
 * (`p(99.9)`), so that a watched stat is measured rather than reported missing.
 */
export function summaryTrendStats(watchedStats: Iterable<string>): string[] {
  const extra = [...watchedStats].filter((stat) => /^p\(\d+(\.\d+)?\)$/.test(stat) && !SUMMARY_TREND_STATS.includes(stat));
  return [...SUMMARY_TREND_STATS, ...new Set(extra)];
}

/** A stat name as k6's legacy summary export keys it (what rules and baseline files may name). */
export const K6_STAT_PATTERN = /^(avg|min|med|max|rate|count|value|passes|fails|p\(\d+(\.\d+)?\))$/;

/** Parses summary text (either format). `source` names the file in error messages. */
export function parseSummary(text: string, source = 'summary'): RunSummary {
  if (text.trim() === '') {
    throw new SummaryParseError(`${source} is empty: k6 wrote no summary (did the run stop before the end of the test?)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SummaryParseError(
      `${source} is not JSON (${(error as Error).message}); expected k6's --summary-export output, starting with: ${JSON.stringify(text.slice(0, 60))}`,
      { cause: error },
    );
  }
  if (!isObject(data)) {
    throw new SummaryParseError(`${source} holds ${Array.isArray(data) ? 'an array' : typeof data}; expected a JSON object with "metrics"`);
  }
  if (typeof data.version === 'string' && isObject(data.results)) {
    return parseMachineReadable(data, source);
  }
  if (isObject(data.metrics)) {
    return parseLegacy(data, source);
  }
  throw new SummaryParseError(
    `${source} is not a k6 summary: expected an object with "metrics" (legacy --summary-export) or "version" and "results" (machine-readable summary)`,
  );
}

/**
 * The legacy export has no type field, so the type is told by which keys are present
 * (metric-kind.ts legacyTypeFromStats); keys that match no type are an error here.
 */
export function inferLegacyType(name: string, values: Json): MetricType {
  const type = legacyTypeFromStats(values);
  if (type) return type;
  const keys = Object.keys(values).filter((key) => key !== 'thresholds');
  throw new SummaryParseError(`metric "${name}" has keys ${JSON.stringify(keys)}, which match no k6 metric type`);
}

function numericEntries(values: Json, metric: string, source: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'thresholds') continue;
    if (typeof value === 'number') {
      out[key] = value;
    } else if (value === null) {
      // k6 writes null for stats it could not compute (e.g. NaN); a missing stat is handled downstream.
      continue;
    } else {
      throw new SummaryParseError(`${source}: metrics.${metric}.${key} is ${JSON.stringify(value)}; expected a number`);
    }
  }
  return out;
}

/** The `{"k6_gate": {"types": {name: {type, contains}}}}` note of an export k6-gate wrote; malformed entries are ignored. */
function notedTypes(data: Json): Record<string, { type: MetricType; contains: MetricContains }> {
  const note = isObject(data[K6_GATE_NOTE]) ? data[K6_GATE_NOTE] : undefined;
  const out: Record<string, { type: MetricType; contains: MetricContains }> = {};
  for (const [name, raw] of Object.entries(isObject(note?.types) ? note.types : {})) {
    if (isObject(raw) && METRIC_TYPES.includes(raw.type as string) && METRIC_CONTAINS.includes(raw.contains as string)) {
      out[name] = { type: raw.type as MetricType, contains: raw.contains as MetricContains };
    }
  }
  return out;
}

function parseLegacy(data: Json, source: string): RunSummary {
  const metrics: Record<string, MetricSummary> = {};
  const knownTypes = notedTypes(data);
  const thresholds: ThresholdResult[] = [];
  for (const [name, raw] of Object.entries(data.metrics as Json)) {
    if (!isObject(raw)) {
      throw new SummaryParseError(`${source}: metrics.${name} is ${JSON.stringify(raw)}; expected an object of stats`);
    }
    // A legacy export that k6-gate wrote itself (a merge, a load_performance copy) notes the types k6 gave.
    const known = knownTypes[name];
    const type = known?.type ?? inferLegacyType(name, raw);
    const values = numericEntries(raw, name, source);
    if (type === 'rate' && 'value' in values) {
      // The legacy export renames a rate's `rate` to `value`; keep one name downstream.
      values.rate = values.value;
      delete values.value;
    }
    metrics[name] = known
      ? { name, type, contains: known.contains, values, typeFrom: 'k6' }
      : { name, type, contains: guessContains(name, type), values, typeFrom: 'guess' };
    if (raw.thresholds !== undefined) {
      if (!isObject(raw.thresholds)) {
        throw new SummaryParseError(`${source}: metrics.${name}.thresholds is not an object`);
      }
      for (const [expression, failed] of Object.entries(raw.thresholds)) {
        // In the legacy export, `true` means the threshold was CROSSED (failed).
        const crossed = typeof failed === 'boolean' ? failed : isObject(failed) ? failed.ok === false : undefined;
        if (crossed === undefined) {
          throw new SummaryParseError(
            `${source}: metrics.${name}.thresholds["${expression}"] is ${JSON.stringify(failed)}; expected true (failed) or false (passed)`,
          );
        }
        thresholds.push({ metric: name, expression, ok: !crossed });
      }
    }
  }
  const checks: CheckResult[] = [];
  if (isObject(data.root_group)) collectLegacyChecks(data.root_group, checks);
  const state = isObject(data.state) ? data.state : undefined;
  const noted = isObject(data[K6_GATE_NOTE]) ? data[K6_GATE_NOTE] : undefined;
  return {
    format: 'legacy',
    metrics,
    thresholds,
    checks,
    k6Version: typeof noted?.k6Version === 'string' ? noted.k6Version : undefined,
    durationMs: typeof state?.testRunDurationMs === 'number' ? state.testRunDurationMs : undefined,
  };
}

function collectLegacyChecks(group: Json, out: CheckResult[]): void {
  const checks = group.checks;
  // Exports have written checks both as an object keyed by name and as an array.
  const list = Array.isArray(checks) ? checks : isObject(checks) ? Object.values(checks) : [];
  for (const check of list) {
    if (isObject(check) && typeof check.name === 'string') {
      out.push({
        name: check.name,
        path: typeof check.path === 'string' ? check.path : undefined,
        passes: Number(check.passes ?? 0),
        fails: Number(check.fails ?? 0),
      });
    }
  }
  const groups = group.groups;
  const children = Array.isArray(groups) ? groups : isObject(groups) ? Object.values(groups) : [];
  for (const child of children) if (isObject(child)) collectLegacyChecks(child, out);
}

/**
 * A RunSummary in k6's legacy `--summary-export` layout: the one writer of that format, beside its
 * parser (`parseSummary(legacySummaryExportText(x))` gives `x` back, the format aside). Used for a
 * merged sharded run's summary file and for GitLab's load_performance report when k6 wrote no legacy
 * export. Layout as k6 writes it: flattened metrics, a rate's `rate` named `value`, `true` in
 * `thresholds` = crossed, checks keyed in `root_group.checks` (by path, so equal names in two groups
 * stay apart), `groups` an object; `state.testRunDurationMs` when the duration is known.
 */
export function toLegacySummaryExport(summary: RunSummary): JsonObject {
  const metrics: Record<string, JsonObject> = {};
  for (const [name, metric] of Object.entries(summary.metrics)) {
    const values: JsonObject = {};
    for (const [key, value] of Object.entries(metric.values)) values[metric.type === 'rate' && key === 'rate' ? 'value' : key] = value;
    metrics[name] = values;
  }
  for (const threshold of summary.thresholds) {
    const target = (metrics[threshold.metric] ??= {});
    ((target.thresholds ??= {}) as Record<string, boolean>)[threshold.expression] = !threshold.ok;
  }
  const checks: JsonObject = {};
  for (const check of summary.checks) {
    const checkPath = check.path ?? `::${check.name}`;
    checks[checkPath] = { name: check.name, path: checkPath, id: '', passes: check.passes, fails: check.fails };
  }
  // The legacy layout cannot say a metric's type (a counter without `rate` reads as a trend): note the
  // types k6 itself gave, so that they survive the round trip; guessed ones are guessed again.
  const types: JsonObject = {};
  for (const [name, metric] of Object.entries(summary.metrics))
    if (metric.typeFrom === 'k6') types[name] = { type: metric.type, contains: metric.contains };
  const note: JsonObject = {};
  if (Object.keys(types).length > 0) note.types = types;
  if (summary.k6Version) note.k6Version = summary.k6Version;
  const exported: JsonObject = { root_group: { name: '', path: '', id: '', groups: {}, checks }, metrics };
  if (Object.keys(note).length > 0) exported[K6_GATE_NOTE] = note;
  if (summary.durationMs !== undefined) exported.state = { testRunDurationMs: summary.durationMs };
  return exported;
}

/** toLegacySummaryExport as the file's text. */
export function legacySummaryExportText(summary: RunSummary): string {
  return `${JSON.stringify(toLegacySummaryExport(summary), null, 2)}\n`;
}

/** Machine-readable trend keys (`p95`, `p99.9`) in the legacy spelling (`p(95)`, `p(99.9)`). */
function legacyStatName(key: string): string {
  const match = /^p(\d+(?:\.\d+)?)$/.exec(key);
  return match ? `p(${match[1]})` : key;
}

function parseMachineReadable(data: Json, source: string): RunSummary {
  if (!String(data.version).startsWith('1.')) {
    throw new SummaryParseError(
      `${source}: machine-readable summary version ${JSON.stringify(data.version)} is not supported; expected "1.x"`,
    );
  }
  const results = data.results as Json;
  const metrics: Record<string, MetricSummary> = {};
  const addMetric = (raw: unknown, where: string) => {
    if (!isObject(raw) || typeof raw.name !== 'string' || !isObject(raw.values)) {
      throw new SummaryParseError(`${source}: ${where} is not a metric; expected {name, type, values}`);
    }
    const type = raw.type as MetricType;
    if (!['trend', 'rate', 'counter', 'gauge'].includes(type)) {
      throw new SummaryParseError(
        `${source}: ${where} (${raw.name}) has type ${JSON.stringify(raw.type)}; expected trend, rate, counter or gauge`,
      );
    }
    const values: Record<string, number> = {};
    for (const [key, value] of Object.entries(numericEntries(raw.values, raw.name, source))) {
      values[legacyStatName(key)] = value;
    }
    if (type === 'rate' && 'matches' in values) {
      values.passes = values.matches;
      values.fails = (values.total ?? 0) - values.matches;
    }
    const contains = (['time', 'data', 'default'] as const).includes(raw.contains as MetricContains)
      ? (raw.contains as MetricContains)
      : guessContains(raw.name, type);
    metrics[raw.name] = { name: raw.name, type, contains, values, typeFrom: 'k6' };
  };
  const list = Array.isArray(results.metrics) ? results.metrics : [];
  list.forEach((raw, index) => addMetric(raw, `results.metrics[${index}]`));
  const checks: CheckResult[] = [];
  if (isObject(results.checks)) {
    const checkMetrics = Array.isArray(results.checks.metrics) ? results.checks.metrics : [];
    checkMetrics.forEach((raw, index) => addMetric(raw, `results.checks.metrics[${index}]`));
    const checkList = Array.isArray(results.checks.results) ? results.checks.results : [];
    for (const check of checkList) {
      if (isObject(check) && typeof check.name === 'string') {
        checks.push({ name: check.name, passes: Number(check.passes ?? 0), fails: Number(check.fails ?? 0) });
      }
    }
  }
  // The legacy name `checks` is what users and baselines watch; give it the succeeded rate.
  const succeeded = metrics.checks_succeeded;
  if (succeeded && !metrics.checks) {
    metrics.checks = { ...succeeded, name: 'checks', values: { ...succeeded.values } };
  }
  const config = isObject(data.config) ? data.config : {};
  const metadata = isObject(data.metadata) ? data.metadata : {};
  return {
    format: 'machine-readable',
    metrics,
    thresholds: [],
    checks,
    k6Version: typeof metadata.k6_version === 'string' ? metadata.k6_version : undefined,
    durationMs: typeof config.duration === 'number' ? config.duration * 1000 : undefined,
  };
}

/**
 * The field k6-gate adds to a shard's copy of the legacy export: the k6 version that measured it
 * (the export itself does not say), so that the merge job records the real version in the baseline.
 */
export const K6_GATE_NOTE = 'k6_gate';

/** A legacy export's text with `{"k6_gate": {"k6Version": …}}` added; text that is not a JSON object is returned as is. */
export function noteK6Version(text: string, k6Version: string): string {
  try {
    const data: unknown = JSON.parse(text);
    if (!isObject(data)) return text;
    const note = isObject(data[K6_GATE_NOTE]) ? data[K6_GATE_NOTE] : {};
    return `${JSON.stringify({ ...data, [K6_GATE_NOTE]: { ...note, k6Version } }, null, 2)}\n`;
  } catch {
    return text;
  }
}

/** Reads one stat of one metric, or undefined when the summary does not have it. */
export function readStat(summary: RunSummary, metric: string, stat: string): number | undefined {
  const values = summary.metrics[metric]?.values;
  if (!values) return undefined;
  const value = values[stat] ?? (stat === 'rate' ? values.value : undefined);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
