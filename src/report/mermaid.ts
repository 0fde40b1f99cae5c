// Mermaid charts of baseline vs current for the key timing stats. GitHub renders ```mermaid blocks
// in comments and job summaries, so a reader sees the size of a regression without reading numbers.
// Pure: data in, text out.
import { isRegression } from '../baseline/compare.js';
import type { GateResult, MetricComparison, ScenarioResult } from '../model.js';
import { escapeProse } from './escape.js';
import { scenarioLabel } from './headline.js';

export interface ChartOptions {
  /** Most bars per chart; more become unreadable in a PR comment. */
  maxBars?: number;
}

const DEFAULT_MAX_BARS = 8;

/** Stats a reader cares about first; the others are charted only when there is room. */
const STAT_PRIORITY = ['p(95)', 'p(90)', 'med', 'avg', 'p(99)', 'max', 'min'];

function chartable(m: MetricComparison): m is MetricComparison & { baseline: number; current: number } {
  return m.unit === 'ms' && Number.isFinite(m.baseline) && Number.isFinite(m.current);
}

function statRank(stat: string): number {
  const index = STAT_PRIORITY.indexOf(stat);
  return index === -1 ? STAT_PRIORITY.length : index;
}

/** Picks the bars: regressed rows always make it in, then the most telling stats. */
export function selectChartRows(metrics: readonly MetricComparison[], maxBars = DEFAULT_MAX_BARS): MetricComparison[] {
  const candidates = metrics.filter(chartable);
  const ranked = [...candidates].sort((a, b) => {
    const regressedFirst = Number(isRegression(b)) - Number(isRegression(a));
    return regressedFirst !== 0 ? regressedFirst : statRank(a.stat) - statRank(b.stat);
  });
  const chosen = new Set(ranked.slice(0, Math.max(0, maxBars)));
  // Back to the report's own order so the chart reads like the table next to it.
  return candidates.filter((m) => chosen.has(m));
}

/**
 * A label as a Mermaid quoted string. Such a string cannot escape a double quote, a newline ends
 * the statement, `#name;` is read as an entity (`#lt;` is `<`) and a label may be rendered as HTML:
 * each of those characters becomes a look-alike, so a name from the script stays text.
 */
function quote(text: string): string {
  const safe = text
    .replace(/"/g, "'")
    .replace(/`/g, "'")
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/#/g, '♯')
    .replace(/</g, '‹')
    .replace(/>/g, '›');
  return `"${safe}"`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A round upper bound for the y axis, a little above the tallest value. */
function axisMax(values: readonly number[]): number {
  const top = Math.max(...values, 0) * 1.1;
  if (top <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(top));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * magnitude >= top) return step * magnitude;
  }
  return 10 * magnitude;
}

function label(m: MetricComparison): string {
  const marker = isRegression(m) ? ' ▲' : '';
  return `${m.metric} ${m.stat}${marker}`;
}

/**
 * One xychart for a scenario: bars are this run, the line is the baseline. Empty string when the
 * scenario has nothing to chart (no baseline yet, or no timing metrics).
 */
export function renderScenarioChart(scenario: ScenarioResult, options: ChartOptions = {}): string {
  const rows = selectChartRows(scenario.metrics, options.maxBars ?? DEFAULT_MAX_BARS);
  if (rows.length === 0) return '';
  const baseline = rows.map((m) => round(m.baseline as number));
  const current = rows.map((m) => round(m.current as number));
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title ${quote(`${scenarioLabel(scenario)}: this run (bars) vs baseline (line), ms`)}`,
    `    x-axis [${rows.map((m) => quote(label(m))).join(', ')}]`,
    `    y-axis "ms" 0 --> ${axisMax([...baseline, ...current])}`,
    `    bar [${current.join(', ')}]`,
    `    line [${baseline.join(', ')}]`,
    '```',
  ];
  return lines.join('\n');
}

/** Charts for every scenario that has something to chart, each under a small heading. */
export function renderBaselineCharts(result: GateResult, options: ChartOptions = {}): string {
  const parts: string[] = [];
  for (const scenario of result.scenarios) {
    const chart = renderScenarioChart(scenario, options);
    if (chart) parts.push(`#### ${escapeProse(scenarioLabel(scenario))}\n\n${chart}`);
  }
  if (parts.length === 0) return '';
  return `### Baseline vs this run\n\nBars are this run, the line is the baseline (milliseconds; ▲ marks a regression).\n\n${parts.join('\n\n')}`;
}
