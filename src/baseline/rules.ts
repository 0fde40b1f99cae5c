// Which metrics the gate watches and how strictly. Read from k6-gate.config.json / .yaml and from a
// few action inputs; the defaults cover the k6 built-in metrics every HTTP test has.
import path from 'node:path';
import { isObject } from '../json.js';
import { readConfigFile } from '../config-file.js';
import { K6_STAT_PATTERN } from '../k6/summary.js';
import type { Direction } from '../model.js';
import { ExpectedError } from '../errors.js';

export interface MetricRule {
  /** Metric name as k6 prints it, submetrics included: `http_req_duration{name:login}`. */
  metric: string;
  /** Stat as k6's summary export names it: `p(95)`, `avg`, `med`, `rate`, `count`, `value`. */
  stat: string;
  /** Overrides the direction inferred from the metric's type and name. */
  direction?: Direction;
  /** Overrides the relative tolerance of the rules (0.1 = 10%). */
  tolerance?: number;
  /** Absolute difference below which a change is noise, in the metric's own unit (ms, ratio, …). */
  noiseFloor?: number;
  missing?: 'error' | 'warning';
  /**
   * `default` for the built-in watch list: such a metric is skipped silently when neither the run
   * nor the baseline has it (a script without checks has no `checks` metric).
   */
  origin?: 'default' | 'config';
}

