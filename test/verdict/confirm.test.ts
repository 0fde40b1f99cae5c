import { describe, expect, it } from 'vitest';
import { compareToBaseline, mdeForRuns } from '../../src/baseline/compare.js';
import { addConfirmRun, mayConfirm, runWithConfirmation, shouldRerun, startConfirm } from '../../src/verdict/confirm.js';
import { createTerminalLogger } from '../../src/log.js';
import type { MetricComparison, ScenarioResult } from '../../src/model.js';
import { baselineOf, rulesWith, statWith, summaryOf, trend } from '../baseline/fixtures.js';

const row = (metric: string, stat: string) => ({ metric, stat }) as MetricComparison;

describe('confirmation rerun rule', () => {
  it('reruns only regressions, never crossed thresholds or errors', () => {
    expect(mayConfirm('regressed')).toBe(true);
    expect(mayConfirm('thresholds-failed')).toBe(false);
    expect(mayConfirm('error')).toBe(false);
    expect(mayConfirm('passed')).toBe(false);
  });

  it('clears on the first rerun in which the regression does not persist', () => {
    let state = startConfirm([row('http_req_duration', 'p(99)')]);
    expect(shouldRerun(state, 2)).toBe(true);
    state = addConfirmRun(state, []);
    expect(state.persisting).toEqual([]);
    expect(shouldRerun(state, 2)).toBe(false);
  });

  it('confirms only metrics that regressed in every run, within the rerun budget', () => {
    let state = startConfirm([row('http_req_duration', 'p(95)'), row('http_req_duration', 'p(99)')]);
    state = addConfirmRun(state, [row('http_req_duration', 'p(95)'), row('http_reqs', 'rate')]);
    expect(state.persisting).toEqual(['http_req_duration p(95)']);
    expect(shouldRerun(state, 2)).toBe(true);
    state = addConfirmRun(state, [row('http_req_duration', 'p(95)')]);
    expect(state.runs).toBe(3);
    expect(shouldRerun(state, 2)).toBe(false);
    expect(state.persisting).toEqual(['http_req_duration p(95)']);
  });

  it('makes no rerun with confirm 0', () => {
    expect(shouldRerun(startConfirm([row('http_req_duration', 'p(95)')]), 0)).toBe(false);
  });
});

describe('confirm and baseline-target inputs', () => {
  async function configWith(inputs: Record<string, string>) {
    const { configFromInputs } = await import('../../src/inputs.js');
    const { tempWorkspace } = await import('../helpers/gate.js');
    const ws = await tempWorkspace();
    return configFromInputs((name) => ({ scenarios: 'http-endpoints', ...inputs })[name], { workspace: ws, env: {} });
  }

  it('reads confirm as a whole number of reruns and refuses anything else with the expected range', async () => {
    expect((await configWith({ confirm: '2' })).confirm).toBe(2);
    expect((await configWith({})).confirm).toBeUndefined();
    await expect(configWith({ confirm: 'yes' })).rejects.toThrow(
      'confirm "yes" is not valid; expected a whole number of reruns from 0 to 5, e.g. 1',
    );
  });

  it('refuses a baseline-target that is not an http(s) URL, or one without a target', async () => {
    await expect(configWith({ target: 'http://127.0.0.1:1', 'baseline-target': 'ftp://x' })).rejects.toThrow(
      'baseline-target "ftp://x" uses ftp:; expected an http:// or https:// URL',
    );
    await expect(configWith({ 'baseline-target': 'http://127.0.0.1:1' })).rejects.toThrow(
      'baseline-target is set but target is not; expected both',
    );
    expect((await configWith({ target: 'http://127.0.0.1:1', 'baseline-target': 'http://127.0.0.1:2' })).baselineTarget).toBe(
      'http://127.0.0.1:2',
    );
  });
});

describe('the smallest change a gate with confirmation reruns can see', () => {
  // The history of the worked example (docs/baseline.md): 8 runs, s = 0.07924 on the logs, 99 %.
  // One run: (t₀.₉₉₅,₇ = 3.4995 + z₀.₈ = 0.8416)·s·√(9/8) → +44.0 %. With one rerun both runs must see
  // the change: 80 % for the pair needs √0.8 = 89.44 % per run, z₀.₈₉₄₄ = 1.2504 → +49.1 %; two reruns
  // need 0.8^(1/3) = 92.83 % per run, z = 1.4634.
  const s = 0.07923764;
  const compared = (p95: number) =>
    compareToBaseline({
      key: 'smoke',
      summary: summaryOf({ http_req_duration: trend({ 'p(95)': p95 }) }),
      baseline: baselineOf('smoke', { http_req_duration: { 'p(95)': statWith([180, 160, 205, 175, 195, 170, 190, 185]) } }),
      rules: rulesWith(['http_req_duration:p(95)']),
    });

  it('is the MDE at which every run sees the change, 80 % for all of them together', () => {
    const [one] = compared(190);
    expect(one.mde).toBeCloseTo(Math.expm1((3.4995 + 0.8416) * s * Math.sqrt(9 / 8)), 3);
    const two = mdeForRuns(one, 2);
    expect(two.mde).toBeCloseTo(Math.expm1((3.4995 + 1.2504) * s * Math.sqrt(9 / 8)), 3);
    expect(two.mde).toBeCloseTo(0.4906, 3);
    expect(two.mdeBasis!.power).toBeCloseTo(Math.sqrt(0.8), 12);
    expect(mdeForRuns(one, 3).mde).toBeCloseTo(Math.expm1((3.4995 + 1.4634) * s * Math.sqrt(9 / 8)), 3);
    // A throughput falls when it gets worse: the same factor, as a fall 1 − e^−MDE.
    const fall = mdeForRuns({ ...one, direction: 'higher-is-better', mde: -Math.expm1(-(3.4995 + 0.8416) * s * Math.sqrt(9 / 8)) }, 2);
    expect(fall.mde).toBeCloseTo(-Math.expm1(-(3.4995 + 1.2504) * s * Math.sqrt(9 / 8)), 3);
    // A row without a history basis (a duet row, a tolerance row) keeps what it has.
    const duet = { ...one, mdeBasis: undefined, mde: 0.03 };
    expect(mdeForRuns(duet, 2)).toBe(duet);
  });

  it('a passed run of a gate with confirm 1 shows the MDE for two runs; confirm 0 the single run one', async () => {
    const once = async (): Promise<ScenarioResult> => ({
      scenario: 'smoke',
      key: 'smoke',
      outcome: 'passed',
      thresholds: [],
      metrics: compared(190),
      files: {},
    });
    const log = createTerminalLogger({ write: () => {} });
    const [single] = compared(190);
    const withRerun = await runWithConfirmation(once, 1, log);
    expect(withRerun.metrics[0].mde).toBeCloseTo(0.4906, 3);
    const without = await runWithConfirmation(once, 0, log);
    expect(without.metrics[0].mde).toBeCloseTo(single.mde!, 12);
  });
});
