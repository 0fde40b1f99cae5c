// k6 threshold expressions (`p(95)<500`, `rate<0.01`, `count>10`) parsed and evaluated on merged
// data, so a sharded run fails its script's thresholds exactly when one whole run would.
import type { MetricType, ThresholdResult } from '../model.js';
import { ExpectedError } from '../errors.js';

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface ThresholdExpression {
  /** As written in the script, used as the key in reports. */
  source: string;
  /** `avg`, `min`, `max`, `med`, `count`, `rate`, `value` or `p(N)`. */
  aggregation: string;
  /** For `p(N)`: N (0–100). */
  percentile?: number;
  operator: ThresholdOperator;
  value: number;
}

/** What a script's `options.thresholds` holds: strings, or objects with `abortOnFail`. */
export type ThresholdEntry = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };
export type ThresholdsOption = Record<string, ThresholdEntry[] | ThresholdEntry>;

export class ThresholdError extends ExpectedError {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdError';
  }
}

const EXPRESSION =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(===|==|!=|<=|>=|<|>)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** Aggregations k6 accepts per metric type (k6 docs, "Thresholds"). */
const ALLOWED: Record<MetricType, string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

export function parseThresholdExpression(text: string): ThresholdExpression {
  const match = EXPRESSION.exec(text);
  if (!match) {
    throw new ThresholdError(
      `threshold ${JSON.stringify(text)} is not "<aggregation> <operator> <number>"; expected e.g. "p(95)<500", "rate<0.01", "count>10" (operators < <= > >= == === !=)`,
    );
  }
  const [, aggregationText, percentileText, operator, valueText] = match;
  const percentile = percentileText === undefined ? undefined : Number(percentileText);
  if (percentile !== undefined && percentile > 100) {
    throw new ThresholdError(`threshold ${JSON.stringify(text)}: percentile ${percentile} is above 100`);
  }
  return {
    source: text,
    aggregation: percentile === undefined ? aggregationText : 'p(N)',
    percentile,
    operator: operator as ThresholdOperator,
    value: Number(valueText),
  };
}

/** The expression strings of one metric's entries (the object form's `threshold`). */
export function thresholdExpressions(metric: string, entries: ThresholdEntry[] | ThresholdEntry): string[] {
  const list = Array.isArray(entries) ? entries : [entries];
  return list.map((entry, i) => {
    if (typeof entry === 'string') return entry;
    if (entry && typeof entry === 'object' && typeof entry.threshold === 'string') return entry.threshold;
    throw new ThresholdError(
      `thresholds[${JSON.stringify(metric)}][${i}] is ${JSON.stringify(entry)}; expected a string such as "p(95)<500" or { threshold: "p(95)<500", abortOnFail: true }`,
    );
  });
}

function compare(actual: number, operator: ThresholdOperator, expected: number): boolean {
  switch (operator) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '==':
    case '===':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}

/** Reads the aggregation of an expression from a metric's merged stats. */
export type StatReader = (aggregation: string, percentile?: number) => number;

/**
 * Evaluates one expression. `type` undefined means the metric got no samples: k6 then leaves the
 * threshold passing (checked with k6 v1.8.1 and v2.2.0), and so do we.
 */
export function evaluateThreshold(
  metric: string,
  expression: ThresholdExpression,
  type: MetricType | undefined,
  read: StatReader,
): ThresholdResult {
  if (type === undefined) return { metric, expression: expression.source, ok: true };
  if (!ALLOWED[type].includes(expression.aggregation)) {
    throw new ThresholdError(
      `threshold ${JSON.stringify(expression.source)} on ${type} metric ${metric}: "${expression.aggregation === 'p(N)' ? 'p(…)' : expression.aggregation}" does not apply; expected one of ${ALLOWED[type].join(', ')}`,
    );
  }
  const actual = read(expression.aggregation === 'p(N)' ? 'p' : expression.aggregation, expression.percentile);
  return { metric, expression: expression.source, ok: Number.isFinite(actual) && compare(actual, expression.operator, expression.value) };
}
