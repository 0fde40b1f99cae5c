import { describe, expect, it } from 'vitest';
import { compareToBaseline, decide, isRegression, summarizeComparisons } from '../../src/baseline/compare.js';
import { inferDirection } from '../../src/metric-kind.js';
import { DEFAULT_RULES } from '../../src/baseline/rules.js';
import { baselineOf, counter, rate, rulesWith, statWith, summaryOf, trend } from './fixtures.js';

const KEY = 'smoke';

function one(
  metric: string,
  stat: string,
  current: Parameters<typeof summaryOf>[0],
  baseline: ReturnType<typeof statWith> | undefined,
  extra = {},
) {
  const rules = rulesWith([`${metric}:${stat}`], extra);
  const result = compareToBaseline({
    key: KEY,
    summary: summaryOf(current),
    baseline: baseline ? baselineOf(KEY, { [metric]: { [stat]: baseline } }) : undefined,
    rules,
  });
  expect(result).toHaveLength(1);
  return result[0];
}

describe('direction', () => {
  it.each([
    ['http_req_duration', 'p(95)', 'trend', 'lower-is-better'],
    ['iteration_duration', 'p(95)', 'trend', 'lower-is-better'],
    ['http_req_failed', 'rate', 'rate', 'lower-is-better'],
    ['checks', 'rate', 'rate', 'higher-is-better'],
    ['http_reqs', 'rate', 'counter', 'higher-is-better'],
    ['iterations', 'rate', 'counter', 'higher-is-better'],
    ['login_errors', 'count', 'counter', 'lower-is-better'],
    ['payment_timeouts', 'rate', 'rate', 'lower-is-better'],
    ['login_time', 'p(90)', 'trend', 'lower-is-better'],
    ['http_req_duration{name:login}', 'p(99)', 'trend', 'lower-is-better'],
  ] as const)('%s %s (%s) is %s', (metric, stat, type, direction) => {
    expect(inferDirection(metric, stat, type)).toBe(direction);
  });

  it('guesses the type from the stat when the run lacks the metric', () => {
    expect(inferDirection('http_reqs', 'rate')).toBe('higher-is-better');
    expect(inferDirection('checks', 'rate')).toBe('higher-is-better');
    expect(inferDirection('http_req_failed', 'rate')).toBe('lower-is-better');
  });

  it('lets a rule override the inferred direction', () => {
    const baseline = statWith([100]);
    const inferred = one('queue_depth', 'value', { queue_depth: { type: 'gauge', contains: 'default', values: { value: 150 } } }, baseline);
    expect(inferred).toMatchObject({ direction: 'lower-is-better', verdict: 'regressed' });
    const rules = rulesWith([{ metric: 'queue_depth', stat: 'value', direction: 'higher-is-better' }]);
    const [overridden] = compareToBaseline({
      key: KEY,
      summary: summaryOf({ queue_depth: { type: 'gauge', contains: 'default', values: { value: 150 } } }),
      baseline: baselineOf(KEY, { queue_depth: { value: baseline } }),
      rules,
    });
    expect(overridden).toMatchObject({ direction: 'higher-is-better', verdict: 'improved' });
  });

  it('reads higher-is-better throughput the other way round', () => {
    const base = statWith([100, 101, 99], undefined, 'per-second');
    expect(one('http_reqs', 'rate', { http_reqs: counter(850, 85) }, base)).toMatchObject({ verdict: 'regressed', unit: 'per-second' });
    expect(one('http_reqs', 'rate', { http_reqs: counter(1150, 115) }, base)).toMatchObject({ verdict: 'improved' });
    expect(one('http_reqs', 'rate', { http_reqs: counter(950, 95) }, base)).toMatchObject({ verdict: 'unchanged' });
  });
});

