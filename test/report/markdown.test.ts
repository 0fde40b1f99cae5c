import { describe, expect, it } from 'vitest';
import type { GateResult, MetricComparison } from '../../src/model.js';
import { formatChange, formatCount, formatValue } from '../../src/baseline/metrics.js';
import { compareCodeUnits } from '../../src/json.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { gateResult } from '../helpers/builders.js';

function row(over: Partial<MetricComparison>): MetricComparison {
  return {
    metric: 'http_req_duration',
    stat: 'p(95)',
    unit: 'ms',
    direction: 'lower-is-better',
    baseline: 180,
    current: 212,
    change: 212 / 180 - 1,
    verdict: 'regressed',
    method: 'prediction-interval',
    band: { low: 170, high: 198 },
    samples: 8,
    tolerance: 0.1,
    note: 'p(95) 212 ms vs 180 ms ±9 ms, n=8, +17.8%',
    ...over,
  };
}

function result(over: Partial<GateResult> = {}): GateResult {
  return gateResult({
    generatedAt: '2026-11-23T08:00:00.000Z',
    k6: { version: '2.2.0', path: '/usr/bin/k6', source: 'cache' },
    target: 'https://staging.example.com',
    outcome: 'regressed',
    failed: true,
    regressions: 1,
    thresholdsFailed: 1,
    scenarios: [
      {
        scenario: 'checkout',
        profile: 'smoke',
        key: 'checkout@smoke',
        exitCode: 99,
        exitMeaning: "the script's thresholds were crossed",
        outcome: 'thresholds-failed',
        thresholds: [
          { metric: 'http_req_duration', expression: 'p(95)<200', ok: false },
          { metric: 'checks', expression: 'rate>0.99', ok: true },
        ],
        metrics: [
          row({}),
          row({
            metric: 'http_req_failed',
            stat: 'rate',
            unit: 'ratio',
            baseline: 0.001,
            current: 0.0008,
            change: -0.2,
            verdict: 'unchanged',
            band: { low: 0, high: 0.011 },
          }),
          row({
            metric: 'http_reqs',
            stat: 'rate',
            unit: 'per-second',
            direction: 'higher-is-better',
            baseline: undefined,
            current: 41.23,
            change: undefined,
            verdict: 'new',
            band: undefined,
            method: 'none',
            samples: 0,
          }),
        ],
        files: {},
      },
    ],
    ...over,
  });
}

describe('renderMarkdownReport', () => {
  it('shows the verdict, the regression table with units, and the thresholds', () => {
    const md = renderMarkdownReport(result());
    expect(md).toContain('## ❌ k6-gate: performance regressed');
    expect(md).toContain('1 regression(s), 1 crossed threshold(s) — **the gate fails this job**');
    expect(md).toMatch(
      /\| `http_req_duration` \| p\(95\) \| +180 ms \| +212 ms \| +\+17\.8% \| ≤ 198 ms \(interval, n=8\) \| 🔴 regressed \|/,
    );
    expect(md).toMatch(/\| `http_req_failed` +\| rate +\| +0\.10% \| +0\.08% \| +-20\.0% \|/);
    expect(md).toMatch(/\| `http_reqs` +\| rate +\| +— \| +41\.2\/s \| +— \| +— \| 🆕 new/);
    expect(md).toContain('**k6 thresholds:** 1 of 2 crossed');
    expect(md).toContain('`http_req_duration`: `p(95)<200` | ❌ crossed');
    expect(md).toContain('- `http_req_duration` p(95): p(95) 212 ms vs 180 ms ±9 ms, n=8, +17.8%');
  });

  it('says when the policy does not block', () => {
    const md = renderMarkdownReport(result({ failed: false, failOn: [] }));
    expect(md).toContain('**not blocking** (policy)');
    expect(md).toContain('report only');
  });

  it('shows an error outcome with its cause', () => {
    const md = renderMarkdownReport(
      result({
        outcome: 'error',
        scenarios: [
          {
            scenario: 'smoke',
            key: 'smoke',
            outcome: 'error',
            error: 'target health check http://x/health did not succeed',
            thresholds: [],
            metrics: [],
            files: {},
          },
        ],
      }),
    );
    expect(md).toContain('## 💥 k6-gate: the load test could not run');
    expect(md).toContain('> **Error:** target health check http://x/health did not succeed');
  });

  it('escapes pipes in metric names so the table stays a table', () => {
    const md = renderMarkdownReport(result({ scenarios: [{ ...result().scenarios[0], metrics: [row({ metric: 'custom{name:a|b}' })] }] }));
    expect(md).toContain('`custom{name:a\\|b}`');
  });

  it('shortens an oversize report below the limit, keeps regressions, and says where the full one is', () => {
    const many = Array.from({ length: 400 }, (_, i) => row({ metric: `http_req_duration{name:endpoint-${i}}`, verdict: 'unchanged' }));
    const big = result({ scenarios: [{ ...result().scenarios[0], metrics: [row({ metric: 'the_regressed_one' }), ...many] }] });
    const full = renderMarkdownReport(big);
    expect(full.length).toBeGreaterThan(20_000);
    const short = renderMarkdownReport(big, { maxLength: 20_000, fullReportUrl: 'https://example.com/artifacts/1' });
    expect(short.length).toBeLessThanOrEqual(20_000);
    expect(short).toContain('`the_regressed_one`');
    expect(short).toContain('400 unchanged metric(s) not shown');
    expect(short).toContain('shortened to fit the 20,000-character limit; see [the full report](https://example.com/artifacts/1)');
    const tiny = renderMarkdownReport(big, { maxLength: 600 });
    expect(tiny.length).toBeLessThanOrEqual(600);
    expect(tiny).toContain('the full report in the run artifacts (report.md)');
  });
});

