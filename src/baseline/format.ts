// Baseline file format v1 (docs/adr/0001-baseline-format.md, schemas/baseline.schema.json).
// The file lives in the user's repository, so it is validated — its shape against the schema
// (baseline/schema.ts), the rest here — with messages that name the JSON path and the expected
// form, and written with a fixed layout so that updates diff well.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExpectedError } from '../errors.js';
import { jsonSyntaxProblem, withoutByteOrderMark } from '../config-file.js';
import { compareCodeUnits } from '../json.js';
import type { MetricComparison, MetricType } from '../model.js';
import { child, quote } from './json-path.js';
import { formatValue } from '../format.js';
import { describeMetric } from '../metric-kind.js';
import { median } from './stats.js';
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

export class BaselineError extends ExpectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BaselineError';
  }
}

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

/** Relative difference under which `accepted` still counts as the median of its history (rounding). */
const ACCEPTED_SLACK = 1e-3;

/**
 * The checks a JSON schema cannot state, on a file whose shape is valid: each key names its own
 * scenario, values fit their unit, dates exist, a trend row has no more values than columns, and
 * `accepted` is the median of its history.
 */
class Semantics {
  constructor(readonly source: string) {}

  fail(where: string, value: unknown, expected: string): never {
    throw new BaselineError(`${this.source}: ${where} is ${quote(value)}; expected ${expected}`);
  }

  /**
   * A measured value in the range its unit allows. A unit guessed from the names (a file without
   * `unit` or `type`) cannot tell a ratio from a counter's rate, so then only "≥ 0" is checked.
   */
  measured(n: number, where: string, unit: BaselineUnit, guessed: boolean): void {
    if (unit === 'ratio' && !guessed && (n < 0 || n > 1)) this.fail(where, n, 'a ratio from 0 to 1 (this stat is a rate)');
    if (unit !== 'none' && n < 0) this.fail(where, n, `a value ≥ 0 (its unit is ${unit})`);
  }

  date(value: string, where: string): void {
    if (Number.isNaN(Date.parse(value))) this.fail(where, value, 'an ISO 8601 date-time such as "2025-01-31T12:00:00Z"');
  }

  stat(stat: BaselineStat, where: string, metric: string, statName: string): void {
    // A Trend's `count` is a number of values, never a time (files written before this was fixed said ms).
    if (statName === 'count' && stat.type === 'trend' && stat.unit === 'ms') stat.unit = 'count';
    // Files without type or unit (written before they were recorded) get the unit the gate would use.
    const unit = stat.unit ?? describeMetric(metric, statName, undefined, { type: stat.type }).unit;
    const guessed = stat.unit === undefined && stat.type === undefined;
    stat.history ??= [];
    this.measured(stat.accepted, `${where}.accepted`, unit, guessed);
    stat.history.forEach((entry, i) => {
      this.measured(entry.value, `${where}.history[${i}].value`, unit, guessed);
      this.date(entry.date, `${where}.history[${i}].date`);
    });
    if (stat.history.length > 0) {
      const middle = median(stat.history.map((entry) => entry.value));
      if (Math.abs(stat.accepted - middle) > ACCEPTED_SLACK * Math.max(Math.abs(middle), Math.abs(stat.accepted), 1e-9)) {
        this.fail(
          `${where}.accepted`,
          stat.accepted,
          `the median of its history (${formatValue(middle, unit)} from ${stat.history.length} run(s)): k6-gate compares with that median, and an accepted value that differs would hide or invent regressions. Set it to ${middle}, or remove the history to set accepted by hand`,
        );
      }
    }
  }

  scenario(key: string, scenario: BaselineScenario, where: string): void {
    const expectedKey = baselineKey(scenario);
    if (expectedKey !== key) {
      throw new BaselineError(
        `${this.source}: ${where} holds scenario ${JSON.stringify(scenario.scenario)}${scenario.profile === undefined ? '' : ` with profile ${JSON.stringify(scenario.profile)}`}${scenario.environment === undefined ? '' : ` in environment ${JSON.stringify(scenario.environment)}`}; expected its key to be ${JSON.stringify(expectedKey)}`,
      );
    }
    if (scenario.updatedAt !== undefined) this.date(scenario.updatedAt, `${where}.updatedAt`);
    for (const [metric, stats] of Object.entries(scenario.metrics)) {
      for (const [statName, stat] of Object.entries(stats))
        this.stat(stat, child(child(`${where}.metrics`, metric), statName), metric, statName);
    }
    if (scenario.trend) {
      const { stats, runs } = scenario.trend;
      runs.forEach((run, i) => {
        const at = `${where}.trend.runs[${i}]`;
        if (run.values.length > stats.length)
          this.fail(`${at}.values`, run.values, `a list of at most ${stats.length} numbers (or null), one per stat`);
        this.date(run.date, `${at}.date`);
      });
    }
  }
}

/**
 * Parses and validates baseline text; `source` names the file in error messages. The shape is
 * checked against schemas/baseline.schema.json (baseline/schema.ts, loaded here on first use), the
 * rest by Semantics. A UTF-8 byte order mark (some Windows editors write one) is skipped.
 */
export async function parseBaseline(text: string, source: string): Promise<BaselineFile> {
  const body = withoutByteOrderMark(text);
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw new BaselineError(`${source} is not valid JSON (${jsonSyntaxProblem(error, body)}); expected a k6-gate baseline (format v1)`, {
      cause: error,
    });
  }
  const { baselineShapeProblem } = await import('./schema.js');
  const problem = baselineShapeProblem(data);
  if (problem !== undefined) throw new BaselineError(`${source}: ${problem}`);
  const baseline = data as BaselineFile;
  const check = new Semantics(source);
  if (baseline.updatedAt !== undefined) check.date(baseline.updatedAt, '$.updatedAt');
  for (const [key, scenario] of Object.entries(baseline.scenarios)) check.scenario(key, scenario, child('$.scenarios', key));
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
