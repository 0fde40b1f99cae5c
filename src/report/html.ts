// The gate's result as one self-contained HTML page (gate-report.html): a picture where people would
// rather look than read. Pure: takes a GateResult, returns text.
//
// Per scenario, failures first: one chart per watched stat with the baseline's accepted runs, the
// band the verdict allowed, the tolerance line and this run (the last point); in A/B mode the B/A
// ratio of every round; then the per-endpoint table. Nothing is fetched: the charts are inline SVG,
// the styles inline, no script, no font or image from elsewhere, and a Content-Security-Policy
// that forbids any request, so the page shows the same offline, in an artifact viewer or a browser.
// Every string from the run (scenario, metric, endpoint, tag names: a script a fork controls writes
// them) goes through escapeXml. The name is not report.html: that is k6's own web dashboard, which
// the GitLab job exposes under that name (platform/gitlab/publish.ts).
import { formatChange, formatPercent, formatPointChange, formatValue } from '../format.js';
import type { EndpointResult, GateResult, MetricComparison, Outcome, ScenarioResult } from '../model.js';
import { blindSpotText, formatMde } from './detectable.js';
import { escapeXml as escape } from './junit.js';
import { abNumbers, DUET_HEADER, duetCells, duetChangeCell, duetFloorCell, duetNumbers, type DuetNumbers } from './markdown-rows.js';

export const GATE_REPORT_FILE = 'gate-report.html';

const OUTCOME_ORDER: Outcome[] = ['error', 'thresholds-failed', 'regressed', 'inconclusive', 'passed'];
const VERDICT_ORDER: MetricComparison['verdict'][] = ['regressed', 'missing', 'inconclusive', 'improved', 'new', 'unchanged'];

