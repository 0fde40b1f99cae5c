import { describe, expect, it } from 'vitest';
import { compareToBaseline } from '../../src/baseline/compare.js';
import { parseBaseline, serializeBaseline } from '../../src/baseline/format.js';
import { DEFAULT_RECORD_LIMITS, DEFAULT_RULES } from '../../src/baseline/rules.js';
import {
  brokenRunWarning,
  migrateToEnvironment,
  recordProblems,
  shouldUpdateBaseline,
  updateBaseline,
  type BaselineRun,
} from '../../src/baseline/update.js';
import type { RunSummary } from '../../src/model.js';
import { counter, rate, rulesWith, summaryOf, trend } from './fixtures.js';

function run(day: number, p95: number, extra: Partial<BaselineRun> = {}): BaselineRun {
  return {
    key: 'smoke',
    scenario: 'smoke',
    summary: summaryOf({
      http_req_duration: trend({ 'p(95)': p95, 'p(99)': p95 * 1.5 }),
      http_req_failed: rate(0),
      http_reqs: counter(600, 20),
    }),
    k6Version: '2.2.0',
    commit: `commit${day}`,
    ref: 'refs/heads/main',
    date: `2025-02-${String(day).padStart(2, '0')}T08:00:00Z`,
    ...extra,
  };
}

