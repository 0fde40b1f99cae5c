// The baseline lifecycle: when a run may become part of the baseline, and how it is folded in.
import { readStat } from '../k6/summary.js';
import type { Outcome, RunSummary } from '../model.js';
import type { BaselineFile, BaselineHistoryEntry, BaselineScenario, BaselineStat } from './format.js';
import { describeMetric } from './metrics.js';
import type { Rules } from './rules.js';
import { median } from './stats.js';
import { appendTrend } from './trend.js';

export interface BaselineRun {
  /** `scenario` or `scenario@profile`. */
  key: string;
  scenario: string;
  profile?: string;
  summary: RunSummary;
  k6Version: string;
  commit?: string;
  ref?: string;
  /** ISO 8601 time of the run. */
  date: string;
  /** The run's per-endpoint table (live analysis): kept as the scenario's `endpoints` entry. */
  endpoints?: { endpoint: string; p95: number; requests: number; failureRate: number }[];
  /** The run's executor model (`k6 inspect`), kept to warn when a later run uses another. */
  executorModel?: 'open' | 'closed' | 'mixed';
}

/** Six significant digits: far below run-to-run noise, and keeps one history entry on one line. */
export function roundValue(value: number): number {
  return Number(value.toPrecision(6));
}

/** Whole seconds in UTC: `2025-03-01T10:00:00Z`. */
function compactDate(date: string): string {
  const time = Date.parse(date);
  if (Number.isNaN(time))
    throw new RangeError(`run date ${JSON.stringify(date)} is not a date; expected ISO 8601 such as "2025-03-01T10:00:00Z"`);
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The entry kept for one run. Commit and ref are shortened (12 hex digits identify a commit in any
 * real repository; `refs/heads/` says nothing) so that an entry stays on one line of the file.
 */
function historyEntry(value: number, run: BaselineRun): BaselineHistoryEntry {
  const entry: BaselineHistoryEntry = { value: roundValue(value), date: compactDate(run.date), k6Version: run.k6Version };
  if (run.commit !== undefined && run.commit !== '')
    entry.commit = /^[0-9a-f]{13,}$/i.test(run.commit) ? run.commit.slice(0, 12) : run.commit;
  if (run.ref !== undefined && run.ref !== '') entry.ref = run.ref.replace(/^refs\/heads\//, '');
  return entry;
}

function cloneStat(stat: BaselineStat): BaselineStat {
  return { ...stat, history: stat.history.map((entry) => ({ ...entry })) };
}

function cloneScenario(scenario: BaselineScenario): BaselineScenario {
  // endpoints and trend are replaced, never changed in place, by updateBaseline.
  const metrics: BaselineScenario['metrics'] = {};
  for (const [metric, stats] of Object.entries(scenario.metrics)) {
    metrics[metric] = {};
    for (const [stat, value] of Object.entries(stats)) metrics[metric][stat] = cloneStat(value);
  }
  return { ...scenario, metrics };
}

/**
 * Appends each run's watched values to the history of its scenario, keeps the last
 * `rules.historyLimit` entries and sets `accepted` to the median of what is kept (one odd run
 * cannot move the baseline; a lasting change moves it once it is most of the window).
 * Watched metrics a run lacks keep their entries: a run that lost a metric does not erase it.
 * The input is not modified.
 */
export function updateBaseline(baseline: BaselineFile | undefined, runs: BaselineRun[], rules: Rules): BaselineFile {
  const out: BaselineFile = { version: 1, scenarios: {} };
  if (baseline?.$schema !== undefined) out.$schema = baseline.$schema;
  for (const [key, scenario] of Object.entries(baseline?.scenarios ?? {})) out.scenarios[key] = cloneScenario(scenario);
  let latest = baseline?.updatedAt;
  for (const run of runs) {
    const scenario: BaselineScenario = out.scenarios[run.key] ?? { scenario: run.scenario, metrics: {} };
    scenario.scenario = run.scenario;
    if (run.profile !== undefined) scenario.profile = run.profile;
    else delete scenario.profile;
    const date = compactDate(run.date);
    let touched = false;
    const trendValues: Record<string, number> = {};
    for (const rule of rules.watch) {
      const value = readStat(run.summary, rule.metric, rule.stat);
      if (value === undefined) continue;
      const metricSummary = run.summary.metrics[rule.metric];
      const stats = (scenario.metrics[rule.metric] ??= {});
      const stat: BaselineStat = stats[rule.stat] ?? { accepted: value, history: [] };
      stat.unit = describeMetric(rule.metric, rule.stat, metricSummary, stat.unit).unit;
      stat.history.push(historyEntry(value, run));
      stat.history = stat.history.slice(-rules.historyLimit);
      stat.accepted = median(stat.history.map((entry) => entry.value));
      stats[rule.stat] = stat;
      trendValues[`${rule.metric} ${rule.stat}`] = roundValue(value);
      touched = true;
    }
    if (touched) {
      const entry = historyEntry(0, run);
      scenario.trend = appendTrend(scenario.trend, trendValues, { date: entry.date, commit: entry.commit });
      if (run.executorModel !== undefined) scenario.executorModel = run.executorModel;
      if (run.endpoints !== undefined && run.endpoints.length > 0) {
        scenario.endpoints = Object.fromEntries(
          run.endpoints
            .filter((e) => Number.isFinite(e.p95))
            .map((e) => [e.endpoint, { p95: roundValue(e.p95), requests: e.requests, failureRate: roundValue(e.failureRate) }]),
        );
      }
      scenario.updatedAt = date;
      if (latest === undefined || Date.parse(date) > Date.parse(latest)) latest = date;
      out.scenarios[run.key] = scenario;
    }
  }
  if (latest !== undefined) out.updatedAt = latest;
  return out;
}

export type UpdateMode = 'never' | 'auto' | 'always' | 'force';

/**
 * Whether this run may update the baseline:
 * - `never`: no;
 * - `auto`: only a passed run on the default branch (a regression is accepted explicitly, with
 *   `always` or `force`, so that a slowdown merged by mistake keeps failing until someone decides);
 * - `always`: a passed or regressed run on any ref;
 * - `force`: any run, even one that crossed thresholds or errored (if it produced a summary).
 */
export function shouldUpdateBaseline(input: { mode: UpdateMode; outcome: Outcome; isDefaultBranch?: boolean }): {
  update: boolean;
  reason: string;
} {
  const { mode, outcome } = input;
  if (mode === 'never') return { update: false, reason: 'update-baseline is off' };
  if (mode === 'force') return { update: true, reason: `update-baseline is force: the ${outcome} run is recorded as it is` };
  if (outcome === 'error')
    return { update: false, reason: 'the run errored; a broken run never becomes the baseline (use update-baseline: force to override)' };
  if (outcome === 'thresholds-failed') {
    return {
      update: false,
      reason: "the run crossed the script's thresholds; it does not become the baseline (use update-baseline: force to override)",
    };
  }
  if (mode === 'always') return { update: true, reason: `update-baseline is always: the ${outcome} run is recorded` };
  if (input.isDefaultBranch !== true) {
    return {
      update: false,
      reason:
        input.isDefaultBranch === false
          ? 'update-baseline is auto and this is not the default branch'
          : 'update-baseline is auto and the default branch is not known here',
    };
  }
  if (outcome === 'regressed') {
    return {
      update: false,
      reason: 'the run regressed; auto does not accept regressions (accept it with update-baseline: always or force)',
    };
  }
  return { update: true, reason: 'update-baseline is auto and this passed run is on the default branch' };
}
