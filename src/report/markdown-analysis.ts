// What live sample analysis saw, as Markdown: load-generator warnings, the per-endpoint table and
// the error mix. Pure; endpoint, check and error names come from the script and are escaped.
import { formatChange, formatCount, formatDuration, formatValue } from '../format.js';
import type { ScenarioAnalysis } from '../model.js';
import { codeSpan, escapeProse, tableCell } from './escape.js';
import { table } from './markdown-rows.js';

export function details(summary: string, body: string): string {
  // Blank lines around the body: GitHub and GitLab render Markdown inside <details> only then.
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** Each distinct sentence once, in first-seen order (A/B rounds repeat the same warning). */
export function distinct(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

function endpointTable(analysis: ScenarioAnalysis, compact: boolean): string {
  // From k6's native histograms the largest value is only known to lie in the top bucket: say so.
  const bucketed = analysis.source === 'remote-write';
  const rows = analysis.endpoints.map((e) => [
    tableCell(codeSpan(e.endpoint)),
    formatCount(e.requests),
    e.failed > 0 ? `${formatCount(e.failed)} (${formatValue(e.failureRate, 'ratio')})` : '0',
    formatValue(e.p95, 'ms'),
    formatChange(e.p95Change),
    formatValue(e.med, 'ms'),
    `${bucketed ? '≤ ' : ''}${formatValue(e.max, 'ms')}`,
  ]);
  const precision = bucketed
    ? "\n\n<sub>p(95) and median from k6's native histograms, interpolated inside buckets ×1.09 wide (typically within 1 % of every-sample values). The slowest request is only known to lie in the top bucket: Max is that bucket's upper edge, an upper bound.</sub>"
    : '';
  return (
    table(
      [['Endpoint', 'Requests', 'Failed', 'p(95)', 'p(95) change', 'Median', bucketed ? 'Max (upper bound)' : 'Max'], ...rows],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      compact,
    ) + precision
  );
}

function errorMix(analysis: ScenarioAnalysis, compact: boolean): string {
  const body: string[] = [];
  if (analysis.errors.length > 0) {
    body.push(
      table(
        [
          ['Endpoint', 'Status', 'k6 error_code', 'Count', 'First seen'],
          ...analysis.errors.map((e) => [
            tableCell(codeSpan(e.endpoint)),
            e.status === '0' ? 'no response' : tableCell(escapeProse(e.status)),
            e.errorCode ? tableCell(escapeProse(e.errorCode)) : '—',
            formatCount(e.count),
            `+${formatDuration(e.firstAfterMs)} (${tableCell(escapeProse(e.firstAt))})`,
          ]),
        ],
        ['l', 'l', 'l', 'r', 'l'],
        compact,
      ),
    );
  }
  if (analysis.failedChecks.length > 0) {
    body.push(
      table(
        [
          ['Failed check', 'Fails', 'Passes'],
          ...analysis.failedChecks.map((c) => [tableCell(escapeProse(c.name)), formatCount(c.fails), formatCount(c.passes)]),
        ],
        ['l', 'r', 'r'],
        compact,
      ),
    );
  }
  const failedRequests = analysis.errors.reduce((s, e) => s + e.count, 0);
  return details(
    `Error mix: ${formatCount(failedRequests)} failed request(s), ${formatCount(analysis.failedChecks.length)} failing check(s)`,
    body.join('\n\n'),
  );
}

/** Per-endpoint table, error mix, failed checks and load-generator warnings (live analysis). */
export function renderAnalysis(analysis: ScenarioAnalysis, compact = false): string {
  const parts: string[] = [];
  const warnings = distinct(analysis.loadGenerator?.warnings ?? []);
  if (warnings.length > 0) {
    parts.push(`**⚠️ Load generator:** the numbers may not be trustworthy\n\n${warnings.map((w) => `- ${escapeProse(w)}`).join('\n')}`);
  }
  if (analysis.endpoints.length > 0) {
    const more =
      analysis.endpointCount > analysis.endpoints.length
        ? ` (top ${formatCount(analysis.endpoints.length)} of ${formatCount(analysis.endpointCount)})`
        : '';
    parts.push(
      details(`Per-endpoint breakdown: ${formatCount(analysis.endpointCount)} endpoint(s)${more}`, endpointTable(analysis, compact)),
    );
  }
  if (analysis.errors.length > 0 || analysis.failedChecks.length > 0) parts.push(errorMix(analysis, compact));
  return parts.join('\n\n');
}
