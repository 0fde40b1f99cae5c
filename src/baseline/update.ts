// The baseline lifecycle: when a run may become part of the baseline, and how it is folded in.
import { readStat } from '../k6/summary.js';
import type { Outcome, RunSummary } from '../model.js';
import {
  BaselineError,
  baselineKey,
  type BaselineFile,
  type BaselineHistoryEntry,
  type BaselineScenario,
  type BaselineStat,
} from './format.js';
import { formatPercent } from '../format.js';
import { describeMetric, typeChangeWarning } from '../metric-kind.js';
import type { RecordLimits, Rules } from './rules.js';
import { median } from './stats.js';
import { appendTrend } from './trend.js';

export interface BaselineRun {
  /** baselineKey(scenario, profile, environment). */
  key: string;
  scenario: string;
  profile?: string;
  /** The named environment the run measured; part of the key. */
  environment?: string;
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
    throw new BaselineError(`run date ${JSON.stringify(date)} is not a date; expected ISO 8601 such as "2025-03-01T10:00:00Z"`);
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
 * The histories an update shortened below what they held before (a lowered history-limit), one line
 * per baseline key: a run that keeps the limit full drops one entry and is not worth a word.
 */
export function historyCuts(before: BaselineFile | undefined, after: BaselineFile, limit: number): string[] {
  const lines: string[] = [];
  for (const [key, scenario] of Object.entries(after.scenarios)) {
    let worst: { name: string; before: number; kept: number } | undefined;
    for (const [metric, stats] of Object.entries(scenario.metrics)) {
      for (const [stat, value] of Object.entries(stats)) {
        const held = before?.scenarios[key]?.metrics[metric]?.[stat]?.history.length ?? 0;
        const kept = value.history.length;
        if (kept < held && (!worst || held - kept > worst.before - worst.kept)) worst = { name: `${metric} ${stat}`, before: held, kept };
      }
    }
    if (worst) {
      lines.push(
        `history-limit ${limit} dropped ${worst.before + 1 - worst.kept} older run(s) from the history of ${key} (${worst.name}: ${worst.before} runs before this one, ${worst.kept} kept)`,
      );
    }
  }
  return lines;
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
    if (run.environment !== undefined) scenario.environment = run.environment;
    else delete scenario.environment;
    const date = compactDate(run.date);
    let touched = false;
    const trendValues: Record<string, number> = {};
    for (const rule of rules.watch) {
      const value = readStat(run.summary, rule.metric, rule.stat);
      if (value === undefined) continue;
      const metricSummary = run.summary.metrics[rule.metric];
      const stats = (scenario.metrics[rule.metric] ??= {});
      const stat: BaselineStat = stats[rule.stat] ?? { accepted: value, history: [] };
      // Type and unit are recorded so that a later legacy summary (no types) cannot change them.
      const described = describeMetric(rule.metric, rule.stat, metricSummary, stat);
      stat.type = described.type;
      stat.unit = described.unit;
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
  if (outcome === 'inconclusive') {
    return {
      update: true,
      reason: 'update-baseline is auto and this run is on the default branch; its inconclusive scenarios are left out',
    };
  }
  return { update: true, reason: 'update-baseline is auto and this passed run is on the default branch' };
}

/**
 * Why one scenario's run must not be recorded as the baseline; empty when it is sane. A run is sane
 * when k6 exited 0 (merged shards have no exit code), no threshold was crossed, failed requests and
 * checks are within the limits, and enough iterations completed.
 */
export function recordProblems(input: { summary: RunSummary; exitCode?: number; limits: RecordLimits }): string[] {
  const { summary, limits } = input;
  const problems: string[] = [];
  if (input.exitCode !== undefined && input.exitCode !== 0) problems.push(`k6 exited ${input.exitCode}, not 0`);
  const crossed = summary.thresholds.filter((t) => !t.ok);
  if (crossed.length > 0)
    problems.push(
      `${crossed.length} threshold${crossed.length === 1 ? '' : 's'} crossed (${crossed.map((t) => `${t.metric}: ${t.expression}`).join(', ')})`,
    );
  const failed = readStat(summary, 'http_req_failed', 'rate');
  if (failed !== undefined && failed > limits.maxFailedRate)
    problems.push(`http_req_failed is ${formatPercent(failed)}, above the ${formatPercent(limits.maxFailedRate)} limit`);
  const checks = readStat(summary, 'checks', 'rate');
  if (checks !== undefined && checks < limits.minChecksRate)
    problems.push(`checks passed ${formatPercent(checks)}, below the ${formatPercent(limits.minChecksRate)} limit`);
  const iterations = readStat(summary, 'iterations', 'count');
  if (iterations !== undefined && iterations < limits.minIterations)
    problems.push(`${iterations} iteration${iterations === 1 ? '' : 's'} completed, fewer than the ${limits.minIterations} needed`);
  else if (iterations === undefined && limits.minIterations > 0)
    problems.push('the summary has no iterations count (no iteration completed)');
  return problems;
}

/**
 * A warning for a run whose every request failed or whose every check failed: without a baseline
 * entry nothing flags it, so it would pass silently. Undefined for a healthy-looking run.
 */
export function brokenRunWarning(key: string, summary: RunSummary, hasBaseline: boolean): string | undefined {
  const failed = readStat(summary, 'http_req_failed', 'rate');
  const checks = readStat(summary, 'checks', 'rate');
  const what: string[] = [];
  if (failed !== undefined && failed >= 1) what.push('every request failed (http_req_failed = 100%)');
  if (checks !== undefined && checks <= 0) what.push('every check failed (checks = 0%)');
  if (what.length === 0) return undefined;
  return `${key}: ${what.join(' and ')}${hasBaseline ? '' : '; there is no baseline to compare with, so nothing else flags it'} — is the target up and the script right?`;
}

/**
 * The migration of a baseline written before keys named the environment (docs/adr/0002): every
 * history without an environment (`scenario@profile`) moves to `scenario@profile@<environment>`,
 * the environment its runs were measured against, which only the user knows. An entry that already
 * exists under the new key is an error rather than a silent merge of two histories.
 */
export function migrateToEnvironment(
  baseline: BaselineFile,
  environment: string,
  only?: readonly string[],
): { baseline: BaselineFile; moved: { from: string; to: string }[] } {
  if (environment.trim() === '')
    throw new BaselineError('environment is empty; expected the name of the environment the runs measured, e.g. staging');
  const out: BaselineFile = { ...baseline, scenarios: {} };
  const moved: { from: string; to: string }[] = [];
  for (const [key, scenario] of Object.entries(baseline.scenarios)) {
    if (scenario.environment !== undefined || (only && only.length > 0 && !only.includes(key))) {
      out.scenarios[key] ??= cloneScenario(scenario);
      continue;
    }
    const to = baselineKey({ ...scenario, environment });
    if (baseline.scenarios[to]) {
      throw new BaselineError(
        `${key} cannot move to ${to}: the baseline already has ${to}; expected to merge them by hand or migrate only other keys`,
      );
    }
    out.scenarios[to] = { ...cloneScenario(scenario), environment };
    moved.push({ from: key, to });
  }
  if (only) {
    const unknown = only.filter((key) => !baseline.scenarios[key]);
    if (unknown.length > 0)
      throw new BaselineError(
        `the baseline has no ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected one of ${Object.keys(baseline.scenarios).join(', ') || '(none)'}`,
      );
  }
  return { baseline: out, moved };
}

/**
 * Histories recorded before environments were part of the key that a run in `environment` could
 * have been compared with; they are not used for it (another environment may have recorded them).
 */
export function unmigratedKeysFor(baseline: BaselineFile | undefined, scenario: string, profile: string | undefined): string[] {
  const legacy = baselineKey({ scenario, profile });
  return baseline?.scenarios[legacy] && baseline.scenarios[legacy].environment === undefined ? [legacy] : [];
}

/**
 * Warnings about one scenario's run that the comparison itself does not give: every request or
 * check failed, or a watched metric's type/unit changed since the baseline recorded it.
 */
export function runWarnings(key: string, summary: RunSummary, baseline: BaselineFile | undefined, rules: Rules): string[] {
  const entry = baseline?.scenarios[key];
  const warnings: string[] = [];
  const broken = brokenRunWarning(key, summary, entry !== undefined);
  if (broken) warnings.push(broken);
  for (const rule of rules.watch) {
    const changed = typeChangeWarning(key, rule.metric, rule.stat, summary.metrics[rule.metric], entry?.metrics[rule.metric]?.[rule.stat]);
    if (changed) warnings.push(changed);
  }
  return warnings;
}

/** Why an inconclusive scenario's run is not recorded, in words (the one rule: never, whatever update-baseline says). */
export function inconclusiveRefusal(key: string, why: string): string {
  return `${key} is inconclusive (${why}): an inconclusive run is never recorded as the baseline, not even with update-baseline: force, because its numbers could not decide a verdict`;
}

/**
 * Which runs are recorded, given each one's recordProblems: sane runs always; the others only when
 * forced, each with a loud line; without force each refusal is a line saying why. A run whose
 * scenario is inconclusive (`inconclusive`: why) is never recorded, forced or not.
 */
export function runsToRecord(
  candidates: readonly { run: BaselineRun; problems: readonly string[]; inconclusive?: string }[],
  forced: boolean,
): { kept: BaselineRun[]; forcedLines: string[]; refusals: string[] } {
  const out = { kept: [] as BaselineRun[], forcedLines: [] as string[], refusals: [] as string[] };
  for (const { run, problems, inconclusive } of candidates) {
    // Not even `force` records it: its numbers could not decide a verdict, so they cannot be the reference of later ones.
    if (inconclusive !== undefined) out.refusals.push(inconclusiveRefusal(run.key, inconclusive));
    else if (problems.length === 0) out.kept.push(run);
    else if (forced) {
      out.kept.push(run);
      out.forcedLines.push(
        `FORCED: ${run.key} recorded in the baseline although it is not a sane run (${problems.join('; ')}); later runs are compared with it`,
      );
    } else {
      out.refusals.push(
        `${run.key} is not a sane run to compare with: ${problems.join('; ')} (the limits are \`record\` in the rules file; update-baseline: force records it anyway)`,
      );
    }
  }
  return out;
}
