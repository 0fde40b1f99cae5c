// Baseline file format v1 (docs/adr/0001-baseline-format.md, schemas/baseline.schema.json).
// The file lives in the user's repository, so it is validated by hand with messages that name the
// JSON path and the expected form, and written with a fixed layout so that updates diff well.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExpectedError } from '../errors.js';
import { compareCodeUnits, isObject, type JsonObject } from '../json.js';
import { K6_STAT_PATTERN } from '../k6/summary.js';
import type { MetricComparison, MetricType } from '../model.js';
import { describeMetric } from './metrics.js';
import type { BaselineTrend } from './trend.js';

export type BaselineUnit = MetricComparison['unit'];

/** One accepted run's value of one metric stat. */
export interface BaselineHistoryEntry {
  value: number;
  /** ISO 8601 time of the run. */
  date: string;
  k6Version?: string;
  commit?: string;
  ref?: string;
}

/** One watched stat of one metric: the value new runs are compared with, and where it came from. */
export interface BaselineStat {
  /** The value runs are compared with: the median of `history` (or hand-set when history is empty). */
  accepted: number;
  /** k6's metric type when the value was recorded (from k6 itself, or the fallback guess). */
  type?: MetricType;
  unit?: BaselineUnit;
  /** Oldest first; at most the rules' historyLimit entries. */
  history: BaselineHistoryEntry[];
}

export interface BaselineScenario {
  scenario: string;
  profile?: string;
  /** The named environment the runs were measured against (`staging`, `production`); see baselineKey. */
  environment?: string;
  /** When this scenario's entries were last updated (ISO 8601). */
  updatedAt?: string;
  /** metric name (submetrics included) → stat (`p(95)`, `rate`, …) → values. */
  metrics: Record<string, Record<string, BaselineStat>>;
  /** Optional: the last accepted run's top endpoints (per-endpoint table), by endpoint name. */
  endpoints?: Record<string, BaselineEndpoint>;
  /** Optional: the long trend of the watched stats, one row per accepted run (src/baseline/trend.ts). */
  trend?: BaselineTrend;
  /** Optional: the executor model of the last accepted run (`open`, `closed`, `mixed`). */
  executorModel?: 'open' | 'closed' | 'mixed';
}

export interface BaselineEndpoint {
  p95: number;
  requests: number;
  failureRate: number;
}

export interface BaselineFile {
  /** Lets editors find the schema; kept as written. */
  $schema?: string;
  version: 1;
  updatedAt?: string;
  /** Keyed by baselineKey: `scenario`, `scenario@profile`, `scenario@profile@environment` or `scenario@@environment`. */
  scenarios: Record<string, BaselineScenario>;
}

export const BASELINE_VERSION = 1;

export class BaselineError extends ExpectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BaselineError';
  }
}

const UNITS: readonly BaselineUnit[] = ['ms', 'ratio', 'per-second', 'count', 'bytes', 'none'];
const KEY_PATTERN = /^[^@\s]+(@[^@\s]+|@[^@\s]*@[^@\s]+)?$/;
const TYPES: readonly MetricType[] = ['trend', 'rate', 'counter', 'gauge'];
/** No k6 measurement comes near it (1e15 ms is 31,000 years; 1e15 bytes a petabyte): a bigger value is a typo. */
export const MAX_BASELINE_VALUE = 1e15;

/**
 * The baseline key of one scenario's history (docs/adr/0002-baseline-environment-key.md):
 * `scenario`, `scenario@profile`, and with a named environment `scenario@profile@environment`
 * (`scenario@@environment` when there is no profile). Staging and production never share a key.
 */
export function baselineKey(parts: { scenario: string; profile?: string; environment?: string }): string {
  // GitHub environment names may hold spaces; a key part holds neither spaces nor "@".
  const part = (text: string | undefined) => (text ? text.trim().replace(/[\s@]+/g, '-') : undefined) || undefined;
  const profile = part(parts.profile);
  const environment = part(parts.environment);
  if (environment !== undefined) return `${parts.scenario}@${profile ?? ''}@${environment}`;
  return profile !== undefined ? `${parts.scenario}@${profile}` : parts.scenario;
}

