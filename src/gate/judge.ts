// What a scenario's summary means against the baseline: every watched value compared (with this
// run's own sampling bands), the watch list's configuration problems, the report's trend lines, and
// the scenario's outcome by the one policy (verdict/outcome.ts). One k6 run and a merged sharded
// test are judged here alike.
import { compareToBaseline } from '../baseline/compare.js';
import type { BaselineFile } from '../baseline/format.js';
import type { Rules } from '../baseline/rules.js';
import { unknownWatchedMetrics, unknownWatchedStats } from '../baseline/watch-typos.js';
import type { RankedSamples } from '../baseline/sampling.js';
import { summaryTrendStats } from '../k6/summary.js';
import type { Outcome, RunSummary, ScenarioResult } from '../model.js';
import { reportTrend } from '../report/history.js';
import { scenarioOutcome } from '../verdict/outcome.js';
import { samplingBands } from '../verdict/samples.js';

export interface Judging {
  rules: Rules;
  baseline?: BaselineFile;
}

/**
 * Fills `scenario`'s thresholds and comparisons from `summary`; `trends` (the run's samples of the
 * watched metrics) give the sampling bands. Returns the configuration problems only the run reveals.
 */
export function compareSummary(
  scenario: ScenarioResult,
  summary: RunSummary,
  judging: Judging,
  trends: ReadonlyMap<string, RankedSamples> | undefined,
): string[] {
  const { rules, baseline } = judging;
  scenario.summary = summary;
  scenario.thresholds = summary.thresholds;
  const sampling = trends ? samplingBands(trends, rules.watch) : undefined;
  scenario.metrics = compareToBaseline({ key: scenario.key, summary, baseline, rules, sampling });
  return watchProblems(rules, summary, baseline);
}

/** The scenario's outcome: `error` with the problems joined, else the policy over what it measured. */
export function settleScenario(scenario: ScenarioResult, problems: readonly string[], judging: Judging, base: Outcome = 'passed'): void {
  if (problems.length > 0) {
    scenario.outcome = 'error';
    scenario.error = problems.join('; ');
  } else {
    scenario.outcome = scenarioOutcome(scenario, base);
  }
  scenario.trend = reportTrend(judging.baseline?.scenarios[scenario.key], scenario.metrics, judging.rules.historyLimit);
}

/** Config errors of the watch list that only the run can reveal (a metric or stat nobody has). */
function watchProblems(rules: Rules, summary: RunSummary, baseline: BaselineFile | undefined): string[] {
  const known = new Map<string, Set<string>>();
  const add = (metric: string, stats: Iterable<string>) => {
    const set = known.get(metric) ?? known.set(metric, new Set()).get(metric)!;
    for (const stat of stats) set.add(stat);
  };
  for (const [metric, m] of Object.entries(summary.metrics)) add(metric, Object.keys(m.values));
  for (const entry of Object.values(baseline?.scenarios ?? {}))
    for (const [metric, stats] of Object.entries(entry.metrics)) add(metric, Object.keys(stats));
  return [...unknownWatchedMetrics(rules, known.keys()), ...unknownWatchedStats(rules, known)].map((problem) => `config error: ${problem}`);
}

/** The trend stats k6 is asked for: its defaults and every percentile the rules watch. */
export function trendStatsFor(rules: Rules): string[] {
  return summaryTrendStats(rules.watch.map((rule) => rule.stat));
}
