// A duet's result as the scenario result users read: rows, outcome, the stop sentence, the record.
import { describe, expect, it } from 'vitest';
import type { MetricRule } from '../../../src/baseline/rules.js';
import type { ScenarioResult } from '../../../src/model.js';
import { DEFAULT_DUET_OPTIONS, type DuetLook, type DuetStatResult } from '../../../src/verdict/duet/decision.js';
import type { DuetRunResult } from '../../../src/verdict/duet/run.js';
import { duetScenarioResult, duetStatsOf, type DuetMapping } from '../../../src/verdict/duet/scenario-result.js';

function stat(over: Partial<DuetStatResult> & Pick<DuetStatResult, 'id' | 'verdict'>): DuetStatResult {
  const rate = over.id === 'http_req_failed:rate';
  return {
    kind: rate ? 'difference' : 'log-ratio',
    windows: 20,
    change: 0.004,
    interval: [-0.01, 0.018],
    p: 0.41,
    level: 0.0294,
    blockLength: 6,
    df: 2,
    pooledA: rate ? 0 : 50,
    pooledB: rate ? 0 : 50.2,
    floor: { value: rate ? 0 : 0.02, source: 'practical size' },
    mde: 0.031,
    ...over,
  };
}

function look(outcome: DuetLook['outcome'], reason: string, stats: DuetStatResult[], n = 1): DuetLook {
  return { look: n, fraction: n / 3, outcome, reason, stats };
}

const wall = (side: 'A' | 'B', block: number, half: 1 | 2) => ({
  block,
  half,
  side,
  result: {
    exitCode: 0,
    signal: null,
    outcome: 'passed' as const,
    meaning: 'stopped as planned',
    timedOut: false,
    wallMs: 10_000,
    files: { summary: `/r/summary-s-duet-${block}-${side}.json`, log: `/r/k6-s-duet-${block}-${side}.log` },
  },
});

function duetOf(outcome: DuetRunResult['outcome'], looks: DuetLook[], over: Partial<DuetRunResult> = {}): DuetRunResult {
  const runs = looks.flatMap((l) => [wall('A', l.look, 1), wall('B', l.look, 1), wall('B', l.look, 2), wall('A', l.look, 2)]);
  return {
    outcome,
    looks,
    reason: looks.at(-1)?.reason ?? '',
    k6Seconds: looks.length * 20,
    k6Runs: runs.length,
    runs,
    windows: { A: [], B: [] },
    ...over,
  };
}

const scenario: ScenarioResult = { scenario: 's', key: 's', outcome: 'passed', thresholds: [], metrics: [], files: {} };

function mapped(duet: DuetRunResult, over: Partial<DuetMapping> = {}) {
  return duetScenarioResult({
    scenario,
    duet,
    rules: [],
    timeMetrics: new Set(['http_req_duration']),
    options: DEFAULT_DUET_OPTIONS,
    blockMs: 20_000,
    maxDurationMs: 60_000,
    thresholds: [],
    thresholdsCrossed: false,
    aa: false,
    files: { log: 'k6-s-duet-1b-B.log' },
    ...over,
  });
}

