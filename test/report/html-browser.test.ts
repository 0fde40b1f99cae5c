// gate-report.html in a real headless Chromium: it loads with no console error and no request
// (charts are inline SVG, no script, no font from elsewhere), the charts are there and visible, a
// hostile name stays text, and a screenshot is kept for a person to look at
// (results/test-artifacts/gate-report.png, gitignored).
import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATE_REPORT_FILE, renderHtmlReport } from '../../src/report/html.js';
import { openInChromium, type OpenedPage } from '../helpers/browser.js';
import { chartedResult } from './html-fixtures.js';

const ARTIFACTS = path.join(import.meta.dirname, '../../results/test-artifacts');

describe('gate-report.html in headless Chromium', () => {
  let page: OpenedPage;
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-html-'));
    const file = path.join(dir, GATE_REPORT_FILE);
    await writeFile(file, renderHtmlReport(chartedResult()));
    page = await openInChromium(file);
  });
  afterAll(async () => {
    await page?.close();
  });

  it('loads with no console error and no network request, and draws every chart', async () => {
    expect(page.problems).toEqual([]);
    expect(page.requests).toEqual([]);
    const charts = await page.evaluate<{ history: number; ratio: number; sized: number; points: number }>(`({
      history: document.querySelectorAll('svg.history-chart').length,
      ratio: document.querySelectorAll('svg.ratio-chart').length,
      sized: [...document.querySelectorAll('svg.chart')].filter((svg) => svg.getBoundingClientRect().width > 400 && svg.getBoundingClientRect().height > 100).length,
      points: document.querySelectorAll('svg.history-chart circle').length,
    })`);
    // 3 stats of the history-mode scenario and 1 of the A/B one; 10 + 6 points with history, 1 + 1 without.
    expect(charts).toEqual({ history: 4, ratio: 1, sized: 5, points: 10 + 6 + 1 + 1 });
    expect(await page.evaluate<number>(`document.querySelectorAll('table.endpoints tbody tr').length`)).toBe(2);
  });

  it('shows a hostile endpoint name as text, never as an element', async () => {
    expect(await page.evaluate<number>(`document.querySelectorAll('img, script, iframe').length`)).toBe(0);
    expect(await page.evaluate<string>(`document.querySelector('table.endpoints tbody tr:nth-child(2) td').textContent`)).toBe(
      'GET /<img src=x onerror="alert(1)">',
    );
  });

  it('keeps a screenshot as a test artifact', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'gate-report.png');
    await page.screenshot(shot);
    const { size } = await stat(shot);
    expect(size).toBeGreaterThan(10_000);
    console.log(`screenshot: ${path.relative(process.cwd(), shot)} (${size} bytes)`);
  });
});
