// Builders for the plain data the baseline engine works on.
import type { BaselineFile, BaselineStat } from '../../src/baseline/format.js';
import { DEFAULT_RULES, type MetricRule, type Rules } from '../../src/baseline/rules.js';
import type { MetricSummary, RunSummary } from '../../src/model.js';

export function summaryOf(metrics: Record<string, Omit<MetricSummary, 'name'>>): RunSummary {
  const out: RunSummary = { format: 'legacy', metrics: {}, thresholds: [], checks: [] };
  for (const [name, metric] of Object.entries(metrics)) out.metrics[name] = { name, ...metric };
  return out;
}

export function trend(values: Record<string, number>): Omit<MetricSummary, 'name'> {
  return { type: 'trend', contains: 'time', values };
}

export function rate(value: number): Omit<MetricSummary, 'name'> {
  return { type: 'rate', contains: 'default', values: { rate: value, passes: 0, fails: 0 } };
}

export function counter(count: number, perSecond: number): Omit<MetricSummary, 'name'> {
  return { type: 'counter', contains: 'default', values: { count, rate: perSecond } };
}

export function statWith(values: number[], accepted?: number, unit?: BaselineStat['unit']): BaselineStat {
  const history = values.map((value, i) => ({
    value,
    date: `2025-01-${String(i + 1).padStart(2, '0')}T10:00:00Z`,
    k6Version: '2.2.0',
    commit: `c${i}`,
  }));
  const stat: BaselineStat = { accepted: accepted ?? sortedMedian(values), history };
  if (unit) stat.unit = unit;
  return stat;
}

function sortedMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function baselineOf(key: string, metrics: Record<string, Record<string, BaselineStat>>): BaselineFile {
  const [scenario, profile] = key.split('@');
  return { version: 1, scenarios: { [key]: { scenario, ...(profile ? { profile } : {}), metrics } } };
}

export function rulesWith(watch: (string | MetricRule)[], extra: Partial<Rules> = {}): Rules {
  const list = watch.map((item) => {
    if (typeof item !== 'string') return item;
    const at = item.lastIndexOf(':');
    return { metric: item.slice(0, at), stat: item.slice(at + 1), origin: 'config' as const };
  });
  return { ...DEFAULT_RULES, ...extra, watch: list };
}
