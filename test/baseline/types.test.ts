// Metric types and units: from k6 when it says them, recorded in the baseline, never flipped by a
// guess. Uses the recorded k6 v1.8.1 summaries of test/data/summaries (fixture-custom-trend.js).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareToBaseline } from '../../src/baseline/compare.js';
import { parseBaseline, serializeBaseline } from '../../src/baseline/format.js';
import { describeMetric, guessContains, inferDirection, typeChangeWarning } from '../../src/metric-kind.js';
import { DEFAULT_RULES, parseRules } from '../../src/baseline/rules.js';
import { updateBaseline } from '../../src/baseline/update.js';
import { inferLegacyType, parseSummary } from '../../src/k6/summary.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import type { GateResult } from '../../src/model.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../data/summaries', name), 'utf8');
const legacyWithCount = () => parseSummary(fixture('k6-v1.8.1-legacy-custom-trend-count.json'), 'legacy');
const machineReadable = () => parseSummary(fixture('k6-v1.8.1-machine-readable-custom-trend.json'), 'mr');

const rules = parseRules(
  { watch: ['http_req_duration:p(95)', 'login_duration:p(95)', 'checkout:p(95)', 'cart_items:avg', 'orders:count'] },
  'rules',
);

function record(summary = legacyWithCount()) {
  return updateBaseline(undefined, [{ key: 'shop', scenario: 'shop', summary, k6Version: '1.8.1', date: '2026-11-25T10:00:00Z' }], rules);
}