describe('tolerance alone (fewer than minHistory samples)', () => {
  const base = statWith([100, 98, 102]);
  it('regresses beyond the relative tolerance', () => {
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 115 }) }, base);
    expect(c).toMatchObject({
      verdict: 'regressed',
      method: 'tolerance',
      samples: 3,
      baseline: 100,
      current: 115,
      unit: 'ms',
      tolerance: 0.1,
    });
    expect(c.change).toBeCloseTo(0.15, 10);
    expect(c.band!.low).toBeCloseTo(90, 9);
    expect(c.band!.high).toBeCloseTo(110, 9);
    expect(c.note).toBe('p(95) 115 ms vs 100 ms, n=3, +15.0%, limit 110 ms by 10% tolerance');
  });
  it('is unchanged inside it and improved below it', () => {
    expect(one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 108 }) }, base).verdict).toBe('unchanged');
    expect(one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 85 }) }, base).verdict).toBe('improved');
  });
  it('uses a per-rule tolerance', () => {
    const rules = rulesWith([{ metric: 'http_req_duration', stat: 'p(95)', tolerance: 0.2 }]);
    const [c] = compareToBaseline({
      key: KEY,
      summary: summaryOf({ http_req_duration: trend({ 'p(95)': 115 }) }),
      baseline: baselineOf(KEY, { http_req_duration: { 'p(95)': base } }),
      rules,
    });
    expect(c).toMatchObject({ verdict: 'unchanged', tolerance: 0.2 });
  });
});

describe('prediction interval (minHistory samples or more)', () => {
  // Worked example (docs/baseline.md): accepted = median 182.5 ms; 99% interval on logs 135.6..244.2 ms.
  const noisy = statWith([180, 160, 205, 175, 195, 170, 190, 185]);
  it('does not flag a change that is beyond the tolerance but inside the noise of the history', () => {
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 212 }) }, noisy);
    expect(c).toMatchObject({ verdict: 'unchanged', method: 'prediction-interval', samples: 8 });
    expect(c.change).toBeGreaterThan(0.1);
    expect(c.band!.high).toBeCloseTo(244.2, 0);
    expect(c.note).toBe('p(95) 212 ms vs 182.5 ms ±54.3 ms, n=8, +16.2%, limit 244.2 ms by 99% interval');
  });
  it('flags a value outside both', () => {
    expect(one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 250 }) }, noisy).verdict).toBe('regressed');
  });
  it('keeps the tolerance when the history is quieter than it', () => {
    const quiet = statWith([180, 176, 185, 182, 178, 190, 181, 179]);
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 205 }) }, quiet);
    expect(c.verdict).toBe('regressed');
    expect(c.note).toMatch(/^p\(95\) 205 ms vs 180\.5 ms ±16\.2 ms, n=8, \+13\.6%, limit 198.6 ms by 10% tolerance$/);
    expect(one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 197 }) }, quiet).verdict).toBe('unchanged');
  });
  it('leaves a disturbed run out of the interval, and says so', () => {
    const spiky = statWith([60.2, 59.8, 60.9, 60.2, 60.5, 87.5, 59.6, 60.1, 62.0, 61.0]);
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 73 }) }, spiky);
    expect(c).toMatchObject({ verdict: 'regressed', method: 'prediction-interval', samples: 9 });
    expect(c.note).toBe('p(95) 73 ms vs 60.4 ms ±2.58 ms, n=9 (+1 outlier left out), +21.0%, limit 66.4 ms by 10% tolerance');
  });
  it('uses the configured confidence', () => {
    const c = decide({
      accepted: 182.5,
      current: 230,
      history: [180, 160, 205, 175, 195, 170, 190, 185],
      direction: 'lower-is-better',
      unit: 'ms',
      tolerance: 0.1,
      noiseFloor: 2,
      confidence: 0.9,
      minHistory: 5,
    });
    // t(0.95, 7) = 1.895 gives a narrower interval (high ≈ 213 ms), so 230 ms is now outside it.
    expect(c.interval!.high).toBeCloseTo(213.4, 0);
    expect(c.verdict).toBe('regressed');
  });
  it('uses only the last historyLimit entries (history trimming)', () => {
    // Old, wildly noisy runs would widen the interval; the limit of 5 drops them.
    const base = statWith([60, 150, 65, 145, 100, 101, 99, 100, 102], 100);
    const trimmed = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 125 }) }, base, { historyLimit: 5 });
    expect(trimmed).toMatchObject({ verdict: 'regressed', samples: 5, method: 'prediction-interval' });
    const untrimmed = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 125 }) }, base, { historyLimit: 10 });
    expect(untrimmed).toMatchObject({ verdict: 'unchanged', samples: 9 });
  });
});

