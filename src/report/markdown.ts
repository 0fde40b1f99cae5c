// The regression report as Markdown: used for report.md, the job summary, PR comments and MR notes.
// Pure: takes a GateResult, returns text.
import { markdownTable } from 'markdown-table';
import type { GateResult, MetricComparison, Outcome, ScenarioResult } from '../model.js';

export interface MarkdownOptions {
  /** Hard cap on the length; the report is shortened (unchanged rows first) and says so. */
  maxLength?: number;
  /** Where the full, untruncated report can be read (artifact or job page). */
  fullReportUrl?: string;
  /** Extra links shown under the tables. */
  links?: { label: string; url: string }[];
  /** Extra Markdown placed after the scenario tables (e.g. a chart). */
  appendix?: string;
  /** Leave out rows whose verdict is `unchanged` (used when shortening). */
  onlyChanges?: boolean;
}

const HEADLINE: Record<Outcome, string> = {
  passed: '✅ k6-gate: passed',
  regressed: '❌ k6-gate: performance regressed',
  'thresholds-failed': '❌ k6-gate: k6 thresholds crossed',
  error: '💥 k6-gate: the load test could not run',
};

const VERDICT: Record<MetricComparison['verdict'], string> = {
  regressed: '🔴 regressed',
  improved: '🟢 improved',
  unchanged: '⚪ unchanged',
  new: '🆕 new',
  missing: '⚠️ missing',
};

/** A value with its unit, short enough for a table cell. */
export function formatValue(value: number | undefined, unit: MetricComparison['unit']): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ms':
      return value >= 1000 ? `${trim(value / 1000, 2)} s` : `${trim(value, value < 10 ? 2 : 1)} ms`;
    case 'ratio':
      return `${trim(value * 100, value * 100 < 1 ? 3 : 2)}%`;
    case 'per-second':
      return `${trim(value, 1)}/s`;
    case 'bytes':
      return value >= 1e6 ? `${trim(value / 1e6, 1)} MB` : value >= 1e3 ? `${trim(value / 1e3, 1)} kB` : `${Math.round(value)} B`;
    case 'count':
      return String(Math.round(value));
    default:
      return trim(value, 3);
  }
}

