// The regression report as Markdown: report.md, the job summary, the PR comment and the MR note.
// Pure: takes a GateResult, returns text.
//
// Failures come first everywhere: failing scenarios before passing ones, failing rows before the
// rest, crossed thresholds before passed ones. When the text must fit a limit (a PR comment, an MR
// note, a job summary), it is shortened in steps until it fits, and the report says what it left out
// and where the full one is: passed and unchanged rows go first, then the details (why, trends,
// per-endpoint tables, charts), then improved and new rows, then whole passing scenarios; failing
// rows last, and only as many as must (each failing scenario keeps its headline and its cause).
import { formatCount } from '../format.js';
import type { GateResult, MetricComparison, ScenarioResult } from '../model.js';
import { blindSpotText } from './detectable.js';
import { codeBlock, codeSpan, escapeProse } from './escape.js';
import { GATE_REPORT_FILE } from './html.js';
import { errorCause, failuresFirst, headline, plural, scenarioIcon, scenarioLabel, scenarioOutcome } from './headline.js';
import { details, distinct, renderAnalysis } from './markdown-analysis.js';
import {
  abTable,
  duetTable,
  historyTable,
  metricClass,
  sortMetricRows,
  sortThresholds,
  thresholdTable,
  type RowClass,
} from './markdown-rows.js';
import { whyKind, whyList, whyRows } from './markdown-why.js';
import { cutToFit, shorten, sizeOf, type ReportLimit } from './markdown-fit.js';

export interface MarkdownOptions {
  /** Shorten the report to fit this limit; it then says what it left out and where the full one is. */
  limit?: ReportLimit;
  /** Where the full, unshortened report can be read (the artifact, the job page). */
  fullReportUrl?: string;
  /** What is at fullReportUrl, as the notice names it; default "report.md in the run's artifacts". */
  fullReportLabel?: string;
  /** Extra links shown under the tables. */
  links?: { label: string; url: string }[];
  /** Where gate-report.html (the charts page written to the results folder) can be opened; no line without it. */
  htmlReport?: HtmlReportLink;
  /** Extra Markdown placed after the scenarios (a chart): a detail, left out before any row is. */
  appendix?: string;
}

/** Where a reader finds gate-report.html: a link to the file, a link to the artifact holding it, or its path. */
export interface HtmlReportLink {
  /** Opens the file itself, or (with `artifact`) the artifact that holds it. */
  url?: string;
  /** The artifact's name, when `url` opens the artifact rather than the file. */
  artifact?: string;
  /** The results folder holding the file, named when there is no link. */
  resultsDir?: string;
}

/** How much of the report one rendering shows. */
interface Plan {
  /** Tables without alignment padding (a shortened report spends its characters on content). */
  compact: boolean;
  passedRows: boolean;
  details: boolean;
  notableRows: boolean;
  passingScenarios: boolean;
  /** Most failing rows (regressed metrics, crossed thresholds) per table. */
  failingRowCap: number;
}

/** What a rendering left out, for the notice. */
interface Omitted {
  unchanged: number;
  passedThresholds: number;
  notable: number;
  failingMetrics: number;
  crossedThresholds: number;
  details: number;
  /** Sentences saying a stat cannot see its tolerance. */
  blindSpots: number;
  passingScenarios: number;
}

const FULL: Plan = { compact: false, passedRows: true, details: true, notableRows: true, passingScenarios: true, failingRowCap: Infinity };

/** The shortening steps, in order; the last one is then cut further by failingRowCap. */
const STEPS: Plan[] = [
  FULL,
  { ...FULL, compact: true },
  { ...FULL, compact: true, passedRows: false },
  { ...FULL, compact: true, passedRows: false, details: false },
  { ...FULL, compact: true, passedRows: false, details: false, notableRows: false },
  { ...FULL, compact: true, passedRows: false, details: false, notableRows: false, passingScenarios: false },
];

/** An exception's text kept when details are left out: enough to recognise it. */
const SHORT_EXCEPTION = 1_000;

