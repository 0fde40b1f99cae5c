// The inconclusive outcome: the policy (what wins, fail-on, the exit status), the one rule that keeps
// an inconclusive run out of the baseline, and what every sink says about it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runsToRecord, shouldUpdateBaseline, type BaselineRun } from '../../src/baseline/update.js';
import { parseFailOn } from '../../src/config.js';
import { createTerminalLogger } from '../../src/log.js';
import type { GateResult, RunSummary } from '../../src/model.js';
import { shouldNotify } from '../../src/notify/payload.js';
import { slackMessage } from '../../src/notify/sinks/slack.js';
import { webhookPayload } from '../../src/notify/sinks/webhook.js';
import { gateSeries, GATE_SERIES } from '../../src/observability/metrics-output.js';
import { planComment } from '../../src/platform/github/comment.js';
import { gateOutputs } from '../../src/platform/github/outputs.js';
import { renderJobSummary } from '../../src/platform/github/summary.js';
import { gitlabDotenvVariables } from '../../src/platform/gitlab/dotenv.js';
import { publishGitLab } from '../../src/platform/gitlab/publish.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { renderJUnit } from '../../src/report/junit.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { runWithConfirmation } from '../../src/verdict/confirm.js';
import { decideGate, exitStatusFor, markInconclusive, scenarioOutcome } from '../../src/verdict/outcome.js';
import { startFakeGitLab, type FakeGitLab } from '../gitlab/fake-gitlab.js';
import { gateResult, metricRow, scenarioResult } from '../helpers/builders.js';

const WHY =
  "the load generator was unhealthy: k6 waited 21.3 ms on average for a CPU each time it had work (limit 10 ms; 99.7 % of the time it wanted a CPU): its timings include its own waiting. Run on a quieter runner, with fewer parallel jobs, and without lowering k6's priority";

/** One passed scenario and one whose load generator was starved, decided by the policy. */
function inconclusiveResult(failOn: GateResult['failOn'] = ['regression', 'thresholds']): GateResult {
  const starved = scenarioResult({ scenario: 'checkout', key: 'checkout@smoke' });
  starved.outcome = scenarioOutcome(starved);
  markInconclusive(starved, WHY);
  const result = gateResult({ failOn, scenarios: [scenarioResult(), starved] });
  decideGate(result);
  return result;
}

const regressedRow = () => metricRow({ metric: 'http_req_duration', stat: 'p(95)', baseline: 100, current: 150, verdict: 'regressed' });

describe('the inconclusive outcome: policy', () => {
  it('a scenario that could not decide is inconclusive; a regression or a crossed threshold in it still wins', () => {
    expect(scenarioOutcome({ thresholds: [], metrics: [], inconclusive: WHY })).toBe('inconclusive');
    expect(scenarioOutcome({ thresholds: [], metrics: [metricRow({ metric: 'a', stat: 'avg', verdict: 'inconclusive' })] })).toBe(
      'inconclusive',
    );
    expect(scenarioOutcome({ thresholds: [], metrics: [regressedRow()], inconclusive: WHY })).toBe('regressed');
    expect(scenarioOutcome({ thresholds: [{ metric: 'x', expression: 'p(95)<1', ok: false }], metrics: [], inconclusive: WHY })).toBe(
      'thresholds-failed',
    );
    const errored = scenarioResult({ outcome: 'error', error: 'k6 exit 107' });
    markInconclusive(errored, WHY);
    expect(errored.outcome).toBe('error');
  });

  it('the gate: an inconclusive scenario makes a passed gate inconclusive, counted, and a regression elsewhere still wins', () => {
    const result = inconclusiveResult();
    expect(result).toMatchObject({ outcome: 'inconclusive', inconclusive: 1, regressions: 0, failed: false });
    result.scenarios.push(scenarioResult({ outcome: 'regressed', metrics: [regressedRow()] }));
    decideGate(result);
    expect(result).toMatchObject({ outcome: 'regressed', inconclusive: 1, regressions: 1, failed: true });
  });

  it('fail-on: inconclusive does not fail the job by default (exit 0) and fails it with fail-on: inconclusive (exit 1)', () => {
    expect(parseFailOn(undefined)).toEqual(['regression', 'thresholds']);
    const byDefault = inconclusiveResult(parseFailOn(undefined));
    expect(byDefault.failed).toBe(false);
    expect(exitStatusFor(byDefault)).toBe(0);
    const failOn = parseFailOn('regression,thresholds,inconclusive');
    expect(failOn).toEqual(['regression', 'thresholds', 'inconclusive']);
    const strict = inconclusiveResult(failOn);
    expect(strict.failed).toBe(true);
    expect(exitStatusFor(strict)).toBe(1);
    expect(() => parseFailOn('regression,undecided')).toThrow(
      /unknown word "undecided"; expected a comma list of "regression", "thresholds" and "inconclusive", or "none"/,
    );
  });

  it('confirmation reruns keep a run’s reason to be inconclusive, said with the run it came from', async () => {
    const log = createTerminalLogger({ write: () => undefined });
    const runs = [
      scenarioResult({ outcome: 'regressed', metrics: [regressedRow()] }),
      scenarioResult({ outcome: 'inconclusive', inconclusive: WHY }),
    ];
    const confirmed = await runWithConfirmation(async (attempt) => runs[attempt - 1], 1, log);
    expect(confirmed.outcome).toBe('inconclusive');
    expect(confirmed.inconclusive).toBe(`run 2: ${WHY}`);
  });
});

