// What every report says about a duet: A and B measured at the same time, the change with its
// interval, the floor that applied, what the row could see, when the duet stopped and why; never a
// baseline, an accepted value or a history. The scenarios go through the gate's own mapping
// (duetScenarioResult, see duet-cases.ts).
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { GateResult, ScenarioResult } from '../../src/model.js';
import { formatPointChange } from '../../src/format.js';
import { slackMessage } from '../../src/notify/sinks/slack.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { renderJUnit } from '../../src/report/junit.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { gateResult, metricRow, scenarioResult } from '../helpers/builders.js';
import { duetAa, duetEquivalent, duetInconclusive, duetRegressed } from './duet-cases.js';

const DUET_HEADER = '| Metric | Stat | A (baseline-target) | B (target) | Change B/A (interval) | Floor | Can see ≥ | Verdict |';

/** The scenario's part of the report, from its title to the footer, with the tables' padding squeezed to one space. */
function scenarioPart(md: string): string {
  return md.slice(md.indexOf('### '), md.indexOf('<sub>k6-gate')).replace(/ {2,}/g, ' ');
}

/** Words of history mode that a duet's report must not use. */
const HISTORY_WORDS = /\bBaseline\b|This run|this run|accepted|history|History/;

describe('a duet in the Markdown report (PR comment, job summary, MR note)', () => {
  it('regressed: A and B side by side, the change with its interval, the floor, what it could see, when it stopped and why', () => {
    const md = renderMarkdownReport(duetRegressed(), { limit: { max: 65_000, description: 'a limit' } });
    const part = scenarioPart(md);
    expect(part).toContain(DUET_HEADER);
    expect(part).toContain(
      '| `http_req_duration` | p(95) | 50 ms | 52.8 ms | +5.6% (+1.2% … +10.1%) | ±2% practical size | 3.1% ⚠️ | 🔴 regressed |',
    );
    expect(part).toContain(
      '| `http_req_failed` | rate | 0.10% | 0.10% | ±0.00 pp (-0.12 pp … +0.12 pp) | ±0.12 pp window noise | 0.19 pp | ⚪ equivalent within ±0.5 pp |',
    );
    expect(part).toContain(
      '**Verdict:** duet stopped at look 1 of 3 after 20 s of k6 per side: B is worse than A on http_req_duration:p(95)',
    );
    expect(part).toContain('<details><summary>Why: 1 regressed</summary>');
    expect(part).toContain(
      '- `http_req_duration` p(95): B 52.8 ms against A 50 ms, each pooled over the same 20 paired windows (both measured at the same time); ' +
        'B/A +5.6% (+1.2% … +10.1%), past the ±2% floor (practical size); p = 0.0012 against the 0.0147 this look allows',
    );
    expect(part).not.toMatch(HISTORY_WORDS);
    // The header names the duet, not a baseline file the duet did not read; so does the charts line.
    expect(md).toContain(
      'target `http://127.0.0.1:8081` · k6 2.2.0 · A/B duet: A is `baseline-target`, B is the target, measured at the same time',
    );
    expect(md).not.toContain('k6-baseline.json');
    const linked = renderMarkdownReport(duetRegressed(), { htmlReport: { resultsDir: 'out' } });
    expect(linked).toContain("📈 Charts of B's change against A per watched stat, and the per-endpoint table: `out/gate-report.html`");
  });

  it('equivalent: each row "equivalent within" its margin, nothing to explain', () => {
    const part = scenarioPart(renderMarkdownReport(duetEquivalent()));
    expect(part).toContain('### ✅ checkout · profile smoke — passed');
    expect(part.match(/⚪ equivalent within ±2% \|/g)).toHaveLength(2);
    expect(part).toContain('⚪ equivalent within ±0.5 pp');
    expect(part).toContain(
      '**Verdict:** duet stopped at look 2 of 3 after 40 s of k6 per side: B is equivalent to A within ±2.0 % on latencies and ±0.50 pp on the error rate',
    );
    expect(part).not.toContain('Why:');
    expect(part).not.toMatch(HISTORY_WORDS);
  });

  it('inconclusive: the verdict, the window noise as the floor, and why neither a change nor equivalence was shown', () => {
    const part = scenarioPart(renderMarkdownReport(duetInconclusive()));
    expect(part).toContain('> **Inconclusive:** max-duration reached without a decision on http_req_duration:p(95).');
    expect(part).toContain('| p(95) | 50 ms | 50.6 ms | +1.3% (-1.5% … +4.2%) | ±2.9% window noise | 4.1% ⚠️ | ❔ inconclusive |');
    expect(part).toContain('**Verdict:** duet stopped at look 3 of 3 after 60 s of k6 per side');
    expect(part).toContain('<details><summary>Why: 1 inconclusive</summary>');
    expect(part).toContain(
      'B/A +1.3% (-1.5% … +4.2%); the interval holds 0 and reaches past ±2%: neither a change nor equivalence is shown',
    );
    // What it could see, with the duet's advice (a longer duet), not the history's.
    expect(part).toContain('This gate can only see changes ≥ 4.1% on `http_req_duration` p(95)');
    expect(part).toContain('a longer `max-duration` sees smaller changes');
    expect(part).not.toMatch(HISTORY_WORDS);
  });

  it('an A/A run says it is an A/A check and what equivalent means there', () => {
    const part = scenarioPart(renderMarkdownReport(duetAa()));
    expect(part).toContain(
      "**Verdict:** A/A check: the duet of the base against itself; equivalent means the two sides' infrastructure is alike. duet stopped at look 1 of 3",
    );
    expect(part).not.toMatch(HISTORY_WORDS);
  });

  it('a duet next to a history-mode scenario: each with its own table', () => {
    const history = scenarioResult({
      scenario: 'browse',
      key: 'browse',
      metrics: [metricRow({ metric: 'http_req_duration', stat: 'p(95)', mde: 0.05 })],
    });
    const md = renderMarkdownReport(gateResult({ ...duetRegressed(), scenarios: [...duetRegressed().scenarios, history] })).replace(
      / {2,}/g,
      ' ',
    );
    expect(md.split(DUET_HEADER)).toHaveLength(2);
    expect(md.split('| Metric | Stat | Baseline | This run | Change | Allowed | Can see ≥ | Verdict |')).toHaveLength(2);
  });
});