export interface Rules {
  watch: MetricRule[];
  /** Relative tolerance (0.1 = 10%): a change within it is never a regression. */
  tolerance: number;
  /** Time metrics: differences below this many milliseconds are noise. */
  noiseFloorMs: number;
  /** Ratio metrics (rates 0..1): differences below this are noise (0.005 = half a percentage point). */
  noiseFloorRatio: number;
  /** Confidence of the prediction interval (0.99 = 99%). */
  confidence: number;
  /** History samples needed before the prediction interval is used; fewer means tolerance alone. */
  minHistory: number;
  /** Accepted runs kept per metric in the baseline file. */
  historyLimit: number;
  /** What a watched metric that the baseline has but the run lacks is. */
  missing: 'error' | 'warning';
  /** Limits a run must meet to be recorded in the baseline (update-baseline force ignores them). */
  record: RecordLimits;
}
/** When a run is too broken to become anyone's baseline (docs/baseline.md, "What gets recorded"). */
export interface RecordLimits {
  /** Highest `http_req_failed` rate a recorded run may have (0.1 = 10% of requests failed). */
  maxFailedRate: number;
  /** Lowest `checks` rate a recorded run may have (0.9 = 90% of checks passed). */
  minChecksRate: number;
  /** Fewest complete iterations a recorded run must have. */
  minIterations: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = Object.freeze({ maxFailedRate: 0.1, minChecksRate: 0.9, minIterations: 1 });

const DEFAULT_WATCH: MetricRule[] = Object.freeze(
  [
    { metric: 'http_req_duration', stat: 'p(95)', origin: 'default' },
    { metric: 'http_req_duration', stat: 'p(99)', origin: 'default' },
    { metric: 'http_req_failed', stat: 'rate', origin: 'default' },
    { metric: 'http_reqs', stat: 'rate', origin: 'default' },
    { metric: 'checks', stat: 'rate', origin: 'default' },
    { metric: 'iteration_duration', stat: 'p(95)', origin: 'default' },
  ].map((rule) => Object.freeze(rule)),
) as MetricRule[];

export const DEFAULT_RULES: Rules = Object.freeze({
  watch: DEFAULT_WATCH,
  tolerance: 0.1,
  noiseFloorMs: 2,
  noiseFloorRatio: 0.005,
  confidence: 0.99,
  minHistory: 5,
  historyLimit: 10,
  missing: 'error',
  record: DEFAULT_RECORD_LIMITS,
}) as Rules;

export class RulesError extends ExpectedError {
  constructor(message: string) {
    super(message);
    this.name = 'RulesError';
  }
}

const METRIC_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\{[^{}]+\})?$/;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** The stat a bare metric name means when none is given. */
function defaultStat(metric: string): string {
  const base = metric.replace(/\{.*$/, '');
  if (base === 'http_reqs' || base === 'iterations' || base === 'checks' || base.endsWith('_failed')) return 'rate';
  return 'p(95)';
}

/**
 * `http_req_duration:p(95)`, `http_req_duration{name:login}:p(99)` (the stat follows the last colon
 * outside the braces) or a bare metric name (p(95) for trends, rate for the well-known rates).
 */
export function parseWatchItem(text: string, where = 'watch item'): MetricRule {
  const item = text.trim();
  const closing = item.lastIndexOf('}');
  const colon = item.indexOf(':', closing === -1 ? 0 : closing);
  const metric = colon === -1 ? item : item.slice(0, colon).trim();
  const stat = colon === -1 ? defaultStat(metric) : item.slice(colon + 1).trim();
  if (!METRIC_PATTERN.test(metric)) {
    throw new RulesError(
      `${where} ${describe(text)}: ${describe(metric)} is not a k6 metric name; expected e.g. "http_req_duration:p(95)" or "http_req_duration{name:login}:p(99)"`,
    );
  }
  if (!K6_STAT_PATTERN.test(stat)) {
    throw new RulesError(
      `${where} ${describe(text)}: ${describe(stat)} is not a k6 stat; expected one of avg, min, med, max, p(N), rate, count, value`,
    );
  }
  return { metric, stat, origin: 'config' };
}

/**
 * The `watch` input as items: separated by commas or new lines, except commas inside `{...}`
 * (`http_req_duration{name:login,method:POST}:p(95)` is one item).
 */
export function splitWatchInput(text: string | undefined): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text ?? '') {
    if (ch === '{') depth++;
    if (ch === '}') depth = Math.max(0, depth - 1);
    if ((ch === ',' && depth === 0) || ch === '\n') {
      items.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/** `0.1`, `"0.1"` or `"10%"` → 0.1. */
export function parseTolerance(value: unknown, where = 'tolerance'): number {
  let number: number | undefined;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
    if (percent) number = Number(percent[1]) / 100;
    else if (/^\d+(\.\d+)?$/.test(text)) number = Number(text);
  }
  if (number === undefined || !Number.isFinite(number) || number < 0 || number > 10) {
    throw new RulesError(`${where} is ${describe(value)}; expected a fraction such as 0.1 or a percentage such as "10%" (0 to 1000%)`);
  }
  return number;
}

function expectNumber(value: unknown, where: string, check: (n: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new RulesError(`${where} is ${describe(value)}; expected ${expected}`);
  }
  return value;
}

function expectInteger(value: unknown, where: string, min: number): number {
  return expectNumber(value, where, (n) => Number.isInteger(n) && n >= min, `a whole number ≥ ${min}`);
}

/** A number, or (from an input) its text; "99%" means 0.99. */
function numberOf(value: unknown, percent: boolean): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (percent && /^\d+(\.\d+)?\s*%$/.test(text)) return Number(text.slice(0, -1)) / 100;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : value;
}

/** `confidence` of the rules file and the input alike: 0.5 up to (not including) 1; "99%" from an input. */
export function parseConfidence(value: unknown, where = 'confidence'): number {
  return expectNumber(
    numberOf(value, true),
    where,
    (n) => n >= 0.5 && n < 1,
    'a probability from 0.5 up to (not including) 1, e.g. 0.99 or "99%"',
  );
}