describe('the inconclusive outcome: never recorded as the baseline', () => {
  const summary: RunSummary = { format: 'legacy', metrics: {}, thresholds: [], checks: [] };
  const run = (key: string): BaselineRun => ({ key, scenario: key, summary, k6Version: '2.2.0', date: '2026-12-02T10:00:00Z' });

  it('an inconclusive scenario’s run is refused with the reason in words, even with update-baseline: force; the others are recorded', () => {
    for (const forced of [false, true]) {
      const { kept, refusals, forcedLines } = runsToRecord(
        [
          { run: run('api'), problems: [] },
          { run: run('checkout'), problems: [], inconclusive: WHY },
        ],
        forced,
      );
      expect(kept.map((r) => r.key)).toEqual(['api']);
      expect(forcedLines).toEqual([]);
      expect(refusals).toEqual([
        `checkout is inconclusive (${WHY}): an inconclusive run is never recorded as the baseline, not even with update-baseline: force, because its numbers could not decide a verdict`,
      ]);
    }
  });

  it('auto on the default branch still records the passed scenarios of an inconclusive gate', () => {
    const decision = shouldUpdateBaseline({ mode: 'auto', outcome: 'inconclusive', isDefaultBranch: true });
    expect(decision).toEqual({
      update: true,
      reason: 'update-baseline is auto and this run is on the default branch; its inconclusive scenarios are left out',
    });
  });
});

