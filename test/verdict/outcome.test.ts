// The outcome policy (verdict/outcome.ts) and the one regression predicate every sink uses: a watched
// metric that vanished under `missing: error` is a regression in the verdict, the dotenv, the
// webhook and Slack bodies, the pushed series, JUnit and the annotations alike.
import { describe, expect, it } from 'vitest';
import { slackMessage } from '../../src/notify/sinks/slack.js';
import { webhookPayload } from '../../src/notify/sinks/webhook.js';
import { gateSeries, GATE_SERIES } from '../../src/observability/metrics-output.js';
import { annotationsFor } from '../../src/platform/github/annotations.js';
import { gitlabDotenvVariables } from '../../src/platform/gitlab/dotenv.js';
import { renderJUnit } from '../../src/report/junit.js';
import { decideGate, exitStatusFor, scenarioOutcome } from '../../src/verdict/outcome.js';
import { gateResult, metricRow, scenarioResult } from '../helpers/builders.js';

/** p(99) vanished from the run; its rule says `missing: error`. */
const missingError = metricRow({
  metric: 'http_req_duration',
  stat: 'p(99)',
  baseline: 250,
  current: undefined,
  change: undefined,
  verdict: 'missing',
  severity: 'error',
  note: 'p(99) is missing from this run (baseline 250 ms)',
});
delete missingError.current;
delete missingError.change;
delete missingError.band;

function resultWithMissingMetric() {
  const scenario = scenarioResult({ metrics: [metricRow({ metric: 'http_req_duration', stat: 'p(95)' }), missingError] });
  scenario.outcome = scenarioOutcome(scenario);
  const result = gateResult({ scenarios: [scenario] });
  decideGate(result);
  return result;
}

describe('the outcome policy', () => {
  it('a scenario: crossed thresholds outrank a regression, and k6’s own outcome is kept when worse', () => {
    const regressed = metricRow({ metric: 'http_req_duration', stat: 'p(95)', verdict: 'regressed' });
    expect(scenarioOutcome({ thresholds: [], metrics: [regressed] })).toBe('regressed');
    expect(scenarioOutcome({ thresholds: [{ metric: 'x', expression: 'p(95)<1', ok: false }], metrics: [regressed] })).toBe(
      'thresholds-failed',
    );
    expect(scenarioOutcome({ thresholds: [], metrics: [] }, 'thresholds-failed')).toBe('thresholds-failed');
    expect(scenarioOutcome({ thresholds: [], metrics: [metricRow({ metric: 'x', stat: 'avg' })] })).toBe('passed');
  });

  it('the gate: an error wins, fail-on decides whether a regression or a crossed threshold fails the job', () => {
    const result = gateResult({
      failOn: ['thresholds'],
      scenarios: [scenarioResult({ outcome: 'regressed', metrics: [metricRow({ metric: 'a', stat: 'avg', verdict: 'regressed' })] })],
    });
    decideGate(result);
    expect(result).toMatchObject({ outcome: 'regressed', regressions: 1, failed: false });
    expect(exitStatusFor(result)).toBe(0);
    result.failOn = ['regression'];
    decideGate(result);
    expect(exitStatusFor(result)).toBe(1);
    result.scenarios.push(scenarioResult({ outcome: 'error', error: 'k6 exit 107' }));
    decideGate(result);
    expect(result).toMatchObject({ outcome: 'error', failed: true });
    expect(exitStatusFor(result)).toBe(2);
  });
});

describe('one regression predicate for every sink', () => {
  it('a metric missing under missing: error is a regression in the verdict, dotenv, webhook, Slack, series, JUnit and annotations', () => {
    const result = resultWithMissingMetric();
    expect(result.scenarios[0].outcome).toBe('regressed');
    expect(result).toMatchObject({ outcome: 'regressed', regressions: 1, failed: true });

    expect(gitlabDotenvVariables(result).K6_GATE_REGRESSED_METRICS).toBe('http-endpoints@smoke:http_req_duration:p(99)');
    expect(webhookPayload(result).scenarios[0].regressed).toEqual([
      { metric: 'http_req_duration', stat: 'p(99)', baseline: 250, current: undefined, change: undefined, unit: 'ms' },
    ]);
    expect(JSON.stringify(slackMessage(result).blocks)).toContain('`http_req_duration` p(99)');
    const regressedSeries = gateSeries(result, { testid: 't' }, 0).filter((s) => s.labels.__name__ === GATE_SERIES.regressed);
    expect(regressedSeries.map((s) => [s.labels.stat, s.samples[0].value])).toEqual([
      ['p(95)', 0],
      ['p(99)', 1],
    ]);
    expect(renderJUnit(result)).toMatch(/<testcase name="http_req_duration p\(99\)"[^>]*>\s*<failure/);
    expect(annotationsFor(result).map((a) => a.title)).toEqual(['k6-gate: http_req_duration p(99) missing (http-endpoints@smoke)']);
  });

  it('a metric missing under missing: warning is a regression nowhere', () => {
    const result = resultWithMissingMetric();
    Object.assign(result.scenarios[0].metrics[1], { severity: 'warning' });
    result.scenarios[0].outcome = scenarioOutcome(result.scenarios[0]);
    decideGate(result);
    expect(result).toMatchObject({ outcome: 'passed', regressions: 0, failed: false });
    expect(gitlabDotenvVariables(result).K6_GATE_REGRESSED_METRICS).toBe('');
    expect(webhookPayload(result).scenarios[0].regressed).toEqual([]);
    expect(JSON.stringify(slackMessage(result).blocks)).not.toContain('p(99)');
    expect(annotationsFor(result)).toEqual([]);
  });
});