describe('the smallest change the gate can see (MDE)', () => {
  // The textbook MDE of one new value against a history of n values with spread s (sample standard
  // deviation of the logs): (t₁₋α/₂,ₙ₋₁ + z₁₋β)·s·√(1 + 1/n), here α = 1 − 0.99 and power 1 − β = 0.8, so
  // t₀.₉₉₅,₇ = 3.4995 and z₀.₈ = 0.8416 from printed tables; as a change: e^MDE − 1.
  const noisy = [180, 160, 205, 175, 195, 170, 190, 185];
  const logs = noisy.map(Math.log);
  const meanLog = logs.reduce((a, b) => a + b) / logs.length;
  const s = Math.sqrt(logs.reduce((a, v) => a + (v - meanLog) ** 2, 0) / (logs.length - 1));

  it('history mode: (t₀.₉₉₅,₇ + z₀.₈)·s·√(1 + 1/8) on the logs of the 8 runs, as a relative change', () => {
    expect(s).toBeCloseTo(0.07924, 5);
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 212 }) }, statWith(noisy));
    expect(c.method).toBe('prediction-interval');
    expect(c.mde).toBeCloseTo(Math.expm1((3.4995 + 0.8416) * s * Math.sqrt(1 + 1 / 8)), 3);
    expect(c.mde).toBeCloseTo(0.4403, 3);
    expect(c.mdeBasis).toMatchObject({ source: 'history', scale: 'log', power: 0.8 });
    expect(c.mdeBasis!.alpha).toBeCloseTo(0.01, 12);
    expect(c.mdeBasis!.spread).toBeCloseTo(s, 12);
    // The limit the verdict used rests on the same numbers: its half-width is t·s·√(1 + 1/n).
    expect(Math.log(c.band!.high / 182.5)).toBeLessThan(Math.log1p(c.mde!));
  });

  it('follows the configured confidence: a 90% gate (t₀.₉₅,₇ = 1.8946) sees smaller changes', () => {
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 190 }) }, statWith(noisy), { confidence: 0.9 });
    expect(c.mde).toBeCloseTo(Math.expm1((1.8946 + 0.8416) * s * Math.sqrt(1 + 1 / 8)), 3);
  });

  it('for a value that gets worse by falling (throughput) is the fall it can see: 1 − e^−MDE, not e^MDE − 1', () => {
    // The same spread, the other way round: the log-ratio 0.3648 is +44.0 % up but −30.6 % down,
    // and a throughput's tolerance is measured down (limit accepted · (1 − 10 %)).
    const c = one('http_reqs', 'rate', { http_reqs: counter(1000, 40) }, statWith(noisy.map((v) => v / 4)));
    expect(c.direction).toBe('higher-is-better');
    const logMde = (3.4995 + 0.8416) * s * Math.sqrt(1 + 1 / 8);
    expect(c.mde).toBeCloseTo(1 - Math.exp(-logMde), 3);
    expect(c.mde).toBeCloseTo(0.3057, 3);
  });

  it('is absent while the history is shorter than minHistory: no spread, no controlled α, no number', () => {
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 115 }) }, statWith([100, 98, 102]));
    expect(c.method).toBe('tolerance');
    expect(c.mde).toBeUndefined();
    expect(c.mdeBasis).toBeUndefined();
    expect(one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 115 }) }, undefined).mde).toBeUndefined();
  });

  it('is an absolute difference for a ratio, judged on the failures of a success ratio', () => {
    // checks 99.0..99.4 % pass: failures 0.6..1.0 %; on their logs, MDE·centre is the absolute change.
    const passes = [0.99, 0.992, 0.994, 0.991, 0.993, 0.992];
    const failures = passes.map((p) => 1 - p);
    const fl = failures.map(Math.log);
    const m = fl.reduce((a, b) => a + b) / fl.length;
    const sf = Math.sqrt(fl.reduce((a, v) => a + (v - m) ** 2, 0) / (fl.length - 1));
    // t₀.₉₉₅,₅ = 4.0321.
    const expected = Math.exp(m) * Math.expm1((4.0321 + 0.8416) * sf * Math.sqrt(1 + 1 / 6));
    const c = one('checks', 'rate', { checks: rate(0.992) }, statWith(passes, 0.992, 'ratio'));
    expect(c.unit).toBe('ratio');
    expect(c.mde).toBeCloseTo(expected, 5);
    expect(c.mde).toBeGreaterThan(0.005);
    expect(c.mde).toBeLessThan(0.05);
  });

  it('on the linear scale (a zero in the history) is the MDE over the accepted value', () => {
    const counts = [0, 4, 2, 3, 5, 2];
    const m = counts.reduce((a, b) => a + b) / counts.length;
    const sd = Math.sqrt(counts.reduce((a, v) => a + (v - m) ** 2, 0) / (counts.length - 1));
    const c = one('login_errors', 'count', { login_errors: counter(3, 0.1) }, statWith(counts, 3, 'count'));
    expect(c.mdeBasis?.scale).toBe('linear');
    expect(c.mde).toBeCloseTo(((4.0321 + 0.8416) * sd * Math.sqrt(1 + 1 / 6)) / 3, 3);
  });
});

