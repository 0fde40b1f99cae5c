import { describe, expect, it } from 'vitest';
import { toLegacySummaryExport } from '../../src/k6/summary.js';
import { gatingScenario, loadPerformanceSourceFile, renderLoadPerformance } from '../../src/report/load-performance.js';
import { gateResult, legacySummary, scenarioResult } from './fixtures.js';

/** What GitLab's load-performance widget reads from the file. */
function widgetNumbers(text: string) {
  const data = JSON.parse(text) as { metrics: Record<string, Record<string, number>> };
  const checks = data.metrics.checks;
  return {
    rps: data.metrics.http_reqs.rate,
    ttfbP90: data.metrics.http_req_waiting['p(90)'],
    ttfbP95: data.metrics.http_req_waiting['p(95)'],
    checks: checks.passes / (checks.passes + checks.fails),
  };
}

describe('load_performance report', () => {
  it('copies the gating scenario’s legacy summary export byte for byte', () => {
    const original = '{\n  "root_group": {},\n  "metrics": { "http_reqs": { "count": 3, "rate": 1.5 } }\n}';
    const result = gateResult();
    expect(loadPerformanceSourceFile(result)).toBe('summary-smoke.json');
    expect(renderLoadPerformance(result, original)).toBe(original);
  });

  it('gates on the first scenario that produced a summary, skipping one that errored before k6 wrote any', () => {
    const broken = scenarioResult({
      scenario: 'checkout',
      key: 'checkout',
      outcome: 'error',
      summary: undefined,
      files: { log: 'k6-checkout.log' },
    });
    const api = scenarioResult({ scenario: 'api', key: 'api', files: { summary: 'summary-api.json' } });
    const result = gateResult({ scenarios: [broken, api] });
    expect(gatingScenario(result)?.scenario).toBe('api');
    expect(loadPerformanceSourceFile(result)).toBe('summary-api.json');
  });

  it('rebuilds the legacy shape GitLab reads when only the machine-readable summary exists', () => {
    const summary = { ...legacySummary(), format: 'machine-readable' as const, thresholds: [] };
    const result = gateResult({ scenarios: [scenarioResult({ summary, files: {} })] });
    expect(loadPerformanceSourceFile(result)).toBeUndefined();
    const text = renderLoadPerformance(result);
    expect(text).toBeDefined();
    expect(widgetNumbers(text!)).toEqual({ rps: 39.5, ttfbP90: 31, ttfbP95: 35, checks: 119 / 120 });
  });

  it('rebuilds instead of copying when the file read is not a legacy export', () => {
    const text = renderLoadPerformance(gateResult(), '{"version":"1.0.0","results":{}}');
    expect(widgetNumbers(text!).rps).toBe(39.5);
  });

  it('keeps k6’s legacy conventions: a rate’s value is `value`, and a threshold `true` means it failed', () => {
    const legacy = toLegacySummaryExport(legacySummary()) as { metrics: Record<string, Record<string, unknown>> };
    expect(legacy.metrics.http_req_failed).toMatchObject({ value: 0.01, passes: 1, fails: 119, thresholds: { 'rate<0.001': true } });
    expect(legacy.metrics.http_req_duration.thresholds).toEqual({ 'p(95)<500': false });
    expect(legacy.metrics.http_reqs).toEqual({ count: 120, rate: 39.5 });
  });

  it('writes nothing when no scenario produced a summary', () => {
    const result = gateResult({ outcome: 'error', scenarios: [scenarioResult({ outcome: 'error', summary: undefined })] });
    expect(renderLoadPerformance(result)).toBeUndefined();
  });
});