describe('formatting', () => {
  it('formats values by unit', () => {
    expect(formatValue(212.345, 'ms')).toBe('212.3 ms');
    expect(formatValue(1530, 'ms')).toBe('1.53 s');
    expect(formatValue(0.0123, 'ratio')).toBe('1.23%');
    expect(formatValue(2_500_000, 'bytes')).toBe('2.5 MB');
    expect(formatValue(undefined, 'ms')).toBe('—');
    expect(formatValue(Number.NaN, 'ms')).toBe('—');
  });
  it('formats changes with a sign', () => {
    expect(formatChange(0.178)).toBe('+17.8%');
    expect(formatChange(-0.05)).toBe('-5.0%');
    expect(formatChange(0)).toBe('±0.0%');
    expect(formatChange(undefined)).toBe('—');
  });
  it('groups the digits of counts by thousands, as en-US does, without Intl', () => {
    for (const n of [0, 7, 999, 1000, 3598, 65_536, 1_000_000, 123_456_789, -4321]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
    expect(formatCount(1.5)).toBe('1.5');
  });
  it('orders names by code units, the same on every machine', () => {
    expect(['b', 'a', 'B', 'é', 'a2', 'a10'].sort(compareCodeUnits)).toEqual(['B', 'a', 'a10', 'a2', 'b', 'é']);
  });
  it('says a change the same way in the note and in the table column', () => {
    const md = renderMarkdownReport(result());
    const column = formatChange(212 / 180 - 1);
    expect(column).toBe('+17.8%');
    expect(md).toContain(`| ${column} |`);
    expect(md).toContain(`n=8, ${column}`);
  });
});

describe('verdicts of several runs', () => {
  it('gives the Verdict line and every run’s value for confirmation reruns and A/B rounds', () => {
    const r = result();
    r.scenarios[0].verdictNote = 'first run regressed, the rerun did not: not confirmed, passed; 2 k6 runs, 6.1 s of k6';
    r.scenarios[0].metrics = [
      row({ verdict: 'unchanged', runs: [212, 181.5], note: 'p(95) 181.5 ms vs 180 ms; regressed in 1 of 2 runs: not confirmed' }),
      row({ stat: 'med', verdict: 'regressed', method: 'paired', band: undefined, runs: [30, 31], abBaseline: [20, 21], note: 'A/B med' }),
    ];
    const text = renderMarkdownReport(r);
    expect(text).toContain('**Verdict:** first run regressed, the rerun did not: not confirmed, passed; 2 k6 runs, 6.1 s of k6');
    expect(text).toContain('regressed in 1 of 2 runs: not confirmed — runs: 212 ms, 181.5 ms');
    expect(text).toContain('A/B med — B rounds: 30 ms, 31 ms; A rounds: 20 ms, 21 ms');
    expect(text).toMatch(/\| med +\|.*A\/B paired test/);
  });
});