describe('updateBaseline', () => {
  it('creates a baseline from the first run with the watched stats it has', async () => {
    const b = updateBaseline(undefined, [run(1, 100)], DEFAULT_RULES);
    const smoke = b.scenarios.smoke;
    expect(Object.keys(smoke.metrics).sort()).toEqual(['http_req_duration', 'http_req_failed', 'http_reqs']);
    expect(smoke.metrics.http_req_duration['p(95)']).toEqual({
      accepted: 100,
      type: 'trend',
      unit: 'ms',
      history: [{ value: 100, date: '2025-02-01T08:00:00Z', k6Version: '2.2.0', commit: 'commit1', ref: 'main' }],
    });
    expect(smoke.metrics.http_req_failed.rate.unit).toBe('ratio');
    expect(smoke.metrics.http_reqs.rate).toMatchObject({ accepted: 20, unit: 'per-second' });
    expect(smoke.updatedAt).toBe('2025-02-01T08:00:00Z');
    expect(b.updatedAt).toBe('2025-02-01T08:00:00Z');
    // What it writes, it can read back.
    expect(await parseBaseline(serializeBaseline(b), 'b')).toEqual(b);
  });

  it('keeps each history entry short enough for one line: short commit and ref, whole seconds, 6 digits', () => {
    const b = updateBaseline(
      undefined,
      [
        run(1, 61.234567891, {
          commit: '0123456789abcdef0123456789abcdef01234567',
          ref: 'refs/heads/release/2.x',
          date: '2025-02-01T09:00:00.987+01:00',
        }),
      ],
      DEFAULT_RULES,
    );
    expect(b.scenarios.smoke.metrics.http_req_duration['p(95)'].history).toEqual([
      { value: 61.2346, date: '2025-02-01T08:00:00Z', k6Version: '2.2.0', commit: '0123456789ab', ref: 'release/2.x' },
    ]);
    const line = serializeBaseline(b)
      .split('\n')
      .find((l) => l.includes('61.2346'))!;
    expect(line.length).toBeLessThanOrEqual(140);
  });

  it('rejects a run date that is not a date', () => {
    expect(() => updateBaseline(undefined, [run(1, 1, { date: 'yesterday' })], DEFAULT_RULES)).toThrow(
      'run date "yesterday" is not a date',
    );
  });

  it('keeps the last historyLimit runs and accepts their median', () => {
    const rules = { ...DEFAULT_RULES, historyLimit: 3 };
    let b = updateBaseline(undefined, [run(1, 100)], rules);
    for (const [day, p95] of [
      [2, 300],
      [3, 110],
      [4, 120],
      [5, 90],
    ] as const) {
      b = updateBaseline(b, [run(day, p95)], rules);
    }
    const stat = b.scenarios.smoke.metrics.http_req_duration['p(95)'];
    expect(stat.history.map((e) => e.value)).toEqual([110, 120, 90]);
    expect(stat.history.map((e) => e.commit)).toEqual(['commit3', 'commit4', 'commit5']);
    expect(stat.accepted).toBe(110);
  });

  it('takes the mean of the middle two for an even window, so one outlier does not move it far', () => {
    const b = updateBaseline(undefined, [run(1, 100), run(2, 104), run(3, 500), run(4, 102)], DEFAULT_RULES);
    expect(b.scenarios.smoke.metrics.http_req_duration['p(95)'].accepted).toBe(103);
  });

  it('does not modify the baseline it was given', () => {
    const before = updateBaseline(undefined, [run(1, 100)], DEFAULT_RULES);
    const text = serializeBaseline(before);
    updateBaseline(before, [run(2, 200)], DEFAULT_RULES);
    expect(serializeBaseline(before)).toBe(text);
  });

  it('keeps entries of metrics a run lacks, and other scenarios untouched', () => {
    const start = updateBaseline(
      undefined,
      [run(1, 100), { ...run(1, 50), key: 'api@load', scenario: 'api', profile: 'load' }],
      DEFAULT_RULES,
    );
    const lossy: BaselineRun = { ...run(2, 120), summary: summaryOf({ http_req_duration: trend({ 'p(95)': 120 }) }) };
    const b = updateBaseline(start, [lossy], DEFAULT_RULES);
    expect(b.scenarios.smoke.metrics.http_reqs.rate.history).toHaveLength(1);
    expect(b.scenarios.smoke.metrics.http_req_duration['p(95)'].history).toHaveLength(2);
    expect(b.scenarios['api@load']).toEqual(start.scenarios['api@load']);
    expect(b.scenarios['api@load'].profile).toBe('load');
  });

  it('records submetrics and custom trends that the rules watch', () => {
    const rules = rulesWith(['http_req_duration{name:login}:p(95)', 'login_time:avg']);
    const summary = summaryOf({
      'http_req_duration{name:login}': trend({ 'p(95)': 40 }),
      login_time: { type: 'trend', contains: 'default', values: { avg: 7 } },
    });
    const b = updateBaseline(undefined, [{ ...run(1, 1), summary }], rules);
    expect(b.scenarios.smoke.metrics['http_req_duration{name:login}']['p(95)']).toMatchObject({ accepted: 40, unit: 'ms' });
    expect(b.scenarios.smoke.metrics.login_time.avg).toMatchObject({ accepted: 7, unit: 'none' });
  });

  it('skips NaN values instead of writing null into the file', () => {
    const summary = summaryOf({ http_req_duration: trend({ 'p(95)': Number.NaN, 'p(99)': 12 }) });
    const b = updateBaseline(undefined, [{ ...run(1, 1), summary }], DEFAULT_RULES);
    expect(Object.keys(b.scenarios.smoke.metrics.http_req_duration)).toEqual(['p(99)']);
  });

  it('builds a history that switches the comparison to the prediction interval after minHistory runs', () => {
    let b = updateBaseline(undefined, [], DEFAULT_RULES);
    const methods: string[] = [];
    for (let day = 1; day <= 6; day++) {
      const current = run(day, 100 + (day % 3));
      const [p95] = compareToBaseline({ key: 'smoke', summary: current.summary, baseline: b, rules: DEFAULT_RULES });
      methods.push(p95.method);
      b = updateBaseline(b, [current], DEFAULT_RULES);
    }
    expect(methods).toEqual(['none', 'tolerance', 'tolerance', 'tolerance', 'tolerance', 'prediction-interval']);
  });
});

describe('shouldUpdateBaseline', () => {
  it.each([
    ['never', 'passed', true, false, 'update-baseline is off'],
    ['auto', 'passed', true, true, 'default branch'],
    ['auto', 'passed', false, false, 'not the default branch'],
    ['auto', 'passed', undefined, false, 'default branch is not known'],
    ['auto', 'regressed', true, false, 'auto does not accept regressions'],
    ['auto', 'thresholds-failed', true, false, "crossed the script's thresholds"],
    ['auto', 'error', true, false, 'the run errored'],
    ['always', 'passed', false, true, 'always'],
    ['always', 'regressed', false, true, 'regressed run is recorded'],
    ['always', 'thresholds-failed', true, false, 'force to override'],
    ['always', 'error', true, false, 'force to override'],
    ['force', 'thresholds-failed', false, true, 'force'],
    ['force', 'error', undefined, true, 'force'],
  ] as const)('%s + %s (default branch: %s) → %s', (mode, outcome, isDefaultBranch, update, reason) => {
    const decision = shouldUpdateBaseline({ mode, outcome, isDefaultBranch });
    expect(decision.update).toBe(update);
    expect(decision.reason).toContain(reason);
  });
});