function trim(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

export function formatChange(change: number | undefined): string {
  if (change === undefined || !Number.isFinite(change)) return '—';
  const pct = change * 100;
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '±';
  return `${sign}${trim(Math.abs(pct), Math.abs(pct) < 10 ? 1 : 0)}%`;
}

function allowed(row: MetricComparison): string {
  if (!row.band) return row.method === 'paired' ? 'A/B paired test' : '—';
  const bound =
    row.direction === 'lower-is-better' ? `≤ ${formatValue(row.band.high, row.unit)}` : `≥ ${formatValue(row.band.low, row.unit)}`;
  const how =
    row.method === 'prediction-interval'
      ? `interval, n=${row.samples}`
      : row.method === 'tolerance'
        ? `±${trim(row.tolerance * 100, 1)}%`
        : '';
  return how ? `${bound} (${how})` : bound;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function scenarioTitle(s: ScenarioResult): string {
  const profile = s.profile ? ` · profile ${s.profile}` : '';
  const icon = s.outcome === 'passed' ? '✅' : s.outcome === 'error' ? '💥' : '❌';
  return `### ${icon} ${s.scenario}${profile} — ${s.outcome}`;
}

export function renderMetricTable(rows: MetricComparison[], onlyChanges = false): string {
  const shown = onlyChanges ? rows.filter((row) => row.verdict !== 'unchanged') : rows;
  if (shown.length === 0) return onlyChanges ? `_All ${rows.length} watched metrics unchanged._` : '_No watched metrics._';
  const table = markdownTable(
    [
      ['Metric', 'Stat', 'Baseline', 'Current', 'Change', 'Allowed', 'Verdict'],
      ...shown.map((row) => [
        `\`${escapeCell(row.metric)}\``,
        escapeCell(row.stat),
        formatValue(row.baseline, row.unit),
        formatValue(row.current, row.unit),
        formatChange(row.change),
        escapeCell(allowed(row)),
        VERDICT[row.verdict],
      ]),
    ],
    { align: ['l', 'l', 'r', 'r', 'r', 'r', 'l'] },
  );
  const hidden = rows.length - shown.length;
  return hidden > 0 ? `${table}\n\n_${hidden} unchanged metric(s) not shown._` : table;
}

function renderThresholds(s: ScenarioResult): string {
  if (s.thresholds.length === 0) return '';
  const failed = s.thresholds.filter((t) => !t.ok).length;
  const table = markdownTable([
    ['k6 threshold', 'Result'],
    ...s.thresholds.map((t) => [`\`${escapeCell(t.metric)}\`: \`${escapeCell(t.expression)}\``, t.ok ? '✅ passed' : '❌ crossed']),
  ]);
  return `**k6 thresholds:** ${failed === 0 ? 'all passed' : `${failed} of ${s.thresholds.length} crossed`}\n\n${table}`;
}

/** Every run's value when a verdict took several runs: reruns, or A/B rounds (B and A). */
function runValues(m: MetricComparison): string {
  if (!m.runs) return '';
  const list = (values: number[]) => values.map((v) => formatValue(v, m.unit)).join(', ');
  return m.abBaseline ? ` — B rounds: ${list(m.runs)}; A rounds: ${list(m.abBaseline)}` : ` — runs: ${list(m.runs)}`;
}

function renderScenario(s: ScenarioResult, onlyChanges: boolean): string {
  const parts = [scenarioTitle(s)];
  if (s.error) parts.push(`> **Error:** ${escapeCell(s.error)}`);
  else if (s.exitCode !== undefined && s.exitCode !== 0) parts.push(`k6 exited with code ${s.exitCode}: ${s.exitMeaning ?? ''}`.trim());
  if (s.metrics.length > 0) parts.push(renderMetricTable(s.metrics, onlyChanges));
  const thresholds = renderThresholds(s);
  if (thresholds) parts.push(thresholds);
  if (s.verdictNote) parts.push(`**Verdict:** ${escapeCell(s.verdictNote)}`);
  const noted = s.metrics.filter((m) => m.verdict === 'regressed' || m.verdict === 'missing' || m.thin || m.runs);
  if (noted.length > 0) {
    parts.push(noted.map((m) => `- \`${m.metric}\` ${m.stat}: ${escapeCell(m.note)}${runValues(m)}`).join('\n'));
  }
  return parts.join('\n\n');
}

function renderHeader(result: GateResult): string {
  const facts: string[] = [];
  if (result.target) facts.push(`target \`${result.target}\``);
  if (result.environment) facts.push(`environment **${result.environment}**`);
  if (result.k6) facts.push(`k6 ${result.k6.version}`);
  if (result.baselinePath) facts.push(`baseline \`${result.baselinePath}\``);
  const counts = `${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s)`;
  const policy = result.failOn.length > 0 ? `fails on: ${result.failOn.join(', ')}` : 'report only';
  const verdict = result.failed
    ? '**the gate fails this job**'
    : result.outcome === 'passed'
      ? 'the gate passes'
      : '**not blocking** (policy)';
  return `## ${HEADLINE[result.outcome]}\n\n${counts} — ${verdict} (${policy}).${facts.length ? `\n${facts.join(' · ')}` : ''}`;
}

function renderFooter(result: GateResult, options: MarkdownOptions): string {
  const parts: string[] = [];
  if (result.warnings.length > 0) parts.push(`**Warnings**\n\n${result.warnings.map((w) => `- ${escapeCell(w)}`).join('\n')}`);
  if (result.baselineUpdated) parts.push(`Baseline \`${result.baselinePath ?? ''}\` updated with this run.`);
  const links = [...(result.links ?? []), ...(options.links ?? [])];
  if (links.length > 0) parts.push(links.map((l) => `[${l.label}](${l.url})`).join(' · '));
  parts.push(`<sub>k6-gate ${result.tool.version} · ${result.generatedAt}</sub>`);
  return parts.join('\n\n');
}

/** The whole report. With `maxLength`, shortens itself and says where the full one is. */
export function renderMarkdownReport(result: GateResult, options: MarkdownOptions = {}): string {
  const build = (onlyChanges: boolean, appendix: boolean) =>
    [
      renderHeader(result),
      ...result.scenarios.map((s) => renderScenario(s, onlyChanges)),
      appendix && options.appendix ? options.appendix : '',
      renderFooter(result, options),
    ]
      .filter(Boolean)
      .join('\n\n') + '\n';
  const full = build(options.onlyChanges ?? false, true);
  const max = options.maxLength;
  if (max === undefined || full.length <= max) return full;
  const where = options.fullReportUrl ? `[the full report](${options.fullReportUrl})` : 'the full report in the run artifacts (report.md)';
  const notice = `\n\n> ⚠️ This report was shortened to fit the ${max.toLocaleString('en-US')}-character limit; see ${where}.\n`;
  for (const candidate of [build(true, true), build(true, false)]) {
    if (candidate.length + notice.length <= max) return candidate.trimEnd() + notice;
  }
  const shortest = build(true, false);
  const cut = shortest.slice(0, Math.max(0, max - notice.length - 1));
  // Do not leave half a table row behind.
  return cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0)) + notice;
}