describe('the inconclusive outcome: every sink says it', () => {
  let fake: FakeGitLab | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    fake = undefined;
    dir = undefined;
  });

  it('the PR comment and the job summary: headline, the count, what it means, and per scenario why', () => {
    const result = inconclusiveResult();
    for (const text of [renderMarkdownReport(result), renderJobSummary(result)]) {
      expect(text).toContain('## ❔ k6-gate: inconclusive, the numbers could not decide');
      expect(text).toContain(
        '0 regressions, 0 crossed thresholds, 1 inconclusive scenario — **not blocking** (policy) (fails on: regression, thresholds). ' +
          'Inconclusive means the numbers could not decide, either way: the run is not recorded as the baseline, and it fails the job only with `fail-on: inconclusive`. ' +
          'Run it again longer (max-duration) or on a quieter runner; each inconclusive scenario below says why.',
      );
      expect(text).toContain('### ❔ checkout · profile smoke — inconclusive');
      expect(text).toContain('> **Inconclusive:** the load generator was unhealthy: k6 waited 21.3 ms on average for a CPU');
    }
    // The comment is posted (not only updated) for it in on-regression mode: it is news for the PR.
    expect(planComment('on-regression', result.outcome, 7, 'pull_request')).toEqual({ action: 'upsert' });
  });

  it('a regressed scenario whose numbers are in doubt says so under its regression', () => {
    const scenario = scenarioResult({ metrics: [regressedRow()] });
    scenario.outcome = scenarioOutcome(scenario);
    markInconclusive(scenario, WHY);
    const result = gateResult({ scenarios: [scenario] });
    decideGate(result);
    expect(result.outcome).toBe('regressed');
    expect(renderMarkdownReport(result)).toContain(
      '> **The numbers are in doubt:** the load generator was unhealthy: k6 waited 21.3 ms on average for a CPU',
    );
  });

  it('the GitLab merge-request note says it', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-inconclusive-note-'));
    await writeFile(path.join(dir, 'summary-smoke.json'), '{"metrics":{"http_reqs":{"count":1,"rate":1}}}');
    fake = await startFakeGitLab({ token: 'glpat-inconclusive', projectId: '42', notes: {} });
    const env = {
      GITLAB_CI: 'true',
      CI_API_V4_URL: fake.apiUrl,
      CI_PROJECT_ID: '42',
      CI_PROJECT_PATH: 'acme/shop',
      CI_PROJECT_URL: 'https://gitlab.example.com/acme/shop',
      CI_PROJECT_DIR: path.dirname(dir),
      CI_JOB_NAME: 'k6-gate:staging',
      CI_JOB_URL: 'https://gitlab.example.com/acme/shop/-/jobs/99',
      CI_MERGE_REQUEST_IID: '7',
      K6_GATE_GITLAB_TOKEN: 'glpat-inconclusive',
    };
    const log = createTerminalLogger({ write: () => undefined });
    await publishGitLab(inconclusiveResult(), { resultsDir: dir, log, env });
    const [note] = fake.notes.get('42!7')!;
    expect(note.body).toContain('❔ k6-gate: inconclusive, the numbers could not decide');
    expect(note.body).toContain('> **Inconclusive:** the load generator was unhealthy');
    const dotenv = await readFile(path.join(dir, 'k6-gate.env'), 'utf8');
    expect(dotenv).toContain('K6_GATE_RESULT=inconclusive\n');
    expect(dotenv).toContain('K6_GATE_INCONCLUSIVE=1\n');
  });

  it('the action outputs and the GitLab dotenv: the outcome and the count', () => {
    const result = inconclusiveResult();
    expect(gateOutputs(result, { resultsDir: '/r' })).toMatchObject({ result: 'inconclusive', failed: 'false', inconclusive: '1' });
    expect(gitlabDotenvVariables(result)).toMatchObject({
      K6_GATE_RESULT: 'inconclusive',
      K6_GATE_FAILED: 'false',
      K6_GATE_INCONCLUSIVE: '1',
    });
  });

  it('JUnit: a skipped "verdict" case with the reason — neither a failure (slower code) nor an error (broken test)', () => {
    const xml = renderJUnit(inconclusiveResult());
    expect(xml).toContain('<testcase name="verdict" classname="k6-gate.checkout@smoke">');
    expect(xml).toContain('<skipped message="inconclusive: the load generator was unhealthy: k6 waited 21.3 ms on average');
    expect(xml).toMatch(/<testsuite name="k6-gate checkout@smoke" tests="\d+" failures="0" errors="0" skipped="1"/);
    const duetStat = scenarioResult({
      metrics: [metricRow({ metric: 'http_req_duration', stat: 'p(95)', verdict: 'inconclusive', note: 'B/A +1.2 % ±4 %' })],
    });
    expect(renderJUnit(gateResult({ scenarios: [duetStat] }))).toContain('<skipped message="inconclusive: B/A +1.2 % ±4 %"/>');
  });

  it('notifications: sent on notify-on regression (the gate could not protect the change), and both bodies say why', () => {
    const result = inconclusiveResult();
    expect(shouldNotify('regression', 'inconclusive')).toBe(true);
    expect(shouldNotify('error', 'inconclusive')).toBe(false);
    expect(shouldNotify('regression', 'passed')).toBe(false);
    const payload = webhookPayload(result);
    expect(payload).toMatchObject({ outcome: 'inconclusive', failed: false, inconclusive: 1 });
    expect(payload.scenarios[1]).toMatchObject({ scenario: 'checkout', outcome: 'inconclusive', inconclusive: WHY });
    const slack = slackMessage(result);
    expect(slack.text).toBe(
      '❔ k6-gate: inconclusive, the numbers could not decide — 0 regression(s), 0 crossed threshold(s), 1 inconclusive scenario(s)',
    );
    expect(JSON.stringify(slack.blocks)).toContain('*checkout* — inconclusive\\n> inconclusive: the load generator was unhealthy');
  });

  it('the verdict series: the gate’s and the scenario’s outcome label say inconclusive', () => {
    const series = gateSeries(inconclusiveResult(), { testid: 't' }, 0);
    const outcome = (name: string) => series.filter((s) => s.labels.__name__ === name).map((s) => s.labels.outcome);
    expect(outcome(GATE_SERIES.outcome)).toEqual(['inconclusive']);
    expect(outcome(GATE_SERIES.scenarioOutcome)).toEqual(['passed', 'inconclusive']);
  });

  it('gate-report.html: an inconclusive badge and the reason, the inconclusive scenario before the passed one', () => {
    const html = renderHtmlReport(inconclusiveResult());
    expect(html).toContain('<h1>k6-gate <span class="badge inconclusive">inconclusive</span></h1>');
    expect(html).toContain('.inconclusive { background: #fff8c5;');
    expect(html).toContain('<p class="cause inconclusive">Inconclusive: the load generator was unhealthy: k6 waited 21.3 ms');
    expect(html.indexOf('checkout@smoke <span class="badge inconclusive">')).toBeLessThan(html.indexOf('http-endpoints@smoke <span'));
  });
});
