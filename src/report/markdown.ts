// The regression report as Markdown: used for report.md, the job summary, PR comments and MR notes.
// Pure: takes a GateResult, returns text.
import { markdownTable } from 'markdown-table';
import { formatChange, formatCount, formatPercent, formatValue, trimNumber } from '../baseline/metrics.js';
import { sparkline } from '../baseline/trend.js';
import type { GateResult, MetricComparison, Outcome, ScenarioAnalysis, ScenarioResult } from '../model.js';

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

function allowed(row: MetricComparison): string {
  if (!row.band) return row.method === 'paired' ? 'A/B paired test' : '—';
  const bound =
    row.direction === 'lower-is-better' ? `≤ ${formatValue(row.band.high, row.unit)}` : `≥ ${formatValue(row.band.low, row.unit)}`;
  const how =
    row.method === 'prediction-interval'
      ? `interval, n=${row.samples}`
      : row.method === 'tolerance'
        ? `±${formatPercent(row.tolerance)}`
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

function details(summary: string, body: string): string {
  // Blank lines around the body: GitHub and GitLab render Markdown inside <details> only then.
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function formatAfter(ms: number): string {
  return ms >= 60_000 ? `${trimNumber(ms / 60_000, 1)} min` : `${trimNumber(ms / 1000, 1)} s`;
}

/** Per-endpoint table, error mix, failed checks and load-generator warnings (live analysis). */
export function renderAnalysis(analysis: ScenarioAnalysis): string {
  const parts: string[] = [];
  const health = analysis.loadGenerator;
  if (health && health.warnings.length > 0) {
    parts.push(
      `**⚠️ Load generator:** the numbers may not be trustworthy\n\n${health.warnings.map((w) => `- ${escapeCell(w)}`).join('\n')}`,
    );
  }
  if (analysis.endpoints.length > 0) {
    const table = markdownTable(
      [
        ['Endpoint', 'Requests', 'Failed', 'p(95)', 'Change', 'Median', 'Max'],
        ...analysis.endpoints.map((e) => [
          `\`${escapeCell(e.endpoint)}\``,
          String(e.requests),
          e.failed > 0 ? `${e.failed} (${formatValue(e.failureRate, 'ratio')})` : '0',
          formatValue(e.p95, 'ms'),
          formatChange(e.p95Change),
          formatValue(e.med, 'ms'),
          formatValue(e.max, 'ms'),
        ]),
      ],
      { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'] },
    );
    const more =
      analysis.endpointCount > analysis.endpoints.length ? ` (top ${analysis.endpoints.length} of ${analysis.endpointCount})` : '';
    const precision =
      analysis.source === 'remote-write'
        ? "\n\n<sub>p(95), median and max from k6's native histograms: interpolated inside buckets ×1.09 wide (typically within 1 % of every-sample values); max is the top bucket's upper edge.</sub>"
        : '';
    parts.push(details(`Per-endpoint breakdown: ${analysis.endpointCount} endpoint(s)${more}`, table + precision));
  }
  if (analysis.errors.length > 0 || analysis.failedChecks.length > 0) {
    const body: string[] = [];
    if (analysis.errors.length > 0) {
      body.push(
        markdownTable(
          [
            ['Endpoint', 'Status', 'k6 error_code', 'Count', 'First seen'],
            ...analysis.errors.map((e) => [
              `\`${escapeCell(e.endpoint)}\``,
              e.status === '0' ? 'no response' : e.status,
              e.errorCode ?? '—',
              String(e.count),
              `+${formatAfter(e.firstAfterMs)} (${e.firstAt})`,
            ]),
          ],
          { align: ['l', 'l', 'l', 'r', 'l'] },
        ),
      );
    }
    if (analysis.failedChecks.length > 0) {
      body.push(
        markdownTable([
          ['Failed check', 'Fails', 'Passes'],
          ...analysis.failedChecks.map((c) => [escapeCell(c.name), String(c.fails), String(c.passes)]),
        ]),
      );
    }
    const failedRequests = analysis.errors.reduce((s, e) => s + e.count, 0);
    parts.push(
      details(`Error mix: ${failedRequests} failed request(s), ${analysis.failedChecks.length} failing check(s)`, body.join('\n\n')),
    );
  }
  return parts.join('\n\n');
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
  if (s.trend && s.trend.length > 0) {
    const lines = s.trend.map((t) => `\`${escapeCell(t.metric)}\` ${escapeCell(t.stat)} ${sparkline(t.values)}`);
    parts.push(`**Trend** (accepted runs, this run last): ${lines.join(' · ')}`);
  }
  if (s.analysis) {
    const analysis = renderAnalysis(s.analysis);
    if (analysis) parts.push(analysis);
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
  const headline = result.cancelled
    ? `⛔ k6-gate: cancelled (${result.cancelled}): partial results, the run was stopped before its end`
    : HEADLINE[result.outcome];
  return `## ${headline}\n\n${counts} — ${verdict} (${policy}).${facts.length ? `\n${facts.join(' · ')}` : ''}`;
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
  const notice = `\n\n> ⚠️ This report was shortened to fit the ${formatCount(max)}-character limit; see ${where}.\n`;
  for (const candidate of [build(true, true), build(true, false)]) {
    if (candidate.length + notice.length <= max) return candidate.trimEnd() + notice;
  }
  const shortest = build(true, false);
  const cut = shortest.slice(0, Math.max(0, max - notice.length - 1));
  // Do not leave half a table row behind.
  return cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0)) + notice;
}
