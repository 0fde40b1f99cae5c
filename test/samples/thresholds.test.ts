import { describe, expect, it } from 'vitest';
import { evaluateThreshold, parseThresholdExpression, thresholdExpressions } from '../../src/samples/thresholds.js';

const stats: Record<string, number> = { avg: 150, min: 10, max: 900, med: 120, count: 42, rate: 0.02, value: 7 };
const read = (aggregation: string, percentile?: number) => (aggregation === 'p' ? percentile! * 5 : stats[aggregation]);

describe('thresholds', () => {
  describe('parseThresholdExpression', () => {
    it('reads every aggregation and operator k6 accepts, with or without spaces', () => {
      expect(parseThresholdExpression('p(95)<500')).toMatchObject({ aggregation: 'p(N)', percentile: 95, operator: '<', value: 500 });
      expect(parseThresholdExpression(' p( 99.9 ) <= 1e3 ')).toMatchObject({ percentile: 99.9, operator: '<=', value: 1000 });
      expect(parseThresholdExpression('rate===0')).toMatchObject({ aggregation: 'rate', operator: '===', value: 0 });
      expect(parseThresholdExpression('count >= 10')).toMatchObject({ aggregation: 'count', operator: '>=' });
      expect(parseThresholdExpression('value!=-1.5')).toMatchObject({ aggregation: 'value', operator: '!=', value: -1.5 });
    });
    it.each(['p95<500', 'avg<200ms', 'mean<3', 'p(101)<5', 'avg <', ''])('refuses %j, quoting it', (text) => {
      expect(() => parseThresholdExpression(text)).toThrow(JSON.stringify(text));
    });
  });

  it('takes the expression out of the abortOnFail object form', () => {
    expect(thresholdExpressions('http_req_duration', ['p(95)<500', { threshold: 'avg<200', abortOnFail: true }])).toEqual([
      'p(95)<500',
      'avg<200',
    ]);
    expect(() => thresholdExpressions('x', [{ abortOnFail: true } as never])).toThrow(/thresholds\["x"\]\[0\].*expected a string/);
  });

  describe('evaluateThreshold', () => {
    const check = (text: string, type: 'trend' | 'rate' | 'counter' | 'gauge' = 'trend') =>
      evaluateThreshold('m', parseThresholdExpression(text), type, read).ok;
    it('compares with each operator', () => {
      expect(check('p(95)<500')).toBe(true); // 475
      expect(check('p(95)<475')).toBe(false);
      expect(check('p(95)<=475')).toBe(true);
      expect(check('avg>150')).toBe(false);
      expect(check('avg>=150')).toBe(true);
      expect(check('med==120')).toBe(true);
      expect(check('max===900')).toBe(true);
      expect(check('min!=10')).toBe(false);
      expect(check('rate<0.01', 'rate')).toBe(false);
      expect(check('count>10', 'counter')).toBe(true);
      expect(check('value<5', 'gauge')).toBe(false);
    });
    it('refuses an aggregation that does not fit the metric type', () => {
      expect(() => check('p(95)<5', 'counter')).toThrow(/counter metric m: "p\(…\)" does not apply; expected one of count, rate/);
    });
    it('passes a threshold whose metric got no samples, as k6 does', () => {
      expect(evaluateThreshold('never', parseThresholdExpression('p(95)<1'), undefined, read)).toEqual({
        metric: 'never',
        expression: 'p(95)<1',
        ok: true,
      });
    });
  });
});