/** The most of a cause the headline quotes; the scenario below has all of it. */
const HEADLINE_CAUSE = 300;

function statusLine(result: GateResult): string {
  const cause = errorCause(result);
  if (cause === 'cancelled') {
    return `**Cancelled:** k6-gate received ${result.cancelled} and stopped before the end; the numbers below are partial. A cancelled run fails the job.`;
  }
  if (cause) {
    const errors = distinct(result.scenarios.filter((s) => s.error).map((s) => s.error!));
    const what = cause === 'bad-input' ? 'Bad input' : 'Error';
    const first = errors.length > 0 ? escapeProse(shorten(errors[0], HEADLINE_CAUSE)) : 'the run stopped before it measured anything';
    const thrown = shorten(result.scenarios.find((s) => s.exception)?.exception?.split('\n')[0] ?? '', HEADLINE_CAUSE);
    const exception = thrown ? ` The script threw ${codeSpan(thrown)}.` : '';
    const more = errors.length > 1 ? ` (and ${plural(errors.length - 1, 'other cause')} below)` : '';
    return `**${what}:** ${first}${more}.${exception} An error fails the job whatever \`fail-on\` says.`;
  }
  const inconclusive = result.inconclusive ?? 0;
  const counts =
    `${plural(result.regressions, 'regression')}, ${plural(result.thresholdsFailed, 'crossed threshold')}` +
    (inconclusive > 0 ? `, ${plural(inconclusive, 'inconclusive scenario')}` : '');
  const policy = result.failOn.length > 0 ? `fails on: ${result.failOn.join(', ')}` : 'report only';
  const verdict = result.failed
    ? '**the gate fails this job**'
    : result.outcome === 'passed'
      ? 'the gate passes'
      : '**not blocking** (policy)';
  const undecided = inconclusive > 0 ? ` ${INCONCLUSIVE_SENTENCE}` : '';
  return `${counts} — ${verdict} (${policy}).${undecided}`;
}

/** What an inconclusive verdict means for the job and the baseline, and what to do about it. */
const INCONCLUSIVE_SENTENCE =
  'Inconclusive means the numbers could not decide, either way: the run is not recorded as the baseline, and it fails the job only with `fail-on: inconclusive`. ' +
  'Run it again longer (max-duration) or on a quieter runner; each inconclusive scenario below says why.';

/** Every scenario was measured as a duet (A/B mode with baseline-target). */
function isDuet(result: GateResult): boolean {
  return result.scenarios.length > 0 && result.scenarios.every((s) => s.duet !== undefined);
}

function renderHeader(result: GateResult): string {
  const facts: string[] = [];
  if (result.target) facts.push(`target ${codeSpan(result.target)}`);
  if (result.environment) facts.push(`environment **${escapeProse(result.environment)}**`);
  if (result.k6) facts.push(`k6 ${escapeProse(result.k6.version)}`);
  // A duet compares baseline-target with target in this job: the baseline file decides nothing.
  if (isDuet(result)) facts.push('A/B duet: A is `baseline-target`, B is the target, measured at the same time');
  else if (result.baselinePath) facts.push(`baseline ${codeSpan(result.baselinePath)}`);
  return [`## ${headline(result)}`, statusLine(result), facts.join(' · ')].filter(Boolean).join('\n\n');
}

function scenarioTitle(s: ScenarioResult, cancelled: boolean): string {
  const [icon, outcome] = cancelled && s.outcome === 'error' ? ['⛔', 'cancelled'] : [scenarioIcon(s.outcome), scenarioOutcome(s.outcome)];
  return `### ${icon} ${escapeProse(scenarioLabel(s))} — ${outcome}`;
}

/** The rows a plan shows, failing ones capped; the rest counted in `omitted`. */
function pickRows<T>(rows: readonly T[], classOf: (row: T) => RowClass, plan: Plan, count: (row: T, cls: RowClass) => void): T[] {
  let failing = 0;
  return rows.filter((row) => {
    const cls = classOf(row);
    const shown = cls === 'failing' ? failing++ < plan.failingRowCap : cls === 'notable' ? plan.notableRows : plan.passedRows;
    if (!shown) count(row, cls);
    return shown;
  });
}

