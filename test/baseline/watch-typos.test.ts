import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/baseline/rules.js';
import { closestName, unknownWatchedMetrics, unknownWatchedStats } from '../../src/baseline/watch-typos.js';

describe('watched metrics nobody has', () => {
  it('names the closest known metric for a watched metric nobody has; defaults and known bases pass', () => {
    const rules = parseRules(
      { watch: ['defaults', 'http_req_durration:p(95)', 'http_req_duration{name:login}:p(95)', 'login_time:med'] },
      'r',
    );
    expect(unknownWatchedMetrics(rules, ['http_req_duration', 'http_req_failed', 'login_time'])).toEqual([
      'watched metric "http_req_durration:p(95)" is not a metric of this run nor of the baseline; expected a k6 metric name such as "http_req_duration" (the closest known one)',
    ]);
    expect(closestName('chekcs', ['checks', 'http_reqs'])).toBe('checks');
    expect(closestName('x', [])).toBeUndefined();
  });

  it('lists the stats a metric has for a watched stat it lacks; a stat it has passes', () => {
    const rules = parseRules({ watch: ['http_reqs:p(95)', 'http_reqs:rate'] }, 'r');
    const known = new Map([['http_reqs', new Set(['rate', 'count'])]]);
    expect(unknownWatchedStats(rules, known)).toEqual([
      'watched stat "http_reqs:p(95)" is not a stat of this run nor of the baseline; expected one of count, rate',
    ]);
  });
});