describe('zero and tiny baselines', () => {
  it('ignores sub-floor changes of a tiny time value even when the relative change is huge', () => {
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 0.9 }) }, statWith([0.3, 0.31, 0.29]));
    expect(c.verdict).toBe('unchanged');
    expect(c.change).toBeCloseTo(2, 6);
    expect(c.note).toContain('limit 2.30 ms by 2 ms noise floor');
    expect(one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 2.5 }) }, statWith([0.3, 0.31, 0.29])).verdict).toBe(
      'regressed',
    );
  });
  it('handles a zero time baseline without a relative change', () => {
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 1.5 }) }, statWith([0, 0, 0]));
    expect(c.verdict).toBe('unchanged');
    expect(c.change).toBeUndefined();
    expect(c.note).toContain('+1.50 ms');
  });
  it('judges an error rate that starts at 0 by the ratio floor', () => {
    const zero = statWith([0, 0, 0, 0, 0, 0], 0, 'ratio');
    expect(one('http_req_failed', 'rate', { http_req_failed: rate(0.004) }, zero)).toMatchObject({
      verdict: 'unchanged',
      method: 'prediction-interval',
    });
    const c = one('http_req_failed', 'rate', { http_req_failed: rate(0.02) }, zero);
    expect(c).toMatchObject({ verdict: 'regressed', unit: 'ratio' });
    expect(c.change).toBeUndefined();
    expect(c.note).toBe('rate 2.00% vs 0.00% ±0.00 pp, n=6, +2.00 pp, limit 0.50% by 0.5 pp noise floor');
  });
  it('judges a success ratio on its failures, not with 10% of its value', () => {
    const allPass = statWith([1, 1, 1], 1, 'ratio');
    // 10% relative of 100% would allow 90% checks; the complement view makes 99% a regression.
    const c = one('checks', 'rate', { checks: rate(0.99) }, allPass);
    expect(c).toMatchObject({ verdict: 'regressed', direction: 'higher-is-better' });
    expect(c.band).toEqual({ low: 0.995, high: 1 });
    expect(one('checks', 'rate', { checks: rate(0.997) }, allPass).verdict).toBe('unchanged');
  });
  it('treats a zero counter baseline of a lower-is-better metric strictly', () => {
    const none = statWith([0, 0], 0, 'count');
    expect(one('login_errors', 'count', { login_errors: counter(3, 0.1) }, none).verdict).toBe('regressed');
    expect(one('login_errors', 'count', { login_errors: counter(0, 0) }, none).verdict).toBe('unchanged');
  });
});

