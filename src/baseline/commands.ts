// Text for `k6-gate baseline show | diff`. Pure: the CLI reads the files and prints what these return.
import type { BaselineFile, BaselineStat } from './format.js';
import { formatChange, formatValue, type Unit } from '../format.js';
import { findChangePoints, MIN_RELATIVE_SHIFT, MIN_SEGMENT, STEP_PENALTY, trendSeries } from './trend.js';
import { compareCodeUnits } from '../json.js';

function unitOf(stat: BaselineStat): Unit {
  return stat.unit ?? 'none';
}

function pad(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

function sortedKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object).sort(compareCodeUnits);
}

function range(stat: BaselineStat): string {
  if (stat.history.length === 0) return '-';
  const values = stat.history.map((e) => e.value);
  const unit = unitOf(stat);
  return `${formatValue(Math.min(...values), unit)} .. ${formatValue(Math.max(...values), unit)}`;
}

/** One table per scenario: accepted value, history size and range, last run's date, k6 version and commit. */
export function renderBaselineShow(baseline: BaselineFile | undefined, source = 'baseline'): string {
  if (!baseline) return `${source}: no baseline yet (the first run with update-baseline writes it)\n`;
  const keys = sortedKeys(baseline.scenarios);
  if (keys.length === 0) return `${source}: baseline format v${baseline.version}, no scenarios yet\n`;
  const lines: string[] = [
    `${source}: baseline format v${baseline.version}, ${keys.length} scenario${keys.length === 1 ? '' : 's'}${baseline.updatedAt ? `, updated ${baseline.updatedAt}` : ''}`,
  ];
  for (const key of keys) {
    const scenario = baseline.scenarios[key];
    lines.push('', `${key}${scenario.updatedAt ? ` (updated ${scenario.updatedAt})` : ''}`);
    const rows: string[][] = [['  metric', 'stat', 'accepted', 'n', 'history range', 'last run']];
    for (const metric of sortedKeys(scenario.metrics)) {
      for (const statName of sortedKeys(scenario.metrics[metric])) {
        const stat = scenario.metrics[metric][statName];
        const last = stat.history.at(-1);
        const lastText = last
          ? [last.date, last.k6Version && `k6 ${last.k6Version}`, last.commit?.slice(0, 8)].filter(Boolean).join(' ')
          : '-';
        rows.push([`  ${metric}`, statName, formatValue(stat.accepted, unitOf(stat)), String(stat.history.length), range(stat), lastText]);
      }
    }
    if (rows.length === 1) lines.push('  (no metrics)');
    else lines.push(...pad(rows));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What changed from `before` to `after`: scenarios and stats added or removed, accepted values that
 * moved (with the relative change), and history growth. Empty differences say so in one line.
 */
export function diffBaselines(before: BaselineFile | undefined, after: BaselineFile | undefined): string {
  const a = before?.scenarios ?? {};
  const b = after?.scenarios ?? {};
  const lines: string[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (const key of keys) {
    if (!a[key]) {
      const count = Object.values(b[key].metrics).reduce((n, stats) => n + Object.keys(stats).length, 0);
      lines.push(`+ ${key}: new scenario with ${count} stat${count === 1 ? '' : 's'}`);
      continue;
    }
    if (!b[key]) {
      lines.push(`- ${key}: scenario removed`);
      continue;
    }
    const metrics = [...new Set([...Object.keys(a[key].metrics), ...Object.keys(b[key].metrics)])].sort();
    const scenarioLines: string[] = [];
    for (const metric of metrics) {
      const sa = a[key].metrics[metric] ?? {};
      const sb = b[key].metrics[metric] ?? {};
      for (const stat of [...new Set([...Object.keys(sa), ...Object.keys(sb)])].sort()) {
        const x = sa[stat];
        const y = sb[stat];
        const label = `${metric} ${stat}`;
        if (!x && y) scenarioLines.push(`  + ${label}: ${formatValue(y.accepted, unitOf(y))} (n=${y.history.length})`);
        else if (x && !y) scenarioLines.push(`  - ${label}: was ${formatValue(x.accepted, unitOf(x))} (n=${x.history.length})`);
        else if (x && y) {
          const unit = y.unit ?? x.unit ?? 'none';
          const moved = x.accepted !== y.accepted;
          const historyChanged = JSON.stringify(x.history) !== JSON.stringify(y.history);
          if (!moved && !historyChanged) continue;
          const change = moved ? (x.accepted !== 0 ? ` (${formatChange(y.accepted / x.accepted - 1)})` : '') : ' (accepted unchanged)';
          const value = moved ? `${formatValue(x.accepted, unit)} -> ${formatValue(y.accepted, unit)}` : formatValue(y.accepted, unit);
          scenarioLines.push(`  ~ ${label}: ${value}${change}, n=${x.history.length} -> ${y.history.length}`);
        }
      }
    }
    if (scenarioLines.length > 0) lines.push(`~ ${key}`, ...scenarioLines);
  }
  if (lines.length === 0) return 'baselines are the same\n';
  return `${lines.join('\n')}\n`;
}

/**
 * `baseline show --changes`: the change points of every stat in each scenario's trend
 * (src/baseline/trend.ts), naming the commit of the first run on the new level and the step.
 */
export function renderBaselineChanges(baseline: BaselineFile | undefined, source = 'baseline'): string {
  if (!baseline) return `${source}: no baseline yet (the first run with update-baseline writes it)\n`;
  const lines = [
    `${source}: change points in the trend (a level held by ≥ ${MIN_SEGMENT} runs on each side, penalty ${STEP_PENALTY} ln n per step, shift ≥ ${MIN_RELATIVE_SHIFT * 100}%)`,
  ];
  let withTrend = 0;
  for (const key of sortedKeys(baseline.scenarios)) {
    const scenario = baseline.scenarios[key];
    const trend = scenario.trend;
    if (!trend || trend.runs.length === 0) continue;
    withTrend++;
    const rows: string[][] = [];
    for (const stat of trend.stats) {
      const [metric, statName] = [stat.slice(0, stat.lastIndexOf(' ')), stat.slice(stat.lastIndexOf(' ') + 1)];
      const unit: Unit = scenario.metrics[metric]?.[statName]?.unit ?? 'none';
      const values = trendSeries(trend, stat).map((p) => p.value);
      for (const c of findChangePoints(trend, stat)) {
        rows.push([
          stat,
          `stepped ${formatChange(c.change)}`,
          `at ${c.commit ?? '(no commit)'} (${c.date}, run ${c.index + 1} of ${values.length})`,
          `${formatValue(c.before, unit)} → ${formatValue(c.after, unit)}`,
        ]);
      }
    }
    lines.push('', `${key} (${trend.runs.length} runs, ${trend.runs[0].date} .. ${trend.runs[trend.runs.length - 1].date})`);
    if (rows.length === 0) lines.push('  no change points');
    else lines.push(...pad(rows).map((row) => `  ${row}`));
  }
  if (withTrend === 0) lines.push('', 'no scenario has a trend yet (runs recorded with update-baseline add one row each)');
  return `${lines.join('\n')}\n`;
}