describe('recordProblems / brokenRunWarning: what may become the baseline', () => {
  const summary = (values: { failed?: number; checks?: number; iterations?: number; crossed?: boolean }): RunSummary => ({
    format: 'legacy',
    thresholds: values.crossed ? [{ metric: 'http_req_duration', expression: 'p(95)<100', ok: false }] : [],
    checks: [],
    metrics: {
      ...(values.failed === undefined
        ? {}
        : { http_req_failed: { name: 'http_req_failed', type: 'rate', contains: 'default', values: { rate: values.failed } } }),
      ...(values.checks === undefined
        ? {}
        : { checks: { name: 'checks', type: 'rate', contains: 'default', values: { rate: values.checks } } }),
      ...(values.iterations === undefined
        ? {}
        : { iterations: { name: 'iterations', type: 'counter', contains: 'default', values: { count: values.iterations, rate: 1 } } }),
    },
  });

  it('a healthy run has no problems; each broken rule is named with its limit', () => {
    expect(
      recordProblems({ summary: summary({ failed: 0.01, checks: 1, iterations: 30 }), exitCode: 0, limits: DEFAULT_RECORD_LIMITS }),
    ).toEqual([]);
    expect(
      recordProblems({
        summary: summary({ failed: 0.5, checks: 0.2, iterations: 3, crossed: true }),
        exitCode: 99,
        limits: { ...DEFAULT_RECORD_LIMITS, minIterations: 10 },
      }),
    ).toEqual([
      'k6 exited 99, not 0',
      '1 threshold crossed (http_req_duration: p(95)<100)',
      'http_req_failed is 50%, above the 10% limit',
      'checks passed 20%, below the 90% limit',
      '3 iterations completed, fewer than the 10 needed',
    ]);
    expect(recordProblems({ summary: summary({}), limits: DEFAULT_RECORD_LIMITS })).toEqual([
      'the summary has no iterations count (no iteration completed)',
    ]);
  });

  it('warns about a run whose every request or check failed, even without a baseline', () => {
    expect(brokenRunWarning('probe', summary({ failed: 1, checks: 0.5 }), false)).toBe(
      'probe: every request failed (http_req_failed = 100%); there is no baseline to compare with, so nothing else flags it — is the target up and the script right?',
    );
    expect(brokenRunWarning('probe', summary({ failed: 0.2, checks: 0 }), true)).toBe(
      'probe: every check failed (checks = 0%) — is the target up and the script right?',
    );
    expect(brokenRunWarning('probe', summary({ failed: 0.99, checks: 0.01 }), false)).toBeUndefined();
  });
});

describe('migrateToEnvironment', () => {
  const b = updateBaseline(undefined, [run(1, 100), { ...run(2, 120), key: 'smoke@load', profile: 'load' }], DEFAULT_RULES);

  it('moves every history without an environment to scenario@profile@environment', async () => {
    const { baseline, moved } = migrateToEnvironment(b, 'staging');
    expect(moved).toEqual([
      { from: 'smoke', to: 'smoke@@staging' },
      { from: 'smoke@load', to: 'smoke@load@staging' },
    ]);
    expect(Object.keys(baseline.scenarios).sort()).toEqual(['smoke@@staging', 'smoke@load@staging']);
    expect(await parseBaseline(serializeBaseline(baseline), 'b')).toEqual(baseline);
    // Already migrated entries stay; a second migration moves nothing.
    expect(migrateToEnvironment(baseline, 'production').moved).toEqual([]);
  });

  it('refuses to overwrite an existing history, an unknown key and a bad environment name', () => {
    const only = migrateToEnvironment(b, 'staging', ['smoke']).baseline;
    expect(Object.keys(only.scenarios).sort()).toEqual(['smoke@@staging', 'smoke@load']);
    const clash = { ...b, scenarios: { ...b.scenarios, 'smoke@@staging': { ...b.scenarios.smoke, environment: 'staging' } } };
    expect(() => migrateToEnvironment(clash, 'staging', ['smoke'])).toThrow(
      'smoke cannot move to smoke@@staging: the baseline already has smoke@@staging; expected to merge them by hand or migrate only other keys',
    );
    expect(() => migrateToEnvironment(b, 'staging', ['nope'])).toThrow('the baseline has no "nope"; expected one of smoke, smoke@load');
    expect(() => migrateToEnvironment(b, ' ')).toThrow('environment is empty; expected the name of the environment the runs measured');
    expect(Object.keys(migrateToEnvironment(b, 'pre prod').baseline.scenarios)).toContain('smoke@@pre-prod');
  });
});
