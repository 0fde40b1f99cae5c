// The job summary (GITHUB_STEP_SUMMARY): the full report with the chart and links to the run's
// artifacts. Unlike a PR comment it exists on every event, so push and dispatch runs report here.
import { appendFile } from 'node:fs/promises';
import type { GateResult } from '../../model.js';
import { renderMarkdownReport, type HtmlReportLink } from '../../report/markdown.js';
import { renderBaselineCharts } from '../../report/mermaid.js';

/** GitHub accepts up to 1 MiB (1,048,576 bytes) of summary per step; stay clear of it. */
export const JOB_SUMMARY_BUDGET = 1_000_000;

export interface ReportLinks {
  /** The uploaded artifact, when there is one. */
  artifact?: { name: string; url?: string; files: string[] };
  /** The workflow run page. */
  runUrl?: string;
  /** The sticky PR comment, when one was posted. */
  commentUrl?: string;
  /** The results folder, named for gate-report.html when no artifact link exists. */
  resultsDir?: string;
}

/** gate-report.html is inside the uploaded artifact (GitHub links artifacts, not files in them), else in the results folder. */
export function htmlReportLink(links: ReportLinks): HtmlReportLink {
  const artifact = links.artifact;
  if (artifact?.url) return { url: artifact.url, artifact: artifact.name };
  return { resultsDir: links.resultsDir };
}

export function reportLinks(links: ReportLinks): { label: string; url: string }[] {
  const out: { label: string; url: string }[] = [];
  if (links.artifact?.url)
    out.push({ label: `artifact ${links.artifact.name} (full report, k6 summaries, HTML dashboard, logs)`, url: links.artifact.url });
  if (links.runUrl) out.push({ label: 'workflow run', url: links.runUrl });
  if (links.commentUrl) out.push({ label: 'PR comment', url: links.commentUrl });
  return out;
}

function artifactSection(links: ReportLinks): string {
  const artifact = links.artifact;
  if (!artifact) return '';
  const name = artifact.url ? `[${artifact.name}](${artifact.url})` : `\`${artifact.name}\``;
  const files = artifact.files.map((f) => `\`${f}\``).join(', ');
  return `**Artifact** ${name}: ${files}`;
}

/** Pure: the Markdown written to the job summary. */
export function renderJobSummary(result: GateResult, links: ReportLinks = {}): string {
  const appendix = [renderBaselineCharts(result), artifactSection(links)].filter(Boolean).join('\n\n');
  return renderMarkdownReport(result, {
    appendix: appendix || undefined,
    links: reportLinks(links),
    limit: { max: JOB_SUMMARY_BUDGET, unit: 'bytes', description: "GitHub's 1 MiB job-summary limit" },
    fullReportUrl: links.artifact?.url,
    htmlReport: htmlReportLink(links),
  });
}

/**
 * Appends to GITHUB_STEP_SUMMARY; false when the runner gave no summary file (a local run).
 * Written directly rather than through core.summary, which remembers the first file path it saw.
 */
export async function writeJobSummary(markdown: string, file = process.env.GITHUB_STEP_SUMMARY): Promise<boolean> {
  if (!file) return false;
  await appendFile(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}
