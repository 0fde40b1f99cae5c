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
