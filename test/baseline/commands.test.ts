import { describe, expect, it } from 'vitest';
import { diffBaselines, renderBaselineShow } from '../../src/baseline/commands.js';
import { DEFAULT_RULES } from '../../src/baseline/rules.js';
import { updateBaseline, type BaselineRun } from '../../src/baseline/update.js';
import { counter, summaryOf, trend } from './fixtures.js';

function run(key: string, p95: number, day: number, reqs = 20): BaselineRun {
  const [scenario, profile] = key.split('@');
  return {
    key,
    scenario,
    profile,
    summary: summaryOf({ http_req_duration: trend({ 'p(95)': p95 }), http_reqs: counter(reqs * 30, reqs) }),
    k6Version: '2.2.0',
    commit: `0123456789abcdef${day}`,
    date: `2025-04-0${day}T09:00:00Z`,
  };
}

describe('renderBaselineShow', () => {
  it('lists each scenario with accepted value, history size and range, and the last run', () => {
    const b = updateBaseline(undefined, [run('smoke', 100, 1), run('smoke', 120, 2), run('api@load', 40, 3)], DEFAULT_RULES);
    expect(renderBaselineShow(b, 'k6-baseline.json')).toBe(
      [
        'k6-baseline.json: baseline format v1, 2 scenarios, updated 2025-04-03T09:00:00Z',
        '',
        'api@load (updated 2025-04-03T09:00:00Z)',
        '  metric             stat   accepted  n  history range     last run',
        '  http_req_duration  p(95)  40 ms     1  40 ms .. 40 ms    2025-04-03T09:00:00Z k6 2.2.0 01234567',
        '  http_reqs          rate   20.0/s    1  20.0/s .. 20.0/s  2025-04-03T09:00:00Z k6 2.2.0 01234567',
        '',
        'smoke (updated 2025-04-02T09:00:00Z)',
        '  metric             stat   accepted  n  history range     last run',
        '  http_req_duration  p(95)  110 ms    2  100 ms .. 120 ms  2025-04-02T09:00:00Z k6 2.2.0 01234567',
        '  http_reqs          rate   20.0/s    2  20.0/s .. 20.0/s  2025-04-02T09:00:00Z k6 2.2.0 01234567',
        '',
      ].join('\n'),
    );
  });

  it('says when there is no baseline yet', () => {
    expect(renderBaselineShow(undefined, 'k6-baseline.json')).toBe(
      'k6-baseline.json: no baseline yet (the first run with update-baseline writes it)\n',
    );
  });
});

describe('diffBaselines', () => {
  it('shows moved accepted values, new and removed scenarios and stats', () => {
    const before = updateBaseline(undefined, [run('smoke', 100, 1), run('old', 10, 1)], DEFAULT_RULES);
    let after = updateBaseline(before, [run('smoke', 140, 2), run('api@load', 40, 2)], DEFAULT_RULES);
    after = { ...after, scenarios: { ...after.scenarios } };
    delete after.scenarios.old;
    expect(diffBaselines(before, after)).toBe(
      [
        '+ api@load: new scenario with 2 stats',
        '- old: scenario removed',
        '~ smoke',
        '  ~ http_req_duration p(95): 100 ms -> 120 ms (+20.0%), n=1 -> 2',
        '  ~ http_reqs rate: 20.0/s (accepted unchanged), n=1 -> 2',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing changed', () => {
    const b = updateBaseline(undefined, [run('smoke', 100, 1)], DEFAULT_RULES);
    expect(diffBaselines(b, b)).toBe('baselines are the same\n');
  });
});