/** `historyLimit` of the rules file and the `history-limit` input alike: runs kept per baseline entry. */
export function parseHistoryLimit(value: unknown, where = 'history-limit'): number {
  return expectNumber(
    numberOf(value, false),
    where,
    (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
    'a whole number of runs from 1 to 1000, e.g. 10',
  );
}

function expectMissing(value: unknown, where: string): 'error' | 'warning' {
  if (value === 'error' || value === 'warning') return value;
  throw new RulesError(`${where} is ${describe(value)}; expected "error" or "warning"`);
}

function expectDirection(value: unknown, where: string): Direction {
  if (value === 'lower-is-better' || value === 'higher-is-better') return value;
  if (value === 'lower' || value === 'higher') return `${value}-is-better`;
  throw new RulesError(`${where} is ${describe(value)}; expected "lower-is-better" or "higher-is-better"`);
}

function key(path: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

function rejectUnknown(object: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const name of Object.keys(object)) {
    if (!known.includes(name)) {
      throw new RulesError(`${key(where, name)} is not a known setting; expected one of ${known.join(', ')}`);
    }
  }
}

const RULE_KEYS = ['metric', 'stat', 'direction', 'tolerance', 'noiseFloor', 'missing'] as const;

function parseRuleObject(raw: Record<string, unknown>, where: string): MetricRule {
  rejectUnknown(raw, RULE_KEYS, where);
  if (typeof raw.metric !== 'string')
    throw new RulesError(`${where}.metric is ${describe(raw.metric)}; expected a metric name such as "http_req_duration"`);
  const base = parseWatchItem(raw.stat === undefined ? raw.metric : `${raw.metric}:${String(raw.stat)}`, where);
  const rule: MetricRule = { metric: base.metric, stat: base.stat, origin: 'config' };
  if (raw.direction !== undefined) rule.direction = expectDirection(raw.direction, `${where}.direction`);
  if (raw.tolerance !== undefined) rule.tolerance = parseTolerance(raw.tolerance, `${where}.tolerance`);
  if (raw.noiseFloor !== undefined)
    rule.noiseFloor = expectNumber(raw.noiseFloor, `${where}.noiseFloor`, (n) => n >= 0, 'a number ≥ 0 in the metric’s unit');
  if (raw.missing !== undefined) rule.missing = expectMissing(raw.missing, `${where}.missing`);
  return rule;
}

/** A later entry for the same metric and stat replaces an earlier one, so `defaults` can be refined. */
function addRule(list: MetricRule[], rule: MetricRule): void {
  const index = list.findIndex((r) => r.metric === rule.metric && r.stat === rule.stat);
  if (index === -1) list.push(rule);
  else list[index] = rule;
}

/** A watch list: items are "metric:stat" strings, rule objects, or "defaults" (the built-in list). */
export function parseWatchList(raw: unknown, where: string): MetricRule[] {
  if (!Array.isArray(raw))
    throw new RulesError(`${where} is ${describe(raw)}; expected a list such as ["defaults", "http_req_duration{name:login}:p(95)"]`);
  const out: MetricRule[] = [];
  raw.forEach((item, index) => {
    const at = `${where}[${index}]`;
    if (item === 'defaults') DEFAULT_WATCH.forEach((rule) => addRule(out, { ...rule }));
    else if (typeof item === 'string') addRule(out, parseWatchItem(item, at));
    else if (isObject(item)) addRule(out, parseRuleObject(item, at));
    else
      throw new RulesError(
        `${at} is ${describe(item)}; expected "metric:stat", "defaults" or an object {metric, stat, direction?, tolerance?, noiseFloor?, missing?}`,
      );
  });
  return out;
}

const FILE_KEYS = [
  '$schema',
  'watch',
  'tolerance',
  'noiseFloorMs',
  'noiseFloorRatio',
  'confidence',
  'minHistory',
  'historyLimit',
  'missing',
  'record',
] as const;

const RECORD_KEYS = ['maxFailedRate', 'minChecksRate', 'minIterations'] as const;

function parseRecordLimits(raw: unknown, where: string): RecordLimits {
  if (!isObject(raw))
    throw new RulesError(
      `${where} is ${describe(raw)}; expected an object such as {"maxFailedRate": 0.1, "minChecksRate": 0.9, "minIterations": 5}`,
    );
  rejectUnknown(raw, RECORD_KEYS, where);
  const out: RecordLimits = { ...DEFAULT_RECORD_LIMITS };
  const ratio = (n: number) => n >= 0 && n <= 1;
  if (raw.maxFailedRate !== undefined)
    out.maxFailedRate = expectNumber(raw.maxFailedRate, `${where}.maxFailedRate`, ratio, 'a ratio from 0 to 1, e.g. 0.1');
  if (raw.minChecksRate !== undefined)
    out.minChecksRate = expectNumber(raw.minChecksRate, `${where}.minChecksRate`, ratio, 'a ratio from 0 to 1, e.g. 0.9');
  if (raw.minIterations !== undefined) out.minIterations = expectInteger(raw.minIterations, `${where}.minIterations`, 0);
  return out;
}

/** Rules from already-parsed file content; `source` names the file in errors. */
export function parseRules(raw: unknown, source: string): Rules {
  const root = `${source}: $`;
  if (raw === null || raw === undefined) return { ...DEFAULT_RULES, watch: DEFAULT_WATCH.map((r) => ({ ...r })) };
  if (!isObject(raw))
    throw new RulesError(`${root} is ${describe(raw)}; expected an object of settings such as {"tolerance": 0.1, "watch": ["defaults"]}`);
  rejectUnknown(raw, FILE_KEYS, root);
  const rules: Rules = { ...DEFAULT_RULES, watch: DEFAULT_WATCH.map((r) => ({ ...r })) };
  if (raw.watch !== undefined) rules.watch = parseWatchList(raw.watch, `${root}.watch`);
  if (raw.tolerance !== undefined) rules.tolerance = parseTolerance(raw.tolerance, `${root}.tolerance`);
  if (raw.noiseFloorMs !== undefined)
    rules.noiseFloorMs = expectNumber(raw.noiseFloorMs, `${root}.noiseFloorMs`, (n) => n >= 0, 'a number of milliseconds ≥ 0');
  if (raw.noiseFloorRatio !== undefined)
    rules.noiseFloorRatio = expectNumber(
      raw.noiseFloorRatio,
      `${root}.noiseFloorRatio`,
      (n) => n >= 0 && n <= 1,
      'a ratio from 0 to 1, e.g. 0.005',
    );
  if (raw.confidence !== undefined) rules.confidence = parseConfidence(raw.confidence, `${root}.confidence`);
  if (raw.minHistory !== undefined) rules.minHistory = expectInteger(raw.minHistory, `${root}.minHistory`, 2);
  if (raw.historyLimit !== undefined) rules.historyLimit = parseHistoryLimit(raw.historyLimit, `${root}.historyLimit`);
  if (raw.missing !== undefined) rules.missing = expectMissing(raw.missing, `${root}.missing`);
  if (raw.record !== undefined) rules.record = parseRecordLimits(raw.record, `${root}.record`);
  return rules;
}

export type RulesOverrides = Partial<Pick<Rules, 'tolerance' | 'historyLimit' | 'confidence'>> & {
  /** "http_req_duration:p(95)" items (the `watch` action input); replaces the file's list. */
  watch?: string[];
};

/** Applies action inputs / CLI flags on top of rules; inputs win over the file. */
export function applyOverrides(rules: Rules, overrides: RulesOverrides | undefined): Rules {
  if (!overrides) return rules;
  const out: Rules = { ...rules, watch: [...rules.watch] };
  if (overrides.tolerance !== undefined) out.tolerance = parseTolerance(overrides.tolerance, 'tolerance input');
  if (overrides.historyLimit !== undefined) out.historyLimit = parseHistoryLimit(overrides.historyLimit, 'history-limit input');
  if (overrides.confidence !== undefined) out.confidence = parseConfidence(overrides.confidence, 'confidence input');
  if (overrides.watch !== undefined && overrides.watch.length > 0) out.watch = parseWatchList(overrides.watch, 'watch input');
  return out;
}

/**
 * Reads the rules file (JSON, or YAML for .yaml/.yml) and applies overrides. No file means the
 * defaults; a file that is named but missing is an error, since a typo would silently drop rules.
 */
export async function loadRules(file: string | undefined, overrides?: RulesOverrides): Promise<Rules> {
  if (file === undefined || file.trim() === '') return applyOverrides(parseRules(undefined, 'defaults'), overrides);
  const raw = await readConfigFile(file, {
    label: 'rules file',
    expected: 'a k6-gate.config.json or .yaml file, or no config-file input',
    error: (message) => new RulesError(message),
  });
  const source = path.basename(file);
  return applyOverrides(parseRules(raw, source), overrides);
}
