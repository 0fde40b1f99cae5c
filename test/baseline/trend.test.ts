// The long trend in the baseline and `baseline show --changes`: a step injected into a recorded
// trend is found at the right commit, one odd run is not a step, and the file stays small.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBaselineChanges } from '../../src/baseline/commands.js';
import { parseBaseline, serializeBaseline, type BaselineFile } from '../../src/baseline/format.js';
import { appendTrend, findChangePoints, sparkline, type BaselineTrend } from '../../src/baseline/trend.js';
import { updateBaseline } from '../../src/baseline/update.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { counter, rate, rulesWith, summaryOf, trend } from './fixtures.js';

/** Deterministic noise of about ±3 %. */
function noise(i: number): number {
  return (((i * 7919) % 61) / 60 - 0.5) * 0.06;
}

/** A baseline recorded run by run through updateBaseline, p(95) stepping from ~100 to ~130 ms at run `stepAt`. */
function recordedBaseline(runs: number, stepAt: number, outlierAt?: number): BaselineFile {
  let baseline: BaselineFile | undefined;
  const rules = rulesWith(['http_req_duration:p(95)', 'http_req_failed:rate', 'http_reqs:rate']);
  for (let i = 0; i < runs; i++) {
    const level = i >= stepAt ? 130 : 100;
    const p95 = i === outlierAt ? 300 : level * (1 + noise(i));
    const summary = summaryOf({
      http_req_duration: trend({ 'p(95)': p95 }),
      http_req_failed: rate(0.001),
      http_reqs: counter(1000, 50 * (1 + noise(i + 3))),
    });
    const date = new Date(Date.UTC(2026, 9, 1) + i * 86_400_000).toISOString();
    baseline = updateBaseline(
      baseline,
      [{ key: 'checkout', scenario: 'checkout', summary, k6Version: '2.2.0', commit: `c0ffee${String(i).padStart(2, '0')}`, date }],
      rules,
    );
  }
  return baseline!;
}

describe('baseline trend', () => {
  it('keeps one row per accepted run, bounded to the last 50', () => {
    const baseline = recordedBaseline(60, 100);
    const t = baseline.scenarios.checkout.trend!;
    expect(t.stats).toEqual(['http_req_duration p(95)', 'http_req_failed rate', 'http_reqs rate']);
    expect(t.runs).toHaveLength(50);
    expect(t.runs[0].commit).toBe('c0ffee10');
    expect(t.runs[49]).toMatchObject({ commit: 'c0ffee59', date: '2026-11-29T00:00:00Z' });
    // Round trip through the file keeps it, one run per line.
    const text = serializeBaseline(baseline);
    expect(parseBaseline(text, 'k6-baseline.json').scenarios.checkout.trend).toEqual(t);
    expect(text).toContain('\n          {"date":"2026-11-29T00:00:00Z","values":[');
  });

  it('a stat added later leaves older rows shorter, and an unknown stat is null', () => {
    let t: BaselineTrend | undefined = appendTrend(undefined, { a: 1 }, { date: '2026-01-01T00:00:00Z' });
    t = appendTrend(t, { a: 2, b: 5 }, { date: '2026-01-02T00:00:00Z', commit: 'x' });
    t = appendTrend(t, { b: 6 }, { date: '2026-01-03T00:00:00Z' });
    expect(t).toEqual({
      stats: ['a', 'b'],
      runs: [
        { date: '2026-01-01T00:00:00Z', values: [1] },
        { date: '2026-01-02T00:00:00Z', commit: 'x', values: [2, 5] },
        { date: '2026-01-03T00:00:00Z', values: [null, 6] },
      ],
    });
  });

  it('finds a step injected into a recorded trend at the right commit, and by how much', () => {
    const baseline = recordedBaseline(40, 25);
    const steps = findChangePoints(baseline.scenarios.checkout.trend!, 'http_req_duration p(95)');
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ commit: 'c0ffee25', index: 25 });
    expect(steps[0].change).toBeGreaterThan(0.25);
    expect(steps[0].change).toBeLessThan(0.35);
    expect(findChangePoints(baseline.scenarios.checkout.trend!, 'http_reqs rate')).toEqual([]);
  });

  it('one odd run is not a step', () => {
    const baseline = recordedBaseline(40, 1000, 20);
    expect(findChangePoints(baseline.scenarios.checkout.trend!, 'http_req_duration p(95)')).toEqual([]);
  });

  it('k6-gate baseline show --changes names the commit where p(95) stepped and the size of the step', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'k6-baseline.json'), serializeBaseline(recordedBaseline(40, 25)));
    const run = await runCli(['baseline', 'show', '--changes'], ws);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^checkout \(40 runs, 2026-10-01T00:00:00Z \.\. 2026-11-09T00:00:00Z\)$/m);
    expect(run.stdout).toMatch(
      /^ {2}http_req_duration p\(95\) +stepped \+[23]\d(\.\d)?% +at c0ffee25 \(2026-10-26T00:00:00Z, run 26 of 40\) +\d+(\.\d+)? ms → 1[23]\d(\.\d+)? ms$/m,
    );
    expect(renderBaselineChanges(recordedBaseline(10, 1000), 'b.json')).toContain('checkout (10 runs');
  });

  it('draws a sparkline per series', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5])).toBe('▄▄');
  });

  it('size: 50 runs × 6 stats × 5 scenarios stays small', () => {
    const baseline: BaselineFile = { version: 1, scenarios: {} };
    for (let s = 0; s < 5; s++) {
      let t: BaselineTrend | undefined;
      for (let i = 0; i < 50; i++) {
        const values: Record<string, number> = {};
        for (const stat of [
          'http_req_duration p(95)',
          'http_req_duration p(99)',
          'http_req_duration avg',
          'http_req_failed rate',
          'http_reqs rate',
          'checks rate',
        ]) {
          values[stat] = Number((123.456 * (1 + noise(i + s))).toPrecision(6));
        }
        t = appendTrend(t, values, {
          date: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString().replace('.000Z', 'Z'),
          commit: 'a1b2c3d4e5f6',
        });
      }
      baseline.scenarios[`s${s}`] = { scenario: `s${s}`, metrics: {}, trend: t };
    }
    const bytes = Buffer.byteLength(serializeBaseline(baseline));
    console.log(`trend of 50 runs × 6 stats × 5 scenarios: ${bytes} bytes`);
    expect(bytes).toBeLessThan(40_000);
  });
});
