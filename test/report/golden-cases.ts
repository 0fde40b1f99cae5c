// The runs behind the golden reports (test/report/golden/*.md): a passed, a regressed, an A/B, an
// error and a cancelled run. The numbers are not hand-written: each case starts from a real k6
// summary export (test/data/summaries/k6-v2.2.0-legacy-passed.json), scales it the way a slower
// target would, and goes through the gate's own comparison (compareToBaseline), A/B decision
// (runAB) and report trend (reportTrend), so the goldens show what a user would see.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareToBaseline } from '../../src/baseline/compare.js';
import type { BaselineFile } from '../../src/baseline/format.js';
import { DEFAULT_RULES } from '../../src/baseline/rules.js';
import { parseSummary } from '../../src/k6/summary.js';
import type { Logger } from '../../src/log.js';
import type { GateResult, RunSummary, ScenarioResult } from '../../src/model.js';
import { reportTrend } from '../../src/report/history.js';
import { runAB } from '../../src/verdict/ab.js';
import { noiseFloorFor } from '../../src/baseline/compare.js';
import { gateResult } from '../helpers/builders.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const recorded = parseSummary(
  readFileSync(path.join(here, '../data/summaries/k6-v2.2.0-legacy-passed.json'), 'utf8'),
  'k6-v2.2.0-legacy-passed.json',
);

const KEY = 'checkout@smoke@staging';
const RULES = DEFAULT_RULES;

/** The recorded summary with every time stat of `metrics` multiplied by `factor`. */
function slower(summary: RunSummary, factor: number, metrics = ['http_req_duration', 'iteration_duration']): RunSummary {
  const out: RunSummary = structuredClone(summary);
  for (const name of metrics) {
    const m = out.metrics[name];
    for (const stat of Object.keys(m.values)) m.values[stat] *= factor;
  }
  return out;
}

/** A deterministic wobble of ±`spread` around 1 for run `i` (no randomness in a golden file). */
function wobble(i: number, spread: number): number {
  return 1 + spread * Math.sin(i * 2.1 + 0.4);
}

/** A baseline whose watched stats have `runs` accepted runs around the recorded values. */
function baselineFor(runs: number): BaselineFile {
  const metrics: BaselineFile['scenarios'][string]['metrics'] = {};
  for (const rule of RULES.watch) {
    const value = recorded.metrics[rule.metric]?.values[rule.stat];
    if (value === undefined) continue;
    // Latencies wobble by ±4 %, iteration times by ±15 %: their limits are set by different rules.
    const spread = rule.metric === 'iteration_duration' ? 0.15 : rule.stat === 'rate' ? 0.002 : 0.04;
    const history = Array.from({ length: runs }, (_, i) => ({
      value: rule.metric === 'checks' || rule.metric === 'http_req_failed' ? value : value * wobble(i, spread),
      date: `2026-11-${String(10 + i).padStart(2, '0')}T08:00:00Z`,
    }));
    const sorted = history.map((h) => h.value).sort((a, b) => a - b);
    (metrics[rule.metric] ??= {})[rule.stat] = { accepted: sorted[Math.floor(sorted.length / 2)], history };
  }
  return { version: 1, scenarios: { [KEY]: { scenario: 'checkout', profile: 'smoke', environment: 'staging', metrics } } };
}

const BASELINE = baselineFor(9);

function scenarioFrom(summary: RunSummary, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  const metrics = compareToBaseline({ key: KEY, summary, baseline: BASELINE, rules: RULES });
  const thresholds = summary.thresholds;
  const crossed = thresholds.some((t) => !t.ok);
  const regressed = metrics.some((m) => m.verdict === 'regressed' || (m.verdict === 'missing' && m.severity === 'error'));
  return {
    scenario: 'checkout',
    profile: 'smoke',
    key: KEY,
    exitCode: crossed ? 99 : 0,
    exitMeaning: crossed ? "the script's thresholds were crossed" : 'the test finished',
    outcome: crossed ? 'thresholds-failed' : regressed ? 'regressed' : 'passed',
    summary,
    thresholds,
    metrics,
    files: { summary: 'summary-checkout.json', log: 'k6-checkout.log' },
    k6WallMs: 3_140,
    trend: reportTrend(BASELINE.scenarios[KEY], metrics, RULES.historyLimit),
    ...extra,
  };
}

function result(scenarios: ScenarioResult[], over: Partial<GateResult> = {}): GateResult {
  const regressions = scenarios.flatMap((s) => s.metrics).filter((m) => m.verdict === 'regressed').length;
  const thresholdsFailed = scenarios.flatMap((s) => s.thresholds).filter((t) => !t.ok).length;
  const outcome = scenarios.some((s) => s.outcome === 'error')
    ? 'error'
    : scenarios.some((s) => s.outcome === 'thresholds-failed')
      ? 'thresholds-failed'
      : scenarios.some((s) => s.outcome === 'regressed')
        ? 'regressed'
        : 'passed';
  return gateResult({
    generatedAt: '2026-11-30T09:15:00.000Z',
    tool: { name: 'k6-gate', version: '0.9.0' },
    target: 'https://staging.shop.example',
    environment: 'staging',
    baselinePath: '.k6-gate/baseline.json',
    outcome,
    failed: outcome !== 'passed',
    regressions,
    thresholdsFailed,
    scenarios,
    ...over,
  });
}

export function passedRun(): GateResult {
  return result([scenarioFrom(recorded)]);
}

export function regressedRun(): GateResult {
  return result([scenarioFrom(slower(recorded, 1.9))]);
}

const quiet: Logger = {
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  group: (_title, fn) => fn(),
  addSecret: () => undefined,
};

/** Six ABBA pairs: B (the change) about 25 % slower than A (the base version) in every pair. */
export async function abRun(): Promise<GateResult> {
  const scenario = await runAB(
    async (side, pair) => {
      const noise = wobble(pair, 0.03) * (side === 'A' ? 1 : wobble(pair + 7, 0.02));
      return scenarioFrom(slower(recorded, (side === 'B' ? 1.25 : 1) * noise), { k6WallMs: 3_000 + pair * 10 });
    },
    (row) => noiseFloorFor({ metric: row.metric, stat: row.stat, origin: 'default' }, row.unit, RULES),
    quiet,
  );
  return result([scenario]);
}

export function errorRun(): GateResult {
  const scenario: ScenarioResult = {
    scenario: 'checkout',
    profile: 'smoke',
    key: KEY,
    exitCode: 107,
    exitMeaning: 'the script threw an exception',
    outcome: 'error',
    error: 'k6 exit 107: the script threw an exception',
    exception:
      "TypeError: Cannot read property 'token' of undefined\n\tat login (file:///work/scenarios/checkout.js:18:22(41))\n\tat default (file:///work/scenarios/checkout.js:31:9(12))",
    thresholds: [],
    metrics: [],
    files: { log: 'k6-checkout.log' },
    k6WallMs: 412,
  };
  return result([scenario]);
}

export function cancelledRun(): GateResult {
  const partial = scenarioFrom(recorded, {
    exitCode: 105,
    exitMeaning: 'the test was aborted from outside (SIGINT)',
    outcome: 'error',
    error: 'k6 was stopped because k6-gate received SIGTERM (the test was aborted from outside (SIGINT))',
  });
  return result([partial], {
    cancelled: 'SIGTERM',
    warnings: ['the run was cancelled (k6-gate received SIGTERM): the numbers are partial', 'baseline not updated: the run was cancelled'],
  });
}
