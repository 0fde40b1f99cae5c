// gate-report.html as text: failures first, a chart per watched stat with band, tolerance line and
// this run, the A/B ratio per round, the per-endpoint table, every run-supplied string escaped and
// nothing that could make a request. The browser test (html-browser.test.ts) loads it in Chromium.
import { describe, expect, it } from 'vitest';
import { historyChart, ratioChart, renderHtmlReport } from '../../src/report/html.js';
import { metricRow } from '../helpers/builders.js';
import { chartedResult, HOSTILE } from './html-fixtures.js';

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(chartedResult());

  it('puts the failing scenario first and draws one history chart per watched stat, the regressed one first', () => {
    expect(html.indexOf('http-endpoints@smoke')).toBeLessThan(html.indexOf('checkout@smoke'));
    const section = html.slice(html.indexOf('http-endpoints@smoke'), html.indexOf('checkout@smoke'));
    expect(section.match(/<svg class="chart history-chart"/g)).toHaveLength(3);
    expect(section.indexOf('aria-label="http_req_duration p(95)"')).toBeLessThan(section.indexOf('aria-label="http_req_duration med"'));
    // 9 accepted runs and this run, the band, the tolerance line at 62 ms + 10 %.
    const chart = historyChart(chartedResult().scenarios[1].metrics[1], [61, 63, 62, 60, 64, 62, 61, 63, 62, 92]);
    expect(chart.match(/<circle class="run"/g)).toHaveLength(9);
    expect(chart).toMatch(/<circle class="current"[^>]*fill="#cf222e"><title>this run: 92 ms<\/title>/);
    expect(chart).toContain('<rect class="band"');
    expect(chart).toMatch(/<g class="tolerance">.*68\.2 ms.*<title>tolerance 10%<\/title><\/g>/);
  });

  it('draws the B/A ratio of every A/B round with the median', () => {
    const section = html.slice(html.indexOf('checkout@smoke'));
    expect(section).toContain('<h3>A/B rounds</h3>');
    const chart = ratioChart(chartedResult().scenarios[0].metrics[0]);
    expect(chart.match(/<circle class="round"/g)).toHaveLength(6);
    expect(chart).toContain('<title>round 1: A 50 ms, B 52 ms, B/A 1.040</title>');
    // The interval of the median pair ratio, as the Markdown A/B table gives it, is shaded.
    expect(chart).toMatch(/<rect class="interval" [^>]*><title>95% interval of the median B\/A: \d\.\d{3} \.\. \d\.\d{3}<\/title><\/rect>/);
    expect(chart).toContain('shaded: its 95% interval');
    expect(ratioChart(metricRow({ metric: 'm', stat: 'avg' }))).toBe('');
  });

  it('lists the endpoints with requests, failures, p(95) and its change', () => {
    expect(html).toContain(
      '<tr><td>GET /api/products</td><td>400</td><td>0.00%</td><td>35 ms</td><td>92 ms</td><td>62 ms</td><td>+48.4%</td></tr>',
    );
  });

  it('escapes every name from the run and holds nothing that could load from elsewhere', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    const attributes = [...html.matchAll(/<[a-z][\w:-]*((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/gi)].flatMap((tag) =>
      [...tag[1].matchAll(/([\w:-]+)(?:="[^"]*")?/g)].map((a) => a[1].toLowerCase()),
    );
    expect(attributes.length).toBeGreaterThan(100);
    expect(attributes.filter((name) => /^(src|href|xlink:href|action|srcset|on\w+)$/.test(name))).toEqual([]);
    expect(html).not.toMatch(/url\(|@import|@font-face/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('a first run (no history) still shows this run, and an error shows its cause', () => {
    const first = chartedResult();
    first.scenarios[1].trend = undefined;
    first.scenarios[1].outcome = 'error';
    first.scenarios[1].error = 'k6 exit 107: the script threw an exception';
    const page = renderHtmlReport(first);
    expect(page).toContain('<pre class="cause">k6 exit 107: the script threw an exception</pre>');
    expect(page).toContain('<title>this run: 92 ms</title>');
  });

  it('says under each chart the smallest change the stat could see, and plainly when that is larger than the tolerance', () => {
    const r = chartedResult();
    const rows = r.scenarios[1].metrics;
    rows[1] = { ...rows[1], mde: 0.4403, mdeBasis: { source: 'history', spread: 0.0792, scale: 'log', alpha: 0.01, power: 0.8 } };
    rows[0] = { ...rows[0], mde: 0.0612 };
    rows[2] = { ...rows[2], mde: 0.5 };
    const page = renderHtmlReport(r);
    // A name the script controls stays inert in the sentence too.
    expect(page).not.toContain(HOSTILE);
    expect(page).toMatch(/<p class="blind-spot">[^<]*≥ 50% on http_req_duration\{name:&lt;img/);
    expect(page).toContain(`— can see changes ≥ 45%</figcaption>`);
    expect(page).toContain(`— can see changes ≥ 6.2%</figcaption>`);
    expect(page).toMatch(
      /<p class="blind-spot">⚠️ This gate can only see changes ≥ 45% on http_req_duration p\(95\)[^<]*; the tolerance is 10%: smaller regressions pass unseen\. [^<]*A\/B mode \(baseline-target\)[^<]*<\/p>/,
    );
    expect(html).not.toContain('blind-spot">');
    expect(html).not.toContain('can see changes');
  });
});