/** `3 passed thresholds, 1 unchanged metric`: the counts that are not 0, each with its noun. */
function counted(parts: [number, string, string][]): string[] {
  return parts.filter(([n]) => n > 0).map(([n, one, many]) => plural(n, one, many));
}

function notShown(parts: [number, string, string][]): string {
  const said = counted(parts);
  return said.length > 0 ? `_Not shown here: ${said.join(', ')} (see the full report)._` : '';
}

function renderMetrics(s: ScenarioResult, plan: Plan, omitted: Omitted): string[] {
  if (s.metrics.length === 0) return [];
  const hidden = { failing: 0, notable: 0, passed: 0 };
  const rows = pickRows(sortMetricRows(s.metrics), metricClass, plan, (_, cls) => hidden[cls]++);
  omitted.failingMetrics += hidden.failing;
  omitted.notable += hidden.notable;
  omitted.unchanged += hidden.passed;
  // One table per way the rows were decided: a duet, ABBA rounds, or against the history.
  const duet = rows.filter((row) => row.method === 'duet');
  const paired = rows.filter((row) => row.method !== 'duet' && row.abBaseline && row.runs);
  const history = rows.filter((row) => row.method !== 'duet' && !(row.abBaseline && row.runs));
  const parts: string[] = [];
  if (duet.length > 0) parts.push(duetTable(s, duet, plan.compact));
  if (paired.length > 0) parts.push(abTable(paired, plan.compact));
  if (history.length > 0) parts.push(historyTable(s, history, plan.compact, plan.details));
  const note = notShown([
    [hidden.failing, 'more failing metric', 'more failing metrics'],
    [hidden.notable, 'improved, new or not judged metric', 'improved, new or not judged metrics'],
    [hidden.passed, 'unchanged metric', 'unchanged metrics'],
  ]);
  if (note) parts.push(note);
  return parts;
}

/** Markdown names for the blind-spot sentence. */
const MARKDOWN_SPEAKER = {
  name: (row: MetricComparison) => `${codeSpan(row.metric)} ${escapeProse(row.stat)}`,
  code: codeSpan,
};

/**
 * The stats that cannot see their tolerance, said plainly under the table. Kept while notable rows
 * are (its advice only with the details): it never costs a failing scenario its place.
 */
function renderBlindSpot(s: ScenarioResult, plan: Plan, omitted: Omitted): string[] {
  const text = blindSpotText(s.metrics, MARKDOWN_SPEAKER, plan.details);
  if (!text) return [];
  if (!plan.notableRows) {
    omitted.blindSpots++;
    return [];
  }
  return [`⚠️ ${text}`];
}

function renderThresholds(s: ScenarioResult, plan: Plan, omitted: Omitted): string[] {
  if (s.thresholds.length === 0) return [];
  const crossed = s.thresholds.filter((t) => !t.ok).length;
  const total = formatCount(s.thresholds.length);
  const head = `**k6 thresholds:** ${crossed === 0 ? `all ${total} passed` : `${formatCount(crossed)} of ${total} crossed`}`;
  const hidden = { failing: 0, passed: 0 };
  const rows = pickRows(
    sortThresholds(s.thresholds),
    (t) => (t.ok ? 'passed' : 'failing'),
    plan,
    (_, cls) => {
      if (cls === 'failing') hidden.failing++;
      else hidden.passed++;
    },
  );
  omitted.crossedThresholds += hidden.failing;
  omitted.passedThresholds += hidden.passed;
  const parts = [head];
  if (rows.length > 0) parts.push(thresholdTable(rows, plan.compact));
  const note = notShown([
    [hidden.failing, 'more crossed threshold', 'more crossed thresholds'],
    [hidden.passed, 'passed threshold', 'passed thresholds'],
  ]);
  if (note) parts.push(note);
  return parts;
}

