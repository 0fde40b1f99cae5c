import { describe, expect, it } from 'vitest';
import { addConfirmRun, mayConfirm, shouldRerun, startConfirm } from '../../src/verdict/confirm.js';
import type { MetricComparison } from '../../src/model.js';

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