const WIDTH = 520;
const HEIGHT = 170;
const PAD = { left: 70, right: 16, top: 14, bottom: 26 };

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; } h3 { font-size: 1rem; }
.badge { display: inline-block; padding: 0 .5em; border-radius: 1em; font-weight: 600; }
.passed { background: #dafbe1; color: #116329; } .regressed, .error, .thresholds-failed { background: #ffebe9; color: #a40e26; }
.inconclusive { background: #fff8c5; color: #7d4e00; }
.meta { color: #57606a; } .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem; }
figcaption { max-width: ${WIDTH}px; font-size: 12px; color: #57606a; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: .2rem .5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; } pre { white-space: pre-wrap; background: #f6f8fa; padding: .5rem; }
svg text { font: 11px system-ui, sans-serif; fill: #57606a; }
.blind-spot { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .5rem; }
`;

interface Scale {
  x: (index: number) => number;
  y: (value: number) => number;
}

function scaleFor(count: number, values: number[]): Scale {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high === low) {
    const pad = Math.abs(high) * 0.1 || 1;
    low -= pad;
    high += pad;
  }
  const margin = (high - low) * 0.08;
  low -= margin;
  high += margin;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  return {
    x: (i) => PAD.left + (count <= 1 ? plotW / 2 : (i / (count - 1)) * plotW),
    y: (v) => PAD.top + (1 - (v - low) / (high - low)) * plotH,
  };
}

const n = (value: number) => value.toFixed(1);

/** A horizontal line across the plot with its label at the left. */
function hline(scale: Scale, value: number, label: string, style: string): string {
  const y = n(scale.y(value));
  return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" ${style}/><text x="${PAD.left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${escape(label)}</text>`;
}

/** The value the tolerance allows at most (lower is better) or at least (higher is better). */
function toleranceLimit(row: MetricComparison): number | undefined {
  if (row.baseline === undefined || !(row.tolerance > 0)) return undefined;
  return row.direction === 'lower-is-better' ? row.baseline * (1 + row.tolerance) : row.baseline * (1 - row.tolerance);
}

/** The baseline's accepted runs, the allowed band, the tolerance line and this run (the last point). */
export function historyChart(row: MetricComparison, history: number[]): string {
  const values = history.length > 0 ? history : row.current !== undefined ? [row.current] : [];
  const limit = toleranceLimit(row);
  const all = [...values, ...(row.band ? [row.band.low, row.band.high] : []), ...(row.baseline !== undefined ? [row.baseline] : [])];
  if (limit !== undefined) all.push(limit);
  const title = `${row.metric} ${row.stat}`;
  if (all.length === 0) return '';
  const scale = scaleFor(values.length, all);
  const parts: string[] = [];
  if (row.band) {
    const top = scale.y(Math.max(row.band.low, row.band.high));
    const bottom = scale.y(Math.min(row.band.low, row.band.high));
    parts.push(
      `<rect class="band" x="${PAD.left}" y="${n(top)}" width="${WIDTH - PAD.left - PAD.right}" height="${n(Math.max(bottom - top, 1))}" fill="#ddf4ff"><title>band ${escape(formatValue(row.band.low, row.unit))} .. ${escape(formatValue(row.band.high, row.unit))}</title></rect>`,
    );
  }
  if (row.baseline !== undefined) parts.push(hline(scale, row.baseline, formatValue(row.baseline, row.unit), 'stroke="#8c959f"'));
  if (limit !== undefined) {
    parts.push(
      `<g class="tolerance">${hline(scale, limit, formatValue(limit, row.unit), 'stroke="#cf222e" stroke-dasharray="5 4"')}<title>tolerance ${escape(formatPercent(row.tolerance))}</title></g>`,
    );
  }
  const points = values.map((v, i) => `${n(scale.x(i))},${n(scale.y(v))}`);
  if (points.length > 1)
    parts.push(`<polyline class="history" points="${points.join(' ')}" fill="none" stroke="#0969da" stroke-width="1.5"/>`);
  values.forEach((v, i) => {
    const current = i === values.length - 1;
    const colour = current ? (row.verdict === 'regressed' ? '#cf222e' : row.verdict === 'improved' ? '#1a7f37' : '#0969da') : '#0969da';
    parts.push(
      `<circle class="${current ? 'current' : 'run'}" cx="${n(scale.x(i))}" cy="${n(scale.y(v))}" r="${current ? 5 : 2.5}" fill="${colour}"><title>${current ? 'this run' : `accepted run ${i + 1}`}: ${escape(formatValue(v, row.unit))}</title></circle>`,
    );
  });
  parts.push(
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">${values.length > 1 ? 'accepted runs, this run last' : 'this run'}</text>`,
  );
  return `<svg class="chart history-chart" role="img" aria-label="${escape(title)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>${escape(title)}</title>${parts.join('')}</svg>`;
}

/** A/B mode: B/A of every round, in run order, with the line of no change and the median. */
export function ratioChart(row: MetricComparison): string {
  const a = row.abBaseline ?? [];
  const b = row.runs ?? [];
  const rounds = a.flatMap((value, i) => (value > 0 && b[i] !== undefined ? [{ a: value, b: b[i], ratio: b[i] / value }] : []));
  const ratios = rounds.map((round) => round.ratio);
  if (ratios.length === 0) return '';
  const sorted = [...ratios].sort((x, y) => x - y);
  const middle = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  // The 95 % interval of the median pair ratio, the same one the Markdown A/B table gives.
  const interval = abNumbers(row)?.interval;
  const ends = interval && interval.low !== undefined && interval.high !== undefined ? [1 + interval.low, 1 + interval.high] : undefined;
  const scale = scaleFor(ratios.length, [...ratios, 1, ...(ends ?? [])]);
  const parts: string[] = [];
  if (ends) {
    const top = scale.y(ends[1]);
    parts.push(
      `<rect class="interval" x="${PAD.left}" y="${n(top)}" width="${WIDTH - PAD.left - PAD.right}" height="${n(Math.max(scale.y(ends[0]) - top, 1))}" fill="#fbefff"><title>95% interval of the median B/A: ${ends[0].toFixed(3)} .. ${ends[1].toFixed(3)}</title></rect>`,
    );
  }
  parts.push(
    hline(scale, 1, '1.00', 'stroke="#8c959f"'),
    hline(scale, middle, middle.toFixed(2), 'stroke="#8250df" stroke-dasharray="3 3"'),
  );
  rounds.forEach((round, i) =>
    parts.push(
      `<circle class="round" cx="${n(scale.x(i))}" cy="${n(scale.y(round.ratio))}" r="3.5" fill="#8250df"><title>round ${i + 1}: A ${escape(formatValue(round.a, row.unit))}, B ${escape(formatValue(round.b, row.unit))}, B/A ${round.ratio.toFixed(3)}</title></circle>`,
    ),
  );
  parts.push(
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">B/A per round, in run order; dashed: median${ends ? '; shaded: its 95% interval' : ''}</text>`,
  );
  const title = `${row.metric} ${row.stat} B/A per round`;
  return `<svg class="chart ratio-chart" role="img" aria-label="${escape(title)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>${escape(title)}</title>${parts.join('')}</svg>`;
}

/**
 * A duet row: B's change against A on one axis, with the interval the decision found, the floor
 * either way (changes inside it are not called) and the margin of "equivalent" (shaded).
 */
export function duetChart(row: MetricComparison, d: DuetNumbers): string {
  if (d.change === undefined) return '';
  const [low, high] = d.interval ?? [d.change, d.change];
  const floor = d.floor.value;
  const reach = Math.max(Math.abs(low), Math.abs(high), floor, d.margin) * 1.15 || 0.01;
  // Symmetric about no change: the axis needs no room for value labels at its left.
  const left = PAD.right;
  const plotW = WIDTH - 2 * left;
  const x = (v: number) => left + ((v + reach) / (2 * reach)) * plotW;
  const top = PAD.top + 6;
  const bottom = HEIGHT - PAD.bottom;
  const mid = (top + bottom) / 2;
  const size = (v: number) => (d.difference ? formatPointChange(v) : formatChange(v));
  const parts = [
    `<text x="${left}" y="${PAD.top - 2}">B against A over ${d.windows} paired windows</text>`,
    `<rect class="margin" x="${n(x(-d.margin))}" y="${top}" width="${n(x(d.margin) - x(-d.margin))}" height="${bottom - top}" fill="#dafbe1"><title>equivalent within ±${escape(size(d.margin).replace(/^\+/, ''))}</title></rect>`,
    `<line x1="${n(x(0))}" x2="${n(x(0))}" y1="${top}" y2="${bottom}" stroke="#8c959f"/>`,
  ];
  if (floor > 0) {
    for (const v of [-floor, floor]) {
      parts.push(
        `<line class="floor" x1="${n(x(v))}" x2="${n(x(v))}" y1="${top}" y2="${bottom}" stroke="#cf222e" stroke-dasharray="5 4"><title>floor ${escape(duetFloorCell(d))}</title></line>`,
      );
    }
  }
  const colour = row.verdict === 'regressed' ? '#cf222e' : row.verdict === 'improved' ? '#1a7f37' : '#0969da';
  parts.push(
    `<line class="interval" x1="${n(x(low))}" x2="${n(x(high))}" y1="${n(mid)}" y2="${n(mid)}" stroke="${colour}" stroke-width="4"><title>interval ${escape(size(low))} … ${escape(size(high))}</title></line>`,
    `<circle class="change" cx="${n(x(d.change))}" cy="${n(mid)}" r="5" fill="${colour}"><title>B/A ${escape(duetChangeCell(d))}</title></circle>`,
    `<text x="${left}" y="${HEIGHT - 8}">${escape(size(-reach))}</text>`,
    `<text x="${n(x(0))}" y="${HEIGHT - 8}" text-anchor="middle">${escape(size(0))}</text>`,
    `<text x="${WIDTH - left}" y="${HEIGHT - 8}" text-anchor="end">${escape(size(reach))}</text>`,
  );
  const title = `${row.metric} ${row.stat} B against A`;
  return `<svg class="chart duet-chart" role="img" aria-label="${escape(title)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>${escape(title)}</title>${parts.join('')}</svg>`;
}

/** The duet's table: the same columns and words as the Markdown report's. */
function duetTableHtml(scenario: ScenarioResult, rows: readonly MetricComparison[]): string {
  const head = ['Metric', 'Stat', ...DUET_HEADER].map((h) => `<th>${escape(h)}</th>`).join('');
  const body = rows.map(
    (row) =>
      `<tr><td>${escape(row.metric)}</td><td>${escape(row.stat)}</td>${duetCells(row, duetNumbers(scenario, row))
        .map((cell) => `<td>${escape(cell)}</td>`)
        .join('')}</tr>`,
  );
  return `<table class="duet"><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** The duet's rows: the table, then one chart per row of B's change against A. */
function duetSection(scenario: ScenarioResult, rows: readonly MetricComparison[]): string[] {
  const parts = [
    '<h3>Duet: A (baseline-target) and B (target) measured at the same time</h3>',
    '<p class="meta">Each chart: B against A over the paired windows; dot: the change, bar: its interval, red dashes: the floor (smaller changes are not called), green: what equivalent allows.</p>',
    duetTableHtml(scenario, rows),
    '<div class="charts">',
  ];
  for (const row of rows) {
    const d = duetNumbers(scenario, row);
    const chart = d ? duetChart(row, d) : '';
    if (chart)
      parts.push(
        `<figure>${chart}<figcaption><strong>${escape(`${row.metric} ${row.stat}`)}</strong>: ${escape(duetCells(row, d).at(-1)!)}</figcaption></figure>`,
      );
  }
  parts.push('</div>');
  return parts;
}

function endpointTable(endpoints: EndpointResult[]): string {
  const rows = endpoints.map(
    (e) =>
      `<tr><td>${escape(e.endpoint)}</td><td>${e.requests}</td><td>${escape(formatValue(e.failureRate, 'ratio'))}</td><td>${escape(formatValue(e.med, 'ms'))}</td><td>${escape(formatValue(e.p95, 'ms'))}</td><td>${escape(formatValue(e.baselineP95, 'ms'))}</td><td>${escape(formatChange(e.p95Change))}</td></tr>`,
  );
  return `<table class="endpoints"><thead><tr><th>Endpoint</th><th>Requests</th><th>Failed</th><th>Median</th><th>p(95)</th><th>Baseline p(95)</th><th>Change</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function scenarioSection(scenario: ScenarioResult): string {
  const parts = [
    `<section class="scenario"><h2>${escape(scenario.key)} <span class="badge ${scenario.outcome}">${escape(scenario.outcome)}</span></h2>`,
  ];
  if (scenario.error) parts.push(`<pre class="cause">${escape(scenario.error)}</pre>`);
  else if (scenario.inconclusive) parts.push(`<p class="cause inconclusive">Inconclusive: ${escape(scenario.inconclusive)}</p>`);
  if (scenario.verdictNote) parts.push(`<p class="verdict-note"><strong>Verdict:</strong> ${escape(scenario.verdictNote)}</p>`);
  const sorted = [...scenario.metrics].sort((x, y) => VERDICT_ORDER.indexOf(x.verdict) - VERDICT_ORDER.indexOf(y.verdict));
  // Escaped as a whole below: names and code spans stay plain text here.
  const blind = blindSpotText(sorted, { name: (row) => `${row.metric} ${row.stat}`, code: (text) => text }, true);
  if (blind) parts.push(`<p class="blind-spot">⚠️ ${escape(blind)}</p>`);
  // One section per way the rows were decided: a duet has no history to draw.
  const duet = sorted.filter((row) => row.method === 'duet');
  if (duet.length > 0) parts.push(...duetSection(scenario, duet));
  const rows = sorted.filter((row) => row.method !== 'duet');
  if (rows.length > 0) {
    parts.push(
      '<h3>Watched stats</h3><p class="meta">Blue band: where this run was allowed to be; grey line: the accepted value; red dashes: the tolerance limit; the last point is this run.</p>',
    );
    parts.push('<div class="charts">');
    for (const row of rows) {
      const history = scenario.trend?.find((t) => t.metric === row.metric && t.stat === row.stat)?.values ?? [];
      const canSee = row.mde === undefined ? '' : ` — can see changes ≥ ${formatMde(row.mde, row.unit)}`;
      parts.push(
        `<figure>${historyChart(row, history)}<figcaption><strong>${escape(`${row.metric} ${row.stat}`)}</strong>: ${escape(row.verdict)} — ${escape(row.note)}${escape(canSee)}</figcaption></figure>`,
      );
    }
    parts.push('</div>');
  }
  const ab = rows.filter((row) => (row.abBaseline?.length ?? 0) > 0);
  if (ab.length > 0) {
    parts.push('<h3>A/B rounds</h3><div class="charts">');
    for (const row of ab)
      parts.push(`<figure>${ratioChart(row)}<figcaption>${escape(`${row.metric} ${row.stat}`)}: ${escape(row.note)}</figcaption></figure>`);
    parts.push('</div>');
  }
  const endpoints = scenario.analysis?.endpoints ?? [];
  if (endpoints.length > 0) parts.push(`<h3>Endpoints</h3>${endpointTable(endpoints)}`);
  parts.push('</section>');
  return parts.join('\n');
}

/** The whole page. */
export function renderHtmlReport(result: GateResult): string {
  const scenarios = [...result.scenarios].sort((x, y) => OUTCOME_ORDER.indexOf(x.outcome) - OUTCOME_ORDER.indexOf(y.outcome));
  const meta = [
    result.environment && `environment ${result.environment}`,
    result.target && `target ${result.target}`,
    result.k6 && `k6 ${result.k6.version}`,
    `k6-gate ${result.tool.version}`,
    result.generatedAt,
  ].filter(Boolean) as string[];
  const warnings = result.warnings.length
    ? `<ul class="warnings">${result.warnings.map((w) => `<li>${escape(w)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>k6-gate: ${escape(result.outcome)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>k6-gate <span class="badge ${result.outcome}">${escape(result.outcome)}</span></h1>
<p class="meta">${meta.map(escape).join(' · ')} — ${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s)${result.failed ? ', the gate fails the job' : ''}</p>
${warnings}
${scenarios.map(scenarioSection).join('\n')}
</body>
</html>
`;
}