describe('new, missing and NaN values', () => {
  it('marks a metric the baseline lacks as new', () => {
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': 120 }) }, undefined);
    expect(c).toMatchObject({ verdict: 'new', method: 'none', current: 120, samples: 0 });
    expect(c.note).toBe('p(95) 120 ms, new: no baseline yet');
  });

  it('marks a metric the run lost as missing, an error by default', () => {
    const c = one('http_req_duration{name:login}', 'p(95)', { http_req_duration: trend({ 'p(95)': 120 }) }, statWith([100, 101]));
    expect(c).toMatchObject({ verdict: 'missing', severity: 'error', baseline: 100.5, unit: 'ms' });
    expect(c.note).toBe('p(95) missing: this run has no http_req_duration{name:login} (baseline 100.5 ms, n=2)');
    expect(isRegression(c)).toBe(true);
  });

  it('makes it a warning when the rules say so', () => {
    const c = one('http_req_duration', 'p(99)', { http_req_duration: trend({ 'p(95)': 120 }) }, statWith([100]), { missing: 'warning' });
    expect(c).toMatchObject({ verdict: 'missing', severity: 'warning' });
    expect(c.note).toContain("this run's http_req_duration has no p(99)");
    expect(isRegression(c)).toBe(false);
  });

  it('treats a NaN in the run as missing, saying so', () => {
    const c = one('http_req_duration', 'p(95)', { http_req_duration: trend({ 'p(95)': Number.NaN }) }, statWith([100]));
    expect(c.verdict).toBe('missing');
    expect(c.note).toContain('is not a number (NaN)');
  });

  it('skips a default metric neither side has, but reports a configured one', () => {
    const summary = summaryOf({ http_req_duration: trend({ 'p(95)': 120, 'p(99)': 150 }) });
    const defaults = compareToBaseline({ key: KEY, summary, baseline: undefined, rules: DEFAULT_RULES });
    expect(defaults.map((c) => `${c.metric} ${c.stat} ${c.verdict}`)).toEqual([
      'http_req_duration p(95) new',
      'http_req_duration p(99) new',
    ]);
    const configured = compareToBaseline({ key: KEY, summary, baseline: undefined, rules: rulesWith(['checks:rate']) });
    expect(configured).toMatchObject([{ metric: 'checks', verdict: 'missing', severity: 'error' }]);
  });

  it('reports a removed default metric as missing once the baseline has it', () => {
    const baseline = baselineOf(KEY, { checks: { rate: statWith([1, 1], 1, 'ratio') } });
    const [c] = compareToBaseline({
      key: KEY,
      summary: summaryOf({}),
      baseline,
      rules: rulesWith([{ metric: 'checks', stat: 'rate', origin: 'default' }]),
    });
    expect(c).toMatchObject({ verdict: 'missing', unit: 'ratio', direction: 'higher-is-better' });
  });

  it('compares only the scenario key asked for', () => {
    const baseline = baselineOf('smoke@load', { http_req_duration: { 'p(95)': statWith([100]) } });
    const [c] = compareToBaseline({
      key: 'smoke',
      summary: summaryOf({ http_req_duration: trend({ 'p(95)': 300 }) }),
      baseline,
      rules: rulesWith(['http_req_duration:p(95)']),
    });
    expect(c.verdict).toBe('new');
  });
});

describe('submetrics', () => {
  it('compares each tagged submetric on its own', () => {
    const summary = summaryOf({
      http_req_duration: trend({ 'p(95)': 101 }),
      'http_req_duration{name:login}': trend({ 'p(95)': 260 }),
      'http_req_duration{name:home}': trend({ 'p(95)': 40 }),
    });
    const baseline = baselineOf(KEY, {
      http_req_duration: { 'p(95)': statWith([100]) },
      'http_req_duration{name:login}': { 'p(95)': statWith([200]) },
      'http_req_duration{name:home}': { 'p(95)': statWith([41]) },
    });
    const rules = rulesWith(['http_req_duration:p(95)', 'http_req_duration{name:login}:p(95)', 'http_req_duration{name:home}:p(95)']);
    const result = compareToBaseline({ key: KEY, summary, baseline, rules });
    expect(result.map((c) => [c.metric, c.verdict])).toEqual([
      ['http_req_duration', 'unchanged'],
      ['http_req_duration{name:login}', 'regressed'],
      ['http_req_duration{name:home}', 'unchanged'],
    ]);
    expect(summarizeComparisons(result)).toEqual({
      regressed: 1,
      improved: 0,
      unchanged: 2,
      inconclusive: 0,
      new: 0,
      missing: 0,
      regressions: 1,
    });
  });
});
