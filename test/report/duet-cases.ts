// Duet results as the reports get them: a hand-made duet (its looks and per-stat results, as
// decideLook returns them) mapped by the gate's own duetScenarioResult, so the reports under test
// read what the mapping really produces. Four cases: regressed at the first look, equivalent,
// inconclusive at max-duration, and an A/A check.
import type { GateResult, ScenarioResult } from '../../src/model.js';
import { DEFAULT_DUET_OPTIONS, type DuetLook, type DuetStatResult } from '../../src/verdict/duet/decision.js';
import type { DuetRunResult } from '../../src/verdict/duet/run.js';
import { duetScenarioResult } from '../../src/verdict/duet/scenario-result.js';
import { gateResult } from '../helpers/builders.js';

const P95 = 'http_req_duration:p(95)';
const AVG = 'http_req_duration:avg';
const FAILED = 'http_req_failed:rate';

/** One statistic at a look: by default an unchanged latency, 20 paired windows, the practical size as floor. */
function stat(over: Partial<DuetStatResult> & Pick<DuetStatResult, 'id' | 'verdict'>): DuetStatResult {
  const rate = over.id === FAILED;
  return {
    kind: rate ? 'difference' : 'log-ratio',
    windows: 20,
    change: rate ? 0 : 0.003,
    interval: rate ? [-0.0012, 0.0012] : [-0.008, 0.014],
    p: 0.52,
    level: 0.0147,
    blockLength: 4,
    df: 4,
    pooledA: rate ? 0.001 : 50,
    pooledB: rate ? 0.001 : 50.15,
    floor: rate ? { value: 0.0012, source: 'window noise' } : { value: 0.02, source: 'practical size' },
    mde: rate ? 0.0019 : 0.018,
    ...(over.verdict === 'equivalent' ? { note: rate ? 'equivalent within ±0.50 pp' : 'equivalent within ±2.0 %' } : {}),
    ...over,
  };
}

const k6Run = (side: 'A' | 'B', block: number, half: 1 | 2) => ({
  block,
  half,
  side,
  result: {
    exitCode: 0,
    signal: null,
    outcome: 'passed' as const,
    meaning: 'stopped as planned',
    timedOut: false,
    wallMs: 10_300,
    files: { summary: `/r/summary-checkout-duet-${block}${half}-${side}.json`, log: `/r/k6-checkout-duet-${block}${half}-${side}.log` },
  },
});

/** A duet that made `looks` (the last one deciding), 20 s of k6 per side per look. */
function duetOf(outcome: DuetRunResult['outcome'], looks: DuetLook[]): DuetRunResult {
  const runs = looks.flatMap((l) => [k6Run('A', l.look, 1), k6Run('B', l.look, 1), k6Run('B', l.look, 2), k6Run('A', l.look, 2)]);
  return {
    outcome,
    looks,
    reason: looks.at(-1)!.reason,
    k6Seconds: looks.length * 20,
    k6Runs: runs.length,
    runs,
    windows: { A: [], B: [] },
  };
}

function look(n: number, outcome: DuetLook['outcome'], reason: string, stats: DuetStatResult[]): DuetLook {
  return { look: n, fraction: n / 3, outcome, reason, stats };
}

function scenarioOf(duet: DuetRunResult, aa = false): ScenarioResult {
  return duetScenarioResult({
    scenario: { scenario: 'checkout', profile: 'smoke', key: 'checkout@smoke', outcome: 'passed', thresholds: [], metrics: [], files: {} },
    duet,
    rules: [],
    timeMetrics: new Set(['http_req_duration']),
    options: DEFAULT_DUET_OPTIONS,
    blockMs: 20_000,
    maxDurationMs: 60_000,
    thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<500', ok: true }],
    thresholdsCrossed: false,
    aa,
    files: { log: 'k6-checkout-duet-12-B.log', duetWindows: 'duet-windows-checkout@smoke' },
  });
}

function gateOf(scenario: ScenarioResult): GateResult {
  const regressions = scenario.metrics.filter((m) => m.verdict === 'regressed').length;
  return gateResult({
    generatedAt: '2026-12-02T15:00:00.000Z',
    tool: { name: 'k6-gate', version: '0.9.0' },
    target: 'http://127.0.0.1:8081',
    outcome: scenario.outcome,
    failed: scenario.outcome === 'regressed',
    regressions,
    inconclusive: scenario.outcome === 'inconclusive' ? 1 : 0,
    scenarios: [scenario],
  });
}

/** B 5.6 % slower on p(95), decided at the first look; avg and the error rate equivalent. */
export function duetRegressed(): GateResult {
  const reason = `B is worse than A on ${P95}`;
  const stats = [
    stat({ id: P95, verdict: 'regressed', change: 0.056, interval: [0.012, 0.101], p: 0.0012, pooledB: 52.8, mde: 0.031 }),
    stat({ id: AVG, verdict: 'equivalent' }),
    stat({ id: FAILED, verdict: 'equivalent' }),
  ];
  return gateOf(scenarioOf(duetOf('regressed', [look(1, 'regressed', reason, stats)])));
}

/** Equivalent at the second look: every interval inside its margin. */
export function duetEquivalent(): GateResult {
  const stats = [
    stat({ id: P95, verdict: 'equivalent', windows: 40 }),
    stat({ id: AVG, verdict: 'equivalent', windows: 40 }),
    stat({ id: FAILED, verdict: 'equivalent', windows: 40 }),
  ];
  const first = look(
    1,
    'continue',
    `not decided yet: ${P95}`,
    stats.map((s) => ({ ...s, verdict: 'undecided' as const, windows: 20 })),
  );
  const second = look(2, 'equivalent', 'B is equivalent to A within ±2.0 % on latencies and ±0.50 pp on the error rate', stats);
  return gateOf(scenarioOf(duetOf('equivalent', [first, second])));
}

/** max-duration reached: p(95)'s interval holds 0 and reaches past ±2 %; the window noise set its floor. */
export function duetInconclusive(): GateResult {
  const undecided = stat({
    id: P95,
    verdict: 'undecided',
    windows: 60,
    change: 0.013,
    interval: [-0.015, 0.042],
    p: 0.27,
    level: 0.0147,
    pooledB: 50.65,
    floor: { value: 0.029, source: 'window noise' },
    mde: 0.041,
    note: 'the interval reaches past ±2.0 % and holds 0',
  });
  const rest = [stat({ id: AVG, verdict: 'equivalent', windows: 60 }), stat({ id: FAILED, verdict: 'equivalent', windows: 60 })];
  const looks = [1, 2, 3].map((n) =>
    n < 3
      ? look(n, 'continue', `not decided yet: ${P95}`, [{ ...undecided, windows: n * 20 }, ...rest])
      : look(n, 'inconclusive', `max-duration reached without a decision on ${P95}`, [undecided, ...rest]),
  );
  return gateOf(scenarioOf(duetOf('inconclusive', looks)));
}

/** The base against itself: equivalent at the first look. */
export function duetAa(): GateResult {
  const stats = [
    stat({ id: P95, verdict: 'equivalent' }),
    stat({ id: AVG, verdict: 'equivalent' }),
    stat({ id: FAILED, verdict: 'equivalent' }),
  ];
  const reason = 'B is equivalent to A within ±2.0 % on latencies and ±0.50 pp on the error rate';
  const result = gateOf(scenarioOf(duetOf('equivalent', [look(1, 'equivalent', reason, stats)]), true));
  return result;
}