describe('a duet in a compact comment', () => {
  it('keeps the failing duet scenario, its failing row and when it stopped; the passing scenario goes first', () => {
    const regressed = duetRegressed().scenarios[0];
    const thresholds = Array.from({ length: 400 }, (_, i) => ({
      metric: `http_req_duration{name:e${i}}`,
      expression: 'p(95)<500',
      ok: true,
    }));
    const passing: ScenarioResult = { ...duetEquivalent().scenarios[0], scenario: 'browse', key: 'browse@smoke', thresholds };
    const r: GateResult = { ...duetRegressed(), scenarios: [passing, regressed] };
    expect(renderMarkdownReport(r).length).toBeGreaterThan(6_000);
    const md = renderMarkdownReport(r, { limit: { max: 6_000, description: 'a test limit of 6,000 characters' } });
    expect(md.length).toBeLessThanOrEqual(6_000);
    expect(md).toContain('### ❌ checkout · profile smoke — regressed');
    expect(md).toMatch(
      /\| `http_req_duration` \| p\(95\) \| 50 ms \| 52\.8 ms \| \+5\.6% \(\+1\.2% … \+10\.1%\) \| ±2% practical size \| 3\.1% ⚠️ \| 🔴 regressed \|/,
    );
    expect(md).toContain(
      '**Verdict:** duet stopped at look 1 of 3 after 20 s of k6 per side: B is worse than A on http_req_duration:p(95)',
    );
    expect(md).toContain('This report was shortened');
    expect(md.indexOf('checkout')).toBeLessThan(md.indexOf('browse') === -1 ? Infinity : md.indexOf('browse'));
  });
});