function renderCause(s: ScenarioResult, plan: Plan): string[] {
  const parts: string[] = [];
  if (s.inconclusive && s.outcome !== 'error') {
    const why = escapeProse(s.inconclusive.replace(/[.\s]+$/, ''));
    parts.push(
      s.outcome === 'inconclusive'
        ? `> **Inconclusive:** ${why}.`
        : `> **The numbers are in doubt:** ${why}; a regression or a crossed threshold still counts.`,
    );
  }
  if (s.error) parts.push(`> **Error:** ${escapeProse(s.error)}`);
  else if (s.exitCode !== undefined && s.exitCode !== 0) {
    parts.push(`k6 exited with code ${s.exitCode}${s.exitMeaning ? `: ${escapeProse(s.exitMeaning)}` : ''}`);
  }
  if (s.exception) {
    const text = plan.details ? s.exception : shorten(s.exception, SHORT_EXCEPTION);
    parts.push(`The script threw:\n\n${codeBlock(text)}`);
  }
  return parts;
}

function renderDetails(s: ScenarioResult, rows: readonly MetricComparison[], plan: Plan, omitted: Omitted): string[] {
  const why = whyRows(sortMetricRows(rows));
  const analysis = s.analysis ? renderAnalysis(s.analysis, plan.compact) : '';
  if (!plan.details) {
    omitted.details += (why.length > 0 ? 1 : 0) + (analysis ? 1 : 0);
    return [];
  }
  const parts: string[] = [];
  if (why.length > 0) {
    const counts = (['regressed', 'improved', 'missing', 'inconclusive', 'too thin to judge', 'not counted'] as const)
      .map((kind) => [why.filter((r) => whyKind(r) === kind).length, kind] as const)
      .filter(([n]) => n > 0)
      .map(([n, kind]) => `${formatCount(n)} ${kind}`);
    parts.push(details(`Why: ${counts.join(', ')}`, whyList(s, why)));
  }
  if (analysis) parts.push(analysis);
  return parts;
}

function renderScenario(s: ScenarioResult, cancelled: boolean, plan: Plan, omitted: Omitted): string {
  const parts = [
    scenarioTitle(s, cancelled),
    ...renderCause(s, plan),
    ...renderMetrics(s, plan, omitted),
    ...renderBlindSpot(s, plan, omitted),
    ...renderThresholds(s, plan, omitted),
  ];
  if (s.verdictNote) parts.push(`**Verdict:** ${escapeProse(s.verdictNote)}`);
  parts.push(...renderDetails(s, s.metrics, plan, omitted));
  return parts.join('\n\n');
}