/** The parts of a key made by baselineKey. */
export function splitBaselineKey(key: string): { scenario: string; profile?: string; environment?: string } {
  const [scenario, profile, environment] = key.split('@');
  const out: { scenario: string; profile?: string; environment?: string } = { scenario };
  if (profile) out.profile = profile;
  if (environment) out.environment = environment;
  return out;
}
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type Json = JsonObject;

function quote(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `$.scenarios` + `smoke` → `$.scenarios["smoke"]`: brackets always, since keys hold `@`, `{`, `(`. */
function child(where: string, name: string): string {
  return `${where}[${JSON.stringify(name)}]`;
}

class Validator {
  constructor(readonly source: string) {}

  fail(where: string, value: unknown, expected: string): never {
    throw new BaselineError(`${this.source}: ${where} is ${quote(value)}; expected ${expected}`);
  }

  object(value: unknown, where: string, expected: string): Json {
    if (!isObject(value)) this.fail(where, value, expected);
    return value;
  }

  known(object: Json, names: readonly string[], where: string): void {
    for (const name of Object.keys(object)) {
      if (!names.includes(name)) {
        throw new BaselineError(`${this.source}: ${where}.${name} is not part of baseline format v1; expected only ${names.join(', ')}`);
      }
    }
  }

  finite(value: unknown, where: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(where, value, 'a number');
    return value;
  }

  /**
   * A measured value: finite, of a plausible size, and in the range its unit allows. A unit guessed
   * from the names (a file without `unit` or `type`) cannot tell a ratio from a counter's rate, so
   * then only "≥ 0" is checked.
   */
  measured(value: unknown, where: string, unit: BaselineUnit, guessed = false): number {
    const n = this.finite(value, where);
    if (Math.abs(n) > MAX_BASELINE_VALUE)
      this.fail(where, value, `a measured value of at most ${MAX_BASELINE_VALUE} (no k6 metric gets there)`);
    if (unit === 'ratio' && !guessed && (n < 0 || n > 1)) this.fail(where, value, 'a ratio from 0 to 1 (this stat is a rate)');
    if (unit !== 'none' && n < 0) this.fail(where, value, `a value ≥ 0 (its unit is ${unit})`);
    return n;
  }

  string(value: unknown, where: string, expected = 'a string'): string {
    if (typeof value !== 'string' || value === '') this.fail(where, value, expected);
    return value;
  }

  date(value: unknown, where: string): string {
    if (typeof value !== 'string' || !DATE_PATTERN.test(value) || Number.isNaN(Date.parse(value))) {
      this.fail(where, value, 'an ISO 8601 date-time such as "2025-01-31T12:00:00Z"');
    }
    return value;
  }

  optionalString(object: Json, name: string, where: string): string | undefined {
    return object[name] === undefined ? undefined : this.string(object[name], `${where}.${name}`);
  }
}

function readEntry(v: Validator, raw: unknown, where: string, unit: BaselineUnit, guessed: boolean): BaselineHistoryEntry {
  const object = v.object(raw, where, 'an object {value, date, k6Version?, commit?, ref?}');
  v.known(object, ['value', 'date', 'k6Version', 'commit', 'ref'], where);
  const entry: BaselineHistoryEntry = {
    value: v.measured(object.value, `${where}.value`, unit, guessed),
    date: v.date(object.date, `${where}.date`),
  };
  const k6Version = v.optionalString(object, 'k6Version', where);
  const commit = v.optionalString(object, 'commit', where);
  const ref = v.optionalString(object, 'ref', where);
  if (k6Version !== undefined) entry.k6Version = k6Version;
  if (commit !== undefined) entry.commit = commit;
  if (ref !== undefined) entry.ref = ref;
  return entry;
}

function readStat(v: Validator, raw: unknown, where: string, metric: string, statName: string): BaselineStat {
  const object = v.object(raw, where, 'an object {accepted, type?, unit?, history}');
  v.known(object, ['accepted', 'type', 'unit', 'history'], where);
  const stat: BaselineStat = { accepted: 0, history: [] };
  if (object.type !== undefined) {
    if (!TYPES.includes(object.type as MetricType)) v.fail(`${where}.type`, object.type, `one of ${TYPES.map((t) => `"${t}"`).join(', ')}`);
    stat.type = object.type as MetricType;
  }
  if (object.unit !== undefined) {
    if (!UNITS.includes(object.unit as BaselineUnit))
      v.fail(`${where}.unit`, object.unit, `one of ${UNITS.map((u) => `"${u}"`).join(', ')}`);
    stat.unit = object.unit as BaselineUnit;
  }
  // Files without type or unit (written before they were recorded) get the unit the gate would use.
  const unit = stat.unit ?? describeMetric(metric, statName, undefined, { type: stat.type }).unit;
  const guessed = stat.unit === undefined && stat.type === undefined;
  stat.accepted = v.measured(object.accepted, `${where}.accepted`, unit, guessed);
  if (object.history !== undefined) {
    if (!Array.isArray(object.history)) v.fail(`${where}.history`, object.history, 'a list of {value, date, …} entries, oldest first');
    stat.history = object.history.map((entry, index) => readEntry(v, entry, `${where}.history[${index}]`, unit, guessed));
  }
  return stat;
}

function readScenario(v: Validator, key: string, raw: unknown, where: string): BaselineScenario {
  const object = v.object(raw, where, 'an object {scenario, profile?, environment?, updatedAt?, metrics}');
  v.known(object, ['scenario', 'profile', 'environment', 'updatedAt', 'metrics', 'endpoints', 'trend', 'executorModel'], where);
  const scenario: BaselineScenario = {
    scenario: v.string(object.scenario, `${where}.scenario`, `the scenario name ${JSON.stringify(key.split('@')[0])}`),
    metrics: {},
  };
  const profile = v.optionalString(object, 'profile', where);
  if (profile !== undefined) scenario.profile = profile;
  const environment = v.optionalString(object, 'environment', where);
  if (environment !== undefined) scenario.environment = environment;
  const expectedKey = baselineKey(scenario);
  if (expectedKey !== key) {
    throw new BaselineError(
      `${v.source}: ${where} holds scenario ${JSON.stringify(scenario.scenario)}${profile === undefined ? '' : ` with profile ${JSON.stringify(profile)}`}${environment === undefined ? '' : ` in environment ${JSON.stringify(environment)}`}; expected its key to be ${JSON.stringify(expectedKey)}`,
    );
  }
  if (object.updatedAt !== undefined) scenario.updatedAt = v.date(object.updatedAt, `${where}.updatedAt`);
  const metrics = v.object(
    object.metrics,
    `${where}.metrics`,
    'an object keyed by metric name, e.g. {"http_req_duration": {"p(95)": {…}}}',
  );
  for (const [metric, stats] of Object.entries(metrics)) {
    const metricWhere = child(`${where}.metrics`, metric);
    const statsObject = v.object(stats, metricWhere, 'an object keyed by stat, e.g. {"p(95)": {"accepted": 180, "history": []}}');
    const out: Record<string, BaselineStat> = {};
    for (const [stat, value] of Object.entries(statsObject)) {
      const statWhere = child(metricWhere, stat);
      if (!K6_STAT_PATTERN.test(stat)) {
        throw new BaselineError(
          `${v.source}: ${statWhere} names stat ${JSON.stringify(stat)}; expected avg, min, med, max, p(N), rate, count or value`,
        );
      }
      out[stat] = readStat(v, value, statWhere, metric, stat);
    }
    scenario.metrics[metric] = out;
  }
  if (object.endpoints !== undefined) scenario.endpoints = readEndpoints(v, object.endpoints, `${where}.endpoints`);
  if (object.trend !== undefined) scenario.trend = readTrend(v, object.trend, `${where}.trend`);
  if (object.executorModel !== undefined) {
    if (!['open', 'closed', 'mixed'].includes(object.executorModel as string))
      v.fail(`${where}.executorModel`, object.executorModel, 'open, closed or mixed');
    scenario.executorModel = object.executorModel as BaselineScenario['executorModel'];
  }
  return scenario;
}

function readEndpoints(v: Validator, raw: unknown, where: string): Record<string, BaselineEndpoint> {
  const object = v.object(
    raw,
    where,
    'an object keyed by endpoint, e.g. {"GET /orders/{id}": {"p95": 120, "requests": 300, "failureRate": 0}}',
  );
  const out: Record<string, BaselineEndpoint> = {};
  for (const [name, value] of Object.entries(object)) {
    const at = child(where, name);
    const e = v.object(value, at, 'an object {p95, requests, failureRate}');
    v.known(e, ['p95', 'requests', 'failureRate'], at);
    out[name] = {
      p95: v.finite(e.p95, `${at}.p95`),
      requests: v.finite(e.requests, `${at}.requests`),
      failureRate: v.finite(e.failureRate, `${at}.failureRate`),
    };
  }
  return out;
}

function readTrend(v: Validator, raw: unknown, where: string): BaselineTrend {
  const object = v.object(raw, where, 'an object {stats, runs}');
  v.known(object, ['stats', 'runs'], where);
  if (!Array.isArray(object.stats)) v.fail(`${where}.stats`, object.stats, 'a list of "metric stat" names');
  if (!Array.isArray(object.runs)) v.fail(`${where}.runs`, object.runs, 'a list of {date, commit?, values}, oldest first');
  const stats = object.stats.map((s, i) => v.string(s, `${where}.stats[${i}]`));
  const runs = object.runs.map((r, i) => {
    const at = `${where}.runs[${i}]`;
    const run = v.object(r, at, 'an object {date, commit?, values}');
    v.known(run, ['date', 'commit', 'values'], at);
    if (!Array.isArray(run.values) || run.values.length > stats.length) {
      v.fail(`${at}.values`, run.values, `a list of at most ${stats.length} numbers (or null), one per stat`);
    }
    const values = run.values.map((x, j) => (x === null ? null : v.finite(x, `${at}.values[${j}]`)));
    const out: BaselineTrend['runs'][number] = { date: v.date(run.date, `${at}.date`), values };
    const commit = v.optionalString(run, 'commit', at);
    if (commit !== undefined) out.commit = commit;
    return out;
  });
  return { stats, runs };
}

/** Parses and validates baseline text; `source` names the file in error messages. */
export function parseBaseline(text: string, source: string): BaselineFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`${source} is not valid JSON (${(error as Error).message}); expected a k6-gate baseline (format v1)`, {
      cause: error,
    });
  }
  const v = new Validator(source);
  const root = v.object(data, '$', 'an object {"version": 1, "scenarios": {…}}');
  v.known(root, ['$schema', 'version', 'updatedAt', 'scenarios'], '$');
  if (root.version !== BASELINE_VERSION) {
    v.fail('$.version', root.version, `${BASELINE_VERSION} (this k6-gate reads baseline format v1)`);
  }
  const baseline: BaselineFile = { version: 1, scenarios: {} };
  if (root.$schema !== undefined) baseline.$schema = v.string(root.$schema, '$.$schema', 'a schema URL');
  if (root.updatedAt !== undefined) baseline.updatedAt = v.date(root.updatedAt, '$.updatedAt');
  const scenarios = v.object(
    root.scenarios,
    '$.scenarios',
    'an object keyed by "scenario", "scenario@profile" or "scenario@profile@environment"',
  );
  for (const [key, raw] of Object.entries(scenarios)) {
    const where = child('$.scenarios', key);
    if (!KEY_PATTERN.test(key)) {
      throw new BaselineError(
        `${source}: ${where} has key ${JSON.stringify(key)}; expected "scenario", "scenario@profile" or "scenario@profile@environment" without spaces`,
      );
    }
    baseline.scenarios[key] = readScenario(v, key, raw, where);
  }
  return baseline;
}