describe('a duet in gate-report.html', () => {
  it('the same columns and words as the Markdown table, the stop sentence, and a chart of the change against the floor per row', () => {
    const html = renderHtmlReport(duetRegressed());
    expect(html).toContain(
      '<tr><th>Metric</th><th>Stat</th><th>A (baseline-target)</th><th>B (target)</th><th>Change B/A (interval)</th><th>Floor</th><th>Can see ≥</th><th>Verdict</th></tr>',
    );
    expect(html).toContain(
      '<tr><td>http_req_duration</td><td>p(95)</td><td>50 ms</td><td>52.8 ms</td><td>+5.6% (+1.2% … +10.1%)</td><td>±2% practical size</td><td>3.1% ⚠️</td><td>🔴 regressed</td></tr>',
    );
    expect(html).toContain(
      '<p class="verdict-note"><strong>Verdict:</strong> duet stopped at look 1 of 3 after 20 s of k6 per side: B is worse than A on http_req_duration:p(95)</p>',
    );
    expect(html.match(/<svg class="chart duet-chart"/g)).toHaveLength(3);
    expect(html).toMatch(/<circle class="change" [^>]*fill="#cf222e"><title>B\/A \+5\.6% \(\+1\.2% … \+10\.1%\)<\/title>/);
    expect(html).toContain('<title>floor ±2% practical size</title>');
    // No history chart, no accepted value, no "this run" for a duet.
    expect(html).not.toContain('history-chart');
    const body = html.slice(html.indexOf('<body>'));
    expect(body).not.toMatch(/accepted|this run|history/);
  });

  it('equivalent, inconclusive and A/A read as in Markdown', () => {
    expect(renderHtmlReport(duetEquivalent())).toContain('<td>⚪ equivalent within ±2%</td>');
    const inconclusive = renderHtmlReport(duetInconclusive());
    expect(inconclusive).toContain('<td>+1.3% (-1.5% … +4.2%)</td><td>±2.9% window noise</td><td>4.1% ⚠️</td><td>❔ inconclusive</td>');
    expect(inconclusive).toContain('Inconclusive: max-duration reached without a decision on http_req_duration:p(95)');
    expect(renderHtmlReport(duetAa())).toContain('<strong>Verdict:</strong> A/A check: the duet of the base against itself');
    for (const r of [duetEquivalent(), duetInconclusive(), duetAa()]) {
      expect(renderHtmlReport(r).slice(renderHtmlReport(r).indexOf('<body>'))).not.toMatch(/accepted|this run|history/);
    }
  });
});

describe('a duet in JUnit and Slack', () => {
  it('JUnit: the failure of a regressed duet row names A and B, the change with its interval and the floor; no baseline, no accepted band', () => {
    const doc = new XMLParser({ ignoreAttributes: false }).parse(renderJUnit(duetRegressed()));
    const cases = [doc.testsuites.testsuite].flat().flatMap((s: { testcase: unknown }) => [s.testcase].flat()) as {
      '@_name': string;
      failure?: { '#text': string; '@_message': string };
    }[];
    const p95 = cases.find((c) => c['@_name'] === 'http_req_duration p(95)')!;
    const text = p95.failure!['#text'];
    expect(text).toContain('A (baseline-target): 50 ms');
    expect(text).toContain('B (target): 52.8 ms');
    expect(text).toContain('change B/A (interval): +5.6% (+1.2% … +10.1%)');
    expect(text).toContain('floor: ±2% practical size');
    expect(text).toContain('method: duet, paired windows: 20, can see ≥ 3.1%');
    expect(text).not.toMatch(/baseline:|accepted band/);
    expect(p95.failure!['@_message']).toMatch(/^regressed: duet p\(95\): B 52\.8 ms vs A 50 ms, \+5\.6% \(interval \+1\.2% … \+10\.1%\)/);
  });

  it('Slack: a regressed duet row says A → B with the change and its interval, then when the duet stopped', () => {
    const text = JSON.stringify(slackMessage(duetRegressed()).blocks);
    expect(text).toContain('• `http_req_duration` p(95): A 50 ms → B 52.8 ms: +5.6% (+1.2% … +10.1%)');
    expect(text).toContain('duet stopped at look 1 of 3 after 20 s of k6 per side: B is worse than A on http_req_duration:p(95)');
    expect(text).not.toMatch(/baseline|history|accepted/i);
  });
});

describe('a change of the error rate', () => {
  it('is signed percentage points, rounded alike both ways, with one spelling for none', () => {
    expect([0.004, -0.0012, 0.0000049, -0.0057500001, 0.0057500001].map(formatPointChange)).toEqual([
      '+0.40 pp',
      '-0.12 pp',
      '±0.00 pp',
      '-0.58 pp',
      '+0.58 pp',
    ]);
  });
});