/** `[label](url)` with a URL that cannot end the link early or start another. */
function link(label: string, url: string): string {
  const safe = url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${escapeProse(label)}](${safe})`;
}

/** One line naming gate-report.html and where to open it. */
function htmlReportLine(where: HtmlReportLink, duet: boolean): string | undefined {
  const what = duet
    ? "📈 Charts of B's change against A per watched stat, and the per-endpoint table:"
    : '📈 Charts of the baseline history and this run, and the per-endpoint table:';
  if (where.url && where.artifact) return `${what} ${codeSpan(GATE_REPORT_FILE)} in the artifact ${link(where.artifact, where.url)}`;
  if (where.url) return `${what} ${link(GATE_REPORT_FILE, where.url)}`;
  if (where.resultsDir) return `${what} ${codeSpan(`${where.resultsDir.replace(/[\\/]+$/, '')}/${GATE_REPORT_FILE}`)}`;
  return undefined;
}

function renderFooter(result: GateResult, options: MarkdownOptions): string {
  const parts: string[] = [];
  const warnings = distinct(result.warnings);
  if (warnings.length > 0) parts.push(`**Warnings**\n\n${warnings.map((w) => `- ${escapeProse(w)}`).join('\n')}`);
  if (result.baselineUpdated) parts.push(`Baseline ${codeSpan(result.baselinePath ?? '')} updated with this run.`);
  const html = options.htmlReport && htmlReportLine(options.htmlReport, isDuet(result));
  if (html) parts.push(html);
  const links = [...(result.links ?? []), ...(options.links ?? [])];
  if (links.length > 0) parts.push(links.map((l) => link(l.label, l.url)).join(' · '));
  parts.push(`<sub>k6-gate ${escapeProse(result.tool.version)} · ${escapeProse(result.generatedAt)}</sub>`);
  return parts.join('\n\n');
}

function shorteningNotice(omitted: Omitted, limit: ReportLimit, options: MarkdownOptions): string {
  const left = counted([
    [omitted.passedThresholds, 'passed threshold', 'passed thresholds'],
    [omitted.unchanged, 'unchanged metric', 'unchanged metrics'],
    [omitted.notable, 'improved, new or not judged metric', 'improved, new or not judged metrics'],
    [omitted.passingScenarios, 'passing scenario', 'passing scenarios'],
    [omitted.failingMetrics, 'failing metric', 'failing metrics'],
    [omitted.crossedThresholds, 'crossed threshold', 'crossed thresholds'],
    [omitted.blindSpots, 'note on changes too small to see', 'notes on changes too small to see'],
  ]);
  if (omitted.details > 0) left.push('the details (why, per-endpoint tables, error mix, charts)');
  const label = options.fullReportLabel ?? "report.md in the run's artifacts";
  const where = options.fullReportUrl ? link(label, options.fullReportUrl) : escapeProse(label);
  return `> ✂️ **This report was shortened** to fit ${limit.description}: left out ${left.join(', ') || 'the end'}. The full report is ${where}.`;
}

function emptyOmitted(): Omitted {
  return {
    unchanged: 0,
    passedThresholds: 0,
    notable: 0,
    failingMetrics: 0,
    crossedThresholds: 0,
    details: 0,
    blindSpots: 0,
    passingScenarios: 0,
  };
}

function render(result: GateResult, options: MarkdownOptions, plan: Plan): string {
  const omitted = emptyOmitted();
  const scenarios = failuresFirst(result.scenarios).filter((s) => {
    const shown = plan.passingScenarios || s.outcome !== 'passed';
    if (!shown) omitted.passingScenarios++;
    return shown;
  });
  const body = scenarios.map((s) => renderScenario(s, result.cancelled !== undefined, plan, omitted));
  if (omitted.passingScenarios > 0) body.push(`✅ ${plural(omitted.passingScenarios, 'passing scenario')} not shown here.`);
  if (options.appendix) {
    if (plan.details) body.push(options.appendix);
    else omitted.details++;
  }
  const shortened = Object.values(omitted).some((n) => n > 0) && options.limit;
  const notice = shortened ? shorteningNotice(omitted, options.limit!, options) : '';
  return [renderHeader(result), notice, ...body, renderFooter(result, options)].filter(Boolean).join('\n\n') + '\n';
}

/**
 * The report; with `limit`, the fullest rendering that fits it (see the module comment). This is the
 * one shortening rule: every platform calls it with its own limit.
 */
export function renderMarkdownReport(result: GateResult, options: MarkdownOptions = {}): string {
  const limit = options.limit;
  if (!limit) return render(result, options, FULL);
  const fits = (text: string) => sizeOf(text, limit) <= limit.max;
  for (const plan of STEPS) {
    const text = render(result, options, plan);
    if (fits(text)) return text;
  }
  // Failing rows too: the most per table that fits (each failing scenario keeps its title and cause).
  const last = STEPS[STEPS.length - 1];
  const most = Math.max(0, ...result.scenarios.map((s) => Math.max(s.metrics.length, s.thresholds.length)));
  let low = 0;
  let high = most;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(render(result, options, { ...last, failingRowCap: mid }))) low = mid;
    else high = mid - 1;
  }
  const text = render(result, options, { ...last, failingRowCap: low });
  if (fits(text)) return text;
  // Too many failing scenarios to name them all: cut at a line break, and say so.
  return cutToFit(text, limit);
}