function entryLine(entry: BaselineHistoryEntry): string {
  const fields: [string, unknown][] = [
    ['value', entry.value],
    ['date', entry.date],
    ['k6Version', entry.k6Version],
    ['commit', entry.commit],
    ['ref', entry.ref],
  ];
  const parts = fields.filter(([, value]) => value !== undefined).map(([name, value]) => `"${name}": ${JSON.stringify(value)}`);
  return `{ ${parts.join(', ')} }`;
}

/**
 * Fixed layout: keys in a fixed order (scenarios, metrics and stats sorted by name), two-space
 * indentation, one history entry per line (an update then shows as one added and one dropped line
 * per stat), trailing newline.
 */
export function serializeBaseline(baseline: BaselineFile): string {
  const lines: string[] = ['{'];
  const top: string[] = [];
  if (baseline.$schema !== undefined) top.push(`  "$schema": ${JSON.stringify(baseline.$schema)}`);
  top.push(`  "version": ${baseline.version}`);
  if (baseline.updatedAt !== undefined) top.push(`  "updatedAt": ${JSON.stringify(baseline.updatedAt)}`);
  const keys = Object.keys(baseline.scenarios).sort(compareCodeUnits);
  if (keys.length === 0) {
    top.push('  "scenarios": {}');
  } else {
    const scenarioBlocks = keys.map((key) => {
      const scenario = baseline.scenarios[key];
      const fields: string[] = [`      "scenario": ${JSON.stringify(scenario.scenario)}`];
      if (scenario.profile !== undefined) fields.push(`      "profile": ${JSON.stringify(scenario.profile)}`);
      if (scenario.environment !== undefined) fields.push(`      "environment": ${JSON.stringify(scenario.environment)}`);
      if (scenario.updatedAt !== undefined) fields.push(`      "updatedAt": ${JSON.stringify(scenario.updatedAt)}`);
      if (scenario.executorModel !== undefined) fields.push(`      "executorModel": ${JSON.stringify(scenario.executorModel)}`);
      const metricNames = Object.keys(scenario.metrics).sort(compareCodeUnits);
      if (metricNames.length === 0) {
        fields.push('      "metrics": {}');
      } else {
        const metricBlocks = metricNames.map((metric) => {
          const stats = scenario.metrics[metric];
          const statBlocks = Object.keys(stats)
            .sort(compareCodeUnits)
            .map((stat) => {
              const s = stats[stat];
              const statFields = [`            "accepted": ${JSON.stringify(s.accepted)}`];
              if (s.type !== undefined) statFields.push(`            "type": ${JSON.stringify(s.type)}`);
              if (s.unit !== undefined) statFields.push(`            "unit": ${JSON.stringify(s.unit)}`);
              if (s.history.length === 0) statFields.push('            "history": []');
              else
                statFields.push(
                  `            "history": [\n${s.history.map((e) => `              ${entryLine(e)}`).join(',\n')}\n            ]`,
                );
              return `          ${JSON.stringify(stat)}: {\n${statFields.join(',\n')}\n          }`;
            });
          return `        ${JSON.stringify(metric)}: {\n${statBlocks.join(',\n')}\n        }`;
        });
        fields.push(`      "metrics": {\n${metricBlocks.join(',\n')}\n      }`);
      }
      if (scenario.endpoints !== undefined) {
        // One endpoint per line, sorted: an update changes only the lines of endpoints that moved.
        const rows = Object.keys(scenario.endpoints)
          .sort(compareCodeUnits)
          .map(
            (name) =>
              `        ${JSON.stringify(name)}: ${JSON.stringify(scenario.endpoints![name]).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/^\{/, '{ ').replace(/\}$/, ' }')}`,
          );
        fields.push(rows.length ? `      "endpoints": {\n${rows.join(',\n')}\n      }` : '      "endpoints": {}');
      }
      if (scenario.trend !== undefined) {
        // One run per line: an update adds one line and drops the oldest.
        const runs = scenario.trend.runs.map((run) => `          ${JSON.stringify(run)}`);
        fields.push(
          `      "trend": {\n        "stats": ${JSON.stringify(scenario.trend.stats)},\n        "runs": ${runs.length ? `[\n${runs.join(',\n')}\n        ]` : '[]'}\n      }`,
        );
      }
      return `    ${JSON.stringify(key)}: {\n${fields.join(',\n')}\n    }`;
    });
    top.push(`  "scenarios": {\n${scenarioBlocks.join(',\n')}\n  }`);
  }
  lines.push(top.join(',\n'));
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Reads and validates the baseline file; undefined when it does not exist yet (first run). */
export async function loadBaseline(file: string): Promise<BaselineFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BaselineError(`baseline ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return parseBaseline(text, path.basename(file));
}