describe('types from k6, not guessed', () => {
  it('a legacy trend that carries count (--summary-trend-stats …,count) stays a trend, lower is better', () => {
    const summary = legacyWithCount();
    for (const name of ['http_req_duration', 'login_duration', 'checkout', 'cart_items', 'iteration_duration']) {
      expect(summary.metrics[name].values.count, name).toBeGreaterThan(0);
      expect(summary.metrics[name].type, name).toBe('trend');
      expect(summary.metrics[name].typeFrom, name).toBe('guess');
    }
    expect(summary.metrics.orders.type).toBe('counter');
    expect(inferDirection('http_req_duration', 'p(95)', summary.metrics.http_req_duration.type)).toBe('lower-is-better');
  });

  it('tells the four types apart by their stats, whatever --summary-trend-stats lists', () => {
    expect(inferLegacyType('t', { count: 5 })).toBe('trend');
    expect(inferLegacyType('t', { min: 1, max: 3, count: 5 })).toBe('trend');
    expect(inferLegacyType('t', { 'p(99.9)': 1, count: 5 })).toBe('trend');
    expect(inferLegacyType('c', { count: 5, rate: 2.5 })).toBe('counter');
    expect(inferLegacyType('g', { value: 2, min: 1, max: 2 })).toBe('gauge');
    expect(inferLegacyType('r', { passes: 1, fails: 0, value: 1 })).toBe('rate');
  });

  it('a recorded k6 v1.x summary with a custom Trend keeps "ms" (login_duration by name, checkout from the baseline record)', () => {
    const summary = legacyWithCount();
    expect(describeMetric('login_duration', 'p(95)', summary.metrics.login_duration, undefined).unit).toBe('ms');
    // Recorded once from the machine-readable summary, which says contains: time …
    const baseline = record(machineReadable());
    const checkout = baseline.scenarios.shop.metrics.checkout['p(95)'];
    expect(checkout).toMatchObject({ type: 'trend', unit: 'ms' });
    expect(baseline.scenarios.shop.metrics.cart_items.avg).toMatchObject({ type: 'trend', unit: 'none' });
    // … the legacy run (no types) is then read in ms, in the comparison and in the report.
    const rows = compareToBaseline({ key: 'shop', summary, baseline, rules });
    const row = rows.find((r) => r.metric === 'checkout')!;
    expect(row.unit).toBe('ms');
    expect(row.note).toMatch(/^p\(95\) \d+(\.\d+)? ms vs \d+(\.\d+)? ms/);
    expect(rows.find((r) => r.metric === 'login_duration')!.unit).toBe('ms');
    const report = renderMarkdownReport({
      schemaVersion: 1,
      tool: { name: 'k6-gate', version: 'test' },
      generatedAt: '2026-11-25T10:00:00Z',
      outcome: 'passed',
      failOn: [],
      failed: false,
      regressions: 0,
      thresholdsFailed: 0,
      warnings: [],
      scenarios: [{ scenario: 'shop', key: 'shop', outcome: 'passed', thresholds: [], metrics: rows, files: {} }],
    } as GateResult);
    expect(report).toMatch(/checkout[^\n]*ms/);
  });

  it('a legacy custom trend is in ms when a part of its name says time', () => {
    for (const name of ['login_duration', 'poll_time_to_ready', 'ws_echo_round_trip', 'api_latency_p', 'render_ms', 'ttfb']) {
      expect(guessContains(name, 'trend'), name).toBe('time');
    }
    for (const name of ['cart_items', 'timeouts', 'ws_cursor_fanout', 'items_timed']) {
      expect(guessContains(name, 'trend'), name).toBe('default');
    }
    expect(guessContains('login_duration', 'counter')).toBe('default');
  });

  it('the machine-readable summary gives type and unit as k6 says them', () => {
    const summary = machineReadable();
    expect(summary.metrics.checkout).toMatchObject({ type: 'trend', contains: 'time', typeFrom: 'k6' });
    expect(summary.metrics.cart_items).toMatchObject({ type: 'trend', contains: 'default' });
    expect(describeMetric('checkout', 'p(95)', summary.metrics.checkout, undefined).unit).toBe('ms');
  });

  it('records type and unit in the baseline, and reads them back', async () => {
    const baseline = record();
    expect(baseline.scenarios.shop.metrics.http_req_duration['p(95)']).toMatchObject({ type: 'trend', unit: 'ms' });
    expect(baseline.scenarios.shop.metrics.orders.count).toMatchObject({ type: 'counter', unit: 'count' });
    const text = serializeBaseline(baseline);
    expect(text).toContain('"type": "trend"');
    expect(await parseBaseline(text, 'b')).toEqual(baseline);
  });

  it('a type change since the baseline was recorded is a warning naming both types', () => {
    const baseline = record(machineReadable());
    const recorded = baseline.scenarios.shop.metrics.checkout['p(95)'];
    const summary = machineReadable();
    const changed = { ...summary.metrics.checkout, contains: 'default' as const };
    expect(typeChangeWarning('shop', 'checkout', 'p(95)', changed, recorded)).toBe(
      'shop: checkout p(95) changed unit ms → none since the baseline was recorded; the values may not be comparable (k6 says trend; re-record the baseline if the change is intended)',
    );
    const counter = { ...summary.metrics.checkout, type: 'counter' as const };
    expect(typeChangeWarning('shop', 'checkout', 'p(95)', counter, recorded)).toMatch(/changed type trend → counter/);
    expect(typeChangeWarning('shop', 'checkout', 'p(95)', summary.metrics.checkout, recorded)).toBeUndefined();
    // A legacy guess never overrides nor warns against what k6 said before.
    expect(typeChangeWarning('shop', 'checkout', 'p(95)', legacyWithCount().metrics.checkout, recorded)).toBeUndefined();
  });

  it('default rules still watch http_req_duration p(95) of a legacy summary with count', () => {
    const rows = compareToBaseline({ key: 'shop', summary: legacyWithCount(), baseline: undefined, rules: DEFAULT_RULES });
    expect(rows.find((r) => r.metric === 'http_req_duration' && r.stat === 'p(95)')).toMatchObject({
      unit: 'ms',
      direction: 'lower-is-better',
    });
  });

  it("a Trend's count is a number of samples: no unit in the comparison or the report, also from an older baseline that said ms", () => {
    const summary = legacyWithCount();
    const countRules = parseRules({ watch: ['login_duration:count'] }, 'rules');
    const old = record(summary);
    old.scenarios.shop.metrics.login_duration = { count: { accepted: 200, unit: 'ms', type: 'trend', history: [] } };
    const [row] = compareToBaseline({ key: 'shop', summary, baseline: old, rules: countRules });
    expect(row.unit).toBe('count');
    expect(describeMetric('login_duration', 'count', undefined, { type: 'trend', unit: 'ms' }).unit).toBe('count');
    const md = renderMarkdownReport(reportOf(row));
    expect(md).toMatch(/\| `login_duration` \| count \| +200 \| +[\d,]+ \|/);
    expect(md).not.toMatch(/login_duration.*\d ms/);
  });
});

function reportOf(row: ReturnType<typeof compareToBaseline>[number]): GateResult {
  return {
    schemaVersion: 1,
    tool: { name: 'k6-gate', version: '0' },
    generatedAt: '2026-11-25T10:00:00Z',
    outcome: 'passed',
    failOn: [],
    failed: false,
    scenarios: [{ scenario: 'shop', key: 'shop', outcome: 'passed', thresholds: [], metrics: [row], files: {} }],
    regressions: 0,
    thresholdsFailed: 0,
    warnings: [],
  };
}
