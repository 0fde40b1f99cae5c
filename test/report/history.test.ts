import { describe, expect, it } from 'vitest';
import type { BaselineScenario } from '../../src/baseline/format.js';
import { reportTrend } from '../../src/report/history.js';
import { metricRow } from '../helpers/builders.js';

const history = (values: number[]) => values.map((value, i) => ({ value, date: `2026-11-${10 + i}T08:00:00Z` }));

describe('reportTrend', () => {
  it("draws the stat's own history when the long trend holds fewer runs (the verdict's n), this run last", () => {
    const entry: BaselineScenario = {
      scenario: 'shop',
      metrics: { http_req_duration: { 'p(95)': { accepted: 30, history: history([29, 30, 31, 30, 29, 31, 30, 32, 30]) } } },
      trend: { stats: ['http_req_duration p(95)'], runs: [{ date: '2026-11-18T08:00:00Z', values: [30] }] },
    };
    const [trend] = reportTrend(entry, [metricRow({ metric: 'http_req_duration', stat: 'p(95)', current: 36.5 })], 10)!;
    expect(trend).toEqual({ metric: 'http_req_duration', stat: 'p(95)', values: [29, 30, 31, 30, 29, 31, 30, 32, 30, 36.5], accepted: 9 });
  });

  it('draws the long trend when it holds more runs than the history limit keeps, and says how many', () => {
    const long = Array.from({ length: 30 }, (_, i) => ({ date: `2026-10-${String(i + 1).padStart(2, '0')}T08:00:00Z`, values: [100 + i] }));
    const entry: BaselineScenario = {
      scenario: 'shop',
      metrics: { http_req_duration: { 'p(95)': { accepted: 129, history: history([120, 125, 129, 127, 128]) } } },
      trend: { stats: ['http_req_duration p(95)'], runs: long },
    };
    const [trend] = reportTrend(entry, [metricRow({ metric: 'http_req_duration', stat: 'p(95)', current: 131 })], 3)!;
    expect(trend.values).toHaveLength(31);
    expect(trend.accepted).toBe(30);
    expect(reportTrend(undefined, [], 10)).toBeUndefined();
  });
});
