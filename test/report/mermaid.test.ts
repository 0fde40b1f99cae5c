import { describe, expect, it } from 'vitest';
import { renderBaselineCharts, renderScenarioChart, selectChartRows } from '../../src/report/mermaid.js';
import { gateResult, metricRow, regressedResult, scenarioResult } from '../helpers/builders.js';

describe('mermaid baseline chart', () => {
  it('draws this run as bars and the baseline as a line, regressed stats marked', () => {
    const chart = renderScenarioChart(regressedResult().scenarios[0]);
    expect(chart.split('\n')).toEqual([
      '```mermaid',
      'xychart-beta',
      '    title "http-endpoints · profile smoke: this run (bars) vs baseline (line), ms"',
      '    x-axis ["http_req_duration p(95) ▲", "http_req_duration med"]',
      '    y-axis "ms" 0 --> 300',
      '    bar [252, 91]',
      '    line [180, 90]',
      '```',
    ]);
  });

  it('charts only timing stats that have both a baseline and a current value', () => {
    const s = scenarioResult({
      metrics: [
        metricRow({ metric: 'http_req_failed', stat: 'rate', unit: 'ratio', baseline: 0.01, current: 0.02 }),
        metricRow({ metric: 'iteration_duration', stat: 'avg', baseline: undefined, current: 50, verdict: 'new' }),
        metricRow({ metric: 'http_req_waiting', stat: 'p(90)', baseline: 10.123, current: 12.456 }),
      ],
    });
    expect(selectChartRows(s.metrics).map((m) => m.metric)).toEqual(['http_req_waiting']);
    expect(renderScenarioChart(s)).toContain('bar [12.46]');
  });

  it('keeps regressed rows and the most telling stats when there are more than maxBars', () => {
    const metrics = ['max', 'min', 'avg', 'med', 'p(90)', 'p(95)', 'p(99)'].map((stat) => metricRow({ metric: 'http_req_duration', stat }));
    metrics[1] = { ...metrics[1], verdict: 'regressed' };
    const chosen = selectChartRows(metrics, 3).map((m) => m.stat);
    expect(chosen).toEqual(['min', 'p(90)', 'p(95)']);
  });

  it('keeps a double quote in a metric name from breaking the chart', () => {
    const s = scenarioResult({ metrics: [metricRow({ metric: 'http_req_duration{name:"login"}', stat: 'p(95)' })] });
    expect(renderScenarioChart(s)).toContain(`x-axis ["http_req_duration{name:'login'} p(95)"]`);
  });

  it('renders nothing when no scenario has anything to chart', () => {
    expect(renderBaselineCharts(gateResult({ scenarios: [scenarioResult({ metrics: [] })] }))).toBe('');
    expect(renderBaselineCharts(regressedResult())).toMatch(
      /^### Baseline vs this run[\s\S]*#### http-endpoints · profile smoke\n\n```mermaid/,
    );
  });

  it('keeps a hostile metric or scenario name text: no entity, HTML, backtick or newline gets through', () => {
    const hostile = 'x#lt;img src=x#gt; <b>`\n```';
    const s = scenarioResult({ scenario: hostile, profile: undefined, metrics: [metricRow({ metric: hostile, stat: 'p(95)' })] });
    const chart = renderBaselineCharts(gateResult({ scenarios: [s] }));
    const body = chart.slice(chart.indexOf('```mermaid'));
    expect(body.split('\n')).toHaveLength(8);
    expect(body).toContain(`x-axis ["x♯lt;img src=x♯gt; ‹b›' ''' p(95)"]`);
    expect(chart).toContain('#### x#lt;img src=x#gt; \\<b\\>\\` \\`\\`\\`');
  });

  it('titles a chart by scenario and profile, not by a baseline key with empty parts', () => {
    const s = { ...regressedResult().scenarios[0], scenario: 'big-b', profile: undefined, key: 'big-b@@demo' };
    const chart = renderBaselineCharts(gateResult({ scenarios: [s] }));
    expect(chart).toContain('#### big-b\n');
    expect(chart).not.toContain('@@');
  });
});