describe('a duet as a scenario result', () => {
  it('regressed at the first look: the row says B vs A, the change, its interval and p; the note says when and why it stopped', () => {
    const reason = 'B is worse than A on http_req_duration:p(95)';
    const p95 = stat({
      id: 'http_req_duration:p(95)',
      verdict: 'regressed',
      change: 0.31,
      interval: [0.25, 0.37],
      p: 0.0001,
      pooledB: 65.5,
    });
    const r = mapped(duetOf('regressed', [look('regressed', reason, [p95, stat({ id: 'http_req_failed:rate', verdict: 'equivalent' })])]));
    expect(r.outcome).toBe('regressed');
    expect(r.verdictNote).toBe(`duet stopped at look 1 of 3 after 20 s of k6 per side: ${reason}`);
    expect(r.k6Runs).toBe(4);
    expect(r.k6WallMs).toBe(40_000);
    const row = r.metrics.find((m) => m.stat === 'p(95)')!;
    expect(row).toMatchObject({
      metric: 'http_req_duration',
      method: 'duet',
      verdict: 'regressed',
      baseline: 50,
      current: 65.5,
      change: 0.31,
      mde: 0.031,
      unit: 'ms',
    });
    expect(row.limitBy).toBe('tolerance');
    expect(row.note).toMatch(
      /^duet p\(95\): B 65\.5 ms vs A 50(\.0)? ms, \+31\.0% \(interval \+25\.0% … \+37\.0%\), p = 0\.0001 over 20 paired windows; regressed .*; floor ±2%, the practical size$/,
    );
    expect(r.duet).toMatchObject({
      outcome: 'regressed',
      stopReason: reason,
      k6SecondsPerSide: 20,
      blockSeconds: 20,
      maxSeconds: 60,
      minEffect: 0.02,
    });
    expect(r.duet!.looks).toEqual([{ look: 1, fraction: 1 / 3, outcome: 'regressed', reason }]);
    expect(r.duet!.stats[0]).toMatchObject({
      id: 'http_req_duration:p(95)',
      verdict: 'regressed',
      interval: [0.25, 0.37],
      p: 0.0001,
      floor: { source: 'practical size' },
    });
    expect(r.files.log).toBe('k6-s-duet-1b-B.log');
    expect(r.summary).toBeUndefined();
  });

  it('equivalent: passed, each row unchanged with the margin, and the floor of window noise named when it applied', () => {
    const eq = stat({
      id: 'http_req_duration:p(95)',
      verdict: 'equivalent',
      note: 'equivalent within ±2.0 %',
      floor: { value: 0.026, source: 'window noise' },
    });
    const r = mapped(duetOf('equivalent', [look('equivalent', 'B is equivalent to A within ±2.0 % on latencies', [eq])]));
    expect(r.outcome).toBe('passed');
    expect(r.metrics[0].verdict).toBe('unchanged');
    expect(r.metrics[0].note).toContain('equivalent within ±2.0 %');
    expect(r.metrics[0].note).toMatch(/floor ±2\.6% from the window noise/);
    expect(r.metrics[0].limitBy).toBe('noise floor');
  });

  it('inconclusive at max-duration: the outcome and the reason, the undecided rows inconclusive', () => {
    const reason = 'max-duration reached without a decision on http_req_duration:p(95)';
    const looks = [1, 2, 3].map((n) =>
      look(
        n < 3 ? 'continue' : 'inconclusive',
        n < 3 ? 'not decided yet' : reason,
        [stat({ id: 'http_req_duration:p(95)', verdict: 'undecided', note: 'the interval reaches past ±2.0 % and holds 0' })],
        n,
      ),
    );
    const r = mapped(duetOf('inconclusive', looks));
    expect(r.outcome).toBe('inconclusive');
    expect(r.inconclusive).toBe(reason);
    expect(r.metrics[0].verdict).toBe('inconclusive');
    expect(r.metrics[0].note).toContain('undecided: the interval reaches past ±2.0 % and holds 0');
    expect(r.verdictNote).toBe(`duet stopped at look 3 of 3 after 60 s of k6 per side: ${reason}`);
  });

  it('an error names the side, keeps what ran, and is never a verdict', () => {
    const error = 'k6 against B (target) ended after 2.1 s, before its half of 10 s was over: the script called test.abort()';
    const r = mapped(duetOf('error', [], { error, reason: error, side: 'B', runs: [wall('A', 1, 1), wall('B', 1, 1)], k6Seconds: 2 }));
    expect(r.outcome).toBe('error');
    expect(r.error).toBe(`duet: ${error}`);
    expect(r.metrics).toEqual([]);
    expect(r.duet).toMatchObject({ outcome: 'error', side: 'B' });
    expect(r.k6Runs).toBe(2);
  });

  it('k6 starved of CPU during the duet: an equivalent answer becomes inconclusive with the reason; a regression stays', () => {
    const starved = 'k6 waited 14 ms for a CPU each time it had work (limit 10 ms)';
    const eq = stat({ id: 'http_req_duration:p(95)', verdict: 'equivalent', note: 'equivalent within ±2.0 %' });
    const r = mapped(duetOf('equivalent', [look('equivalent', 'equivalent', [eq])], { untrustworthy: starved }));
    expect(r.outcome).toBe('inconclusive');
    expect(r.inconclusive).toBe(`the load generator was unhealthy: ${starved}`);
    const slow = stat({ id: 'http_req_duration:p(95)', verdict: 'regressed', change: 0.3, p: 0.0001 });
    const regressed = mapped(duetOf('regressed', [look('regressed', 'B is worse', [slow])], { untrustworthy: starved }));
    expect(regressed.outcome).toBe('regressed');
    expect(regressed.inconclusive).toBe(`the load generator was unhealthy: ${starved}`);
  });

  it('stopped before its first look by a starved k6: inconclusive with both reasons, no side named, said before the first look', () => {
    const starved = 'k6 waited 85 ms for a CPU each time it had work (limit 10 ms)';
    const why = "A (baseline-target) measured no requests in block 1 while the duet's k6 processes were starved of CPU: no decision";
    const r = mapped(duetOf('inconclusive', [], { reason: why, untrustworthy: starved, k6Seconds: 29.7 }));
    expect(r.outcome).toBe('inconclusive');
    expect(r.error).toBeUndefined();
    expect(r.inconclusive).toBe(`${why}; the load generator was unhealthy: ${starved}`);
    expect(r.verdictNote).toMatch(
      /^duet stopped before its first look after [\d.]+ s of k6 per side: A \(baseline-target\) measured no requests/,
    );
    expect(r.metrics).toEqual([]);
    expect(r.duet).toMatchObject({ outcome: 'inconclusive', looks: [] });
    expect(r.duet!.side).toBeUndefined();
  });

  it("B's crossed thresholds fail the scenario whatever the duet said", () => {
    const eq = stat({ id: 'http_req_duration:p(95)', verdict: 'equivalent', note: 'equivalent within ±2.0 %' });
    const thresholds = [{ metric: 'http_req_duration', expression: 'p(95)<10', ok: false }];
    const r = mapped(duetOf('equivalent', [look('equivalent', 'equivalent', [eq])]), { thresholds, thresholdsCrossed: true });
    expect(r.outcome).toBe('thresholds-failed');
    expect(r.thresholds).toEqual(thresholds);
  });

  it('an A/A run says what equivalent means there', () => {
    const eq = stat({ id: 'http_req_duration:p(95)', verdict: 'equivalent' });
    const r = mapped(duetOf('equivalent', [look('equivalent', 'B is equivalent to A within ±2.0 % on latencies', [eq])]), { aa: true });
    expect(r.verdictNote).toMatch(
      /^A\/A check: the duet of the base against itself; equivalent means the two sides' infrastructure is alike\. duet stopped at look 1 of 3/,
    );
    expect(r.duet!.aa).toBe(true);
  });

  it('a statistic where higher is better turns the verdict round', () => {
    const rules: MetricRule[] = [{ metric: 'iteration_duration', stat: 'avg', direction: 'higher-is-better' }];
    const s = stat({ id: 'iteration_duration:avg', verdict: 'regressed', change: 0.3, p: 0.001 });
    const r = mapped(duetOf('regressed', [look('regressed', 'B is worse', [s])]), { rules });
    expect(r.metrics[0].verdict).toBe('improved');
    expect(r.outcome).toBe('passed');
  });
});

describe('the watched statistics a duet compares', () => {
  it('trend statistics and the failed-request rate; counters, checks, gauges and submetrics are left out by name', () => {
    const watch: MetricRule[] = [
      { metric: 'http_req_duration', stat: 'p(95)' },
      { metric: 'http_req_duration', stat: 'med' },
      { metric: 'iteration_duration', stat: 'p(99.9)' },
      { metric: 'http_req_failed', stat: 'rate' },
      { metric: 'http_reqs', stat: 'rate' },
      { metric: 'checks', stat: 'rate' },
      { metric: 'data_received', stat: 'count' },
      { metric: 'vus', stat: 'max' },
      { metric: 'http_req_duration{name:login}', stat: 'p(95)' },
    ];
    const { stats, left } = duetStatsOf(watch);
    expect(stats.map((s) => `${s.metric}:${s.stat}`)).toEqual([
      'http_req_duration:p(95)',
      'http_req_duration:med',
      'iteration_duration:p(99.9)',
      'http_req_failed:rate',
    ]);
    expect(left).toEqual(['http_reqs:rate', 'checks:rate', 'data_received:count', 'vus:max', 'http_req_duration{name:login}:p(95)']);
  });
});
