import { describe, expect, it } from 'vitest';
import type { GateResult, MetricComparison, ScenarioResult, ThresholdResult } from '../../src/model.js';
import { formatChange, formatCount, formatDuration, formatValue, relativeChange } from '../../src/format.js';
import { compareCodeUnits } from '../../src/json.js';
import type { ReportLimit } from '../../src/report/markdown-fit.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { gateResult } from '../helpers/builders.js';

function row(over: Partial<MetricComparison>): MetricComparison {
  return {
    metric: 'http_req_duration',
    stat: 'p(95)',
    unit: 'ms',
    direction: 'lower-is-better',
    baseline: 180,
    current: 212,
    change: 212 / 180 - 1,
    verdict: 'regressed',
    method: 'prediction-interval',
    band: { low: 170, high: 198 },
    limitBy: 'interval',
    samples: 8,
    tolerance: 0.1,
    note: 'p(95) 212 ms vs 180 ms ±9 ms, n=8, +17.8%, limit 198 ms by 99% interval',
    ...over,
  };
}

function result(over: Partial<GateResult> = {}): GateResult {
  return gateResult({
    generatedAt: '2026-11-23T08:00:00.000Z',
    k6: { version: '2.2.0', path: '/usr/bin/k6', source: 'cache' },
    target: 'https://staging.example.com',
    outcome: 'thresholds-failed',
    failed: true,
    regressions: 1,
    thresholdsFailed: 1,
    scenarios: [
      {
        scenario: 'checkout',
        profile: 'smoke',
        key: 'checkout@smoke',
        exitCode: 99,
        exitMeaning: "the script's thresholds were crossed",
        outcome: 'thresholds-failed',
        thresholds: [
          { metric: 'http_req_duration', expression: 'p(95)<200', ok: false },
          { metric: 'checks', expression: 'rate>0.99', ok: true },
        ],
        metrics: [
          row({
            metric: 'http_req_failed',
            stat: 'rate',
            unit: 'ratio',
            baseline: 0.001,
            current: 0.0008,
            change: -0.2,
            verdict: 'unchanged',
            band: { low: 0, high: 0.011 },
            limitBy: 'noise floor',
          }),
          row({}),
          row({
            metric: 'http_reqs',
            stat: 'rate',
            unit: 'per-second',
            direction: 'higher-is-better',
            baseline: undefined,
            current: 41.23,
            change: undefined,
            verdict: 'new',
            band: undefined,
            limitBy: undefined,
            method: 'none',
            samples: 0,
          }),
        ],
        files: {},
      },
    ],
    ...over,
  });
}

const scenario = (over: Partial<ScenarioResult>): ScenarioResult => ({ ...result().scenarios[0], ...over });

describe('renderMarkdownReport', () => {
  it('shows the verdict, the rows with units, failing rows first, and the thresholds crossed first', () => {
    const md = renderMarkdownReport(result());
    expect(md).toContain('## ❌ k6-gate: k6 thresholds crossed');
    expect(md).toContain('1 regression, 1 crossed threshold — **the gate fails this job**');
    expect(md).toMatch(
      /\| `http_req_duration` \| p\(95\) \| +180 ms \| +212 ms \| +\+17\.8% \| ≤ 198 ms \(interval of 8 runs\) \| 🔴 regressed \|/,
    );
    expect(md).toMatch(/\| `http_req_failed` +\| rate +\| +0\.10% \| +0\.08% \| +-20\.0% \| +≤ 1\.10% \(noise floor\) \|/);
    expect(md).toMatch(/\| `http_reqs` +\| rate +\| +— \| +41\.2\/s \| +— \| +— \| 🆕 new/);
    // The regressed row comes before the unchanged one the watch list put first.
    expect(md.indexOf('`http_req_duration`')).toBeLessThan(md.indexOf('`http_req_failed`'));
    expect(md).toContain('**k6 thresholds:** 1 of 2 crossed');
    expect(md.indexOf('`http_req_duration`: `p(95)<200` | ❌ crossed')).toBeLessThan(md.indexOf('`checks`: `rate>0.99`'));
  });

  it('says in the Allowed column the rule the note names, and explains only the rows that moved', () => {
    const md = renderMarkdownReport(
      result({
        scenarios: [
          scenario({
            metrics: [
              row({
                baseline: 30.4,
                current: 40,
                change: 40 / 30.4 - 1,
                band: { low: 24.3, high: 36.5 },
                limitBy: 'tolerance',
                tolerance: 0.2,
                samples: 9,
              }),
              row({ stat: 'med', verdict: 'unchanged', current: 181, change: 181 / 180 - 1, limitBy: 'noise floor' }),
            ],
          }),
        ],
      }),
    );
    expect(md).toContain('≤ 36.5 ms (tolerance 20%)');
    expect(md).not.toContain('interval of 9 runs');
    expect(md).toContain('<details><summary>Why: 1 regressed</summary>');
    expect(md).toContain(
      '- `http_req_duration` p(95): 40 ms against 30.4 ms accepted (+31.6%), past the limit 36.5 ms set by the 20% tolerance.',
    );
    // The unchanged row gets no sentence, and no statistician's shorthand is left.
    expect(md).not.toMatch(/`http_req_duration` med:/);
    expect(md).not.toMatch(/signed-rank|pp noise floor|p\(95\): p\(95\)/);
    const missing = renderMarkdownReport(
      result({
        scenarios: [
          scenario({
            metrics: [
              row({
                verdict: 'missing',
                severity: 'error',
                current: undefined,
                change: undefined,
                note: 'p(95) missing: this run has no http_req_duration (baseline 180 ms, n=8)',
              }),
            ],
          }),
        ],
      }),
    );
    expect(missing).toContain(
      '- `http_req_duration` p(95): missing: this run has no http_req_duration (baseline 180 ms, n=8); counted as a regression.',
    );
  });

  it('draws the history its label claims: as many glyphs as accepted runs, plus this run', () => {
    const r = result();
    r.scenarios[0].trend = [{ metric: 'http_req_duration', stat: 'p(95)', values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 12], accepted: 9 }];
    const md = renderMarkdownReport(r);
    const cell = /\| ([▁▂▃▄▅▆▇█]+) \(9 runs \+ this\) \|/.exec(md);
    expect(cell?.[1]).toHaveLength(10);
  });

  it('shows A and B side by side with the change and its interval in A/B mode', () => {
    const ab = row({
      method: 'paired',
      band: undefined,
      limitBy: undefined,
      baseline: 180,
      current: 33,
      change: 0.15,
      runs: [34, 35, 33, 36, 34, 35],
      abBaseline: [30, 30, 29, 31, 30, 30],
    });
    const md = renderMarkdownReport(result({ scenarios: [scenario({ metrics: [ab] })] }));
    expect(md).toMatch(/\| Metric +\| Stat +\| A \(baseline-target\) \| B \(target\) \| Change B\/A \| +95% interval \| Verdict/);
    // The stored baseline (180 ms) is not what A/B compared: A and B are. With 6 pairs the interval of
    // the median pair ratio runs from the smallest ratio (34/30, 33/29 → +13.3 %) to the largest (+16.7 %).
    expect(md).toMatch(/\| `http_req_duration` \| p\(95\) \| +30 ms \| +34\.5 ms \| +\+15\.0% \| \+13\.3% … \+16\.7% \|/);
    expect(md).not.toContain('180 ms');
    expect(md).toContain('B was worse in 6 of 6 pairs');
  });

  it('says why an A/B change that looks real was not counted', () => {
    const ab = (over: Partial<MetricComparison>) =>
      row({
        method: 'paired',
        band: undefined,
        limitBy: undefined,
        verdict: 'unchanged',
        change: 0.25,
        runs: [5, 5.1, 5.2, 4.9, 5, 5.1],
        abBaseline: [4, 4.1, 4.1, 3.9, 4, 4.1],
        abDecision: { p: 0.03125, alpha: 0.05, difference: 1.05, noiseFloor: 2, minEffect: 0.05 },
        ...over,
      });
    const md = renderMarkdownReport(
      result({
        scenarios: [
          scenario({
            metrics: [
              ab({}),
              ab({
                metric: 'iteration_duration',
                change: 0.3,
                abDecision: { p: 0.3125, alpha: 0.05, difference: 30, noiseFloor: 2, minEffect: 0.05 },
              }),
              ab({ metric: 'quiet', change: 0.01, abDecision: { p: 0.5, alpha: 0.05, difference: 0.1, noiseFloor: 2, minEffect: 0.05 } }),
            ],
          }),
        ],
      }),
    );
    expect(md).toContain('<details><summary>Why: 2 not counted</summary>');
    expect(md).toContain('B was worse in 6 of 6 pairs; not counted: the median pair difference, 1.05 ms, is within the 2 ms noise floor.');
    expect(md).toContain(
      'not counted: the pairs do not agree often enough (identical versions would look this one-sided in 31.25% of runs; A/B mode needs under 5%).',
    );
    expect(md).not.toMatch(/`quiet` p\(95\):/);
  });

  it('says when the policy does not block', () => {
    const md = renderMarkdownReport(result({ failed: false, failOn: [] }));
    expect(md).toContain('**not blocking** (policy)');
    expect(md).toContain('report only');
  });

  describe('headlines name the cause', () => {
    const errorScenario = (error: string, over: Partial<ScenarioResult> = {}): ScenarioResult =>
      scenario({ outcome: 'error', error, thresholds: [], metrics: [], exitCode: undefined, ...over });

    it('an error: the cause, not "0 regressions — the gate fails this job"', () => {
      const md = renderMarkdownReport(
        result({ outcome: 'error', scenarios: [errorScenario('target health check http://x/health did not succeed')] }),
      );
      expect(md).toContain('## 💥 k6-gate: the load test could not run');
      expect(md).toContain('**Error:** target health check `http://x/health` did not succeed. An error fails the job');
      expect(md).not.toMatch(/0 regressions|regression\(s\)/);
    });

    it('a very long cause is quoted short in the headline and in full under its scenario', () => {
      const cause = `config error: ${'x'.repeat(5_000)}`;
      const md = renderMarkdownReport(result({ outcome: 'error', scenarios: [errorScenario(cause)] }));
      const status = md.split('\n').find((line) => line.startsWith('**Bad input:**'))!;
      expect(status.length).toBeLessThan(400);
      expect(status).toContain('x …');
      expect(md).toContain(`> **Error:** ${cause}`);
    });

    it('a script that threw: the exception in the headline and in full under its scenario', () => {
      const exception = 'Error: boom ```\n\tat default (file:///s.js:3:9(4))';
      const md = renderMarkdownReport(
        result({
          outcome: 'error',
          scenarios: [errorScenario('k6 exit 107: the script threw an exception', { exitCode: 107, exception })],
        }),
      );
      expect(md).toContain('**Error:** k6 exit 107: the script threw an exception. The script threw ```` Error: boom ``` ````.');
      expect(md).toContain('The script threw:\n\n````text\nError: boom ```\n\tat default (file:///s.js:3:9(4))\n````');
    });

    it('cancelled and bad input', () => {
      const cancelled = renderMarkdownReport(
        result({ outcome: 'error', cancelled: 'SIGTERM', scenarios: [errorScenario('k6 was stopped')] }),
      );
      expect(cancelled).toContain('## ⛔ k6-gate: cancelled (SIGTERM)');
      expect(cancelled).toContain('### ⛔ checkout · profile smoke — cancelled');
      const bad = renderMarkdownReport(
        result({ outcome: 'error', scenarios: [errorScenario('config error: watch names http_req_duraton, which no run has')] }),
      );
      expect(bad).toContain('## 💥 k6-gate: bad input');
      expect(bad).toContain('**Bad input:** config error: watch names http_req_duraton, which no run has.');
      expect(renderMarkdownReport(result({ outcome: 'error', badInput: true, scenarios: [errorScenario('tolerance -5%')] }))).toContain(
        '## 💥 k6-gate: bad input',
      );
    });
  });

  it('titles a scenario by name and profile, never by a key with empty parts', () => {
    const md = renderMarkdownReport(result({ scenarios: [scenario({ scenario: 'big-b', profile: undefined, key: 'big-b@@demo' })] }));
    expect(md).toContain('### ❌ big-b — thresholds crossed');
    expect(md).not.toContain('@@');
  });

  it('marks a per-endpoint Max from histogram buckets as an upper bound, and says each warning once', () => {
    const endpoint = { endpoint: 'GET /a', requests: 10, failed: 0, failureRate: 0, avg: 20, med: 19, p95: 55, max: 62.5 };
    const warning = 'k6 used 1.9 of 2 CPU cores: the load generator, not the target, may set the pace';
    const analysis = {
      samples: 20,
      source: 'remote-write' as const,
      endpointCount: 2,
      endpoints: [endpoint, { ...endpoint, endpoint: 'GET /b' }],
      errors: [],
      failedChecks: [],
      loadGenerator: { droppedIterations: 0, warnings: [warning, warning] },
    };
    const md = renderMarkdownReport(result({ scenarios: [scenario({ analysis })], warnings: [warning, warning] }));
    expect(md).toContain('| Max (upper bound) |');
    expect(md).toMatch(/\| `GET \/a` \|.*\| +≤ 62\.5 ms \|/);
    expect(md.split(warning).length - 1).toBe(2); // once under the scenario, once in the warnings
  });
});

describe('escaping what a script controls', () => {
  const hostile = 'evil` <img src=x onerror=alert(1)> @octocat [click](https://evil.example) acme/shop#1 `';

  /** The Markdown outside code spans and code blocks (CommonMark's rules), with escapes removed. */
  function outsideCode(md: string): string {
    const withoutBlocks = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, '');
    let out = '';
    for (let i = 0; i < withoutBlocks.length;) {
      const c = withoutBlocks[i];
      if (c === '\\') {
        i += 2; // an escaped character is literal text
        continue;
      }
      if (c === '`') {
        const run = /^`+/.exec(withoutBlocks.slice(i))![0];
        const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
        close.lastIndex = i + run.length;
        const end = close.exec(withoutBlocks);
        if (end) {
          i = end.index + run.length;
          continue;
        }
        i += run.length;
        continue;
      }
      out += c;
      i++;
    }
    return out;
  }

  it('keeps hostile names inert in every table, heading, note and warning', () => {
    const threshold: ThresholdResult = { metric: hostile, expression: hostile, ok: false };
    const md = renderMarkdownReport(
      result({
        environment: hostile,
        warnings: [hostile],
        scenarios: [
          scenario({
            scenario: hostile,
            error: hostile,
            exception: `${hostile}\n${hostile}`,
            verdictNote: hostile,
            thresholds: [threshold],
            metrics: [row({ metric: hostile, stat: hostile, verdict: 'missing', severity: 'error', note: hostile })],
            analysis: {
              samples: 1,
              endpointCount: 1,
              endpoints: [{ endpoint: hostile, requests: 1, failed: 1, failureRate: 1, avg: 1, med: 1, p95: 1, max: 1 }],
              errors: [{ endpoint: hostile, status: hostile, errorCode: hostile, count: 1, firstAt: hostile, firstAfterMs: 5 }],
              failedChecks: [{ name: hostile, fails: 1, passes: 0 }],
              loadGenerator: { droppedIterations: 0, warnings: [hostile] },
            },
          }),
        ],
      }),
    );
    const live = outsideCode(md);
    expect(md).toContain('evil');
    expect(live).not.toMatch(/<img|@octocat|\[click\]|https:\/\/evil|acme\/shop#1/);
    // Every table row still has the columns of its header: no cell was split by the name.
    for (const line of md.split('\n').filter((l) => l.startsWith('| `'))) {
      expect(line.replace(/\\\|/g, '').match(/\|/g)!.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('the old renderer would not have passed: a backtick ends a one-backtick code span', () => {
    expect(outsideCode(`\`${hostile}\``)).toMatch(/<img/);
  });
});

describe('shortening to a limit', () => {
  const commentLimit: ReportLimit = { max: 65_000, description: "GitHub's 65,536-character comment limit" };

  function thresholds(n: number, crossed: number[]): ThresholdResult[] {
    return Array.from({ length: n }, (_, i) => ({
      metric: `http_req_duration{name:endpoint-${String(i).padStart(4, '0')}}`,
      expression: 'p(95)<500',
      ok: !crossed.includes(i),
    }));
  }

  it('keeps the failing scenario and its crossed threshold when two scenarios have 1,200 thresholds each', () => {
    const passing = scenario({ scenario: 'browse', outcome: 'passed', thresholds: thresholds(1200, []), metrics: [] });
    const failing = scenario({ scenario: 'checkout', outcome: 'thresholds-failed', thresholds: thresholds(1200, [1117]), metrics: [] });
    const r = result({ scenarios: [passing, failing], regressions: 0, thresholdsFailed: 1 });
    const full = renderMarkdownReport(r);
    expect(full.length).toBeGreaterThan(65_000);
    const md = renderMarkdownReport(r, { limit: commentLimit, fullReportUrl: 'https://example.test/artifacts/1' });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md).toContain('### ❌ checkout · profile smoke — thresholds crossed');
    expect(md).toContain('`http_req_duration{name:endpoint-1117}`: `p(95)<500` | ❌ crossed');
    expect(md.indexOf('checkout')).toBeLessThan(md.indexOf('browse'));
    expect(md).toContain(
      "> ✂️ **This report was shortened** to fit GitHub's 65,536-character comment limit: left out 2,399 passed thresholds. " +
        "The full report is [report.md in the run's artifacts](https://example.test/artifacts/1).",
    );
    expect(md).toContain('_Not shown here: 1,199 passed thresholds (see the full report)._');
    expect(md).not.toContain('✅ passed');
  });

  it('drops passed rows, then details, then passing scenarios, and failing rows only last', () => {
    const regressed = Array.from({ length: 300 }, (_, i) => row({ metric: `trend_${i}` }));
    const r = result({
      scenarios: [
        scenario({ scenario: 'fine', outcome: 'passed', thresholds: thresholds(50, []), metrics: [] }),
        scenario({ metrics: regressed, thresholds: thresholds(10, [3]) }),
      ],
    });
    const md = renderMarkdownReport(r, { limit: { max: 8_000, description: 'a test limit of 8,000 characters' } });
    expect(md.length).toBeLessThanOrEqual(8_000);
    expect(md).toContain('### ❌ checkout · profile smoke — thresholds crossed');
    expect(md).toContain('`http_req_duration{name:endpoint-0003}`: `p(95)<500` | ❌ crossed');
    expect(md).toContain('`trend_0`');
    // The passing scenario goes whole (its 50 passed thresholds with it).
    expect(md).toMatch(/left out 9 passed thresholds, 1 passing scenario, \d+ failing metrics, the details/);
    expect(md).toContain('✅ 1 passing scenario not shown here.');
    // Without an artifact, the GitHub comment points at the run's job summary instead.
    const toSummary = renderMarkdownReport(r, {
      limit: { max: 8_000, description: 'a test limit' },
      fullReportUrl: 'https://github.example/acme/shop/actions/runs/9',
      fullReportLabel: "the workflow run's job summary",
    });
    expect(toSummary).toContain("The full report is [the workflow run's job summary](https://github.example/acme/shop/actions/runs/9).");
    expect(md).toMatch(/_Not shown here: \d+ more failing metrics \(see the full report\)\._/);
  });

  it('names gate-report.html with its link: the file, the artifact holding it, or its path in the results folder; kept when shortened', () => {
    const line = '📈 Charts of the baseline history and this run, and the per-endpoint table:';
    const fileLink = renderMarkdownReport(result(), {
      htmlReport: { url: 'https://gitlab.example/acme/shop/-/jobs/9/artifacts/file/k6-gate-results/gate-report.html' },
    });
    expect(fileLink).toContain(
      `${line} [gate-report.html](https://gitlab.example/acme/shop/-/jobs/9/artifacts/file/k6-gate-results/gate-report.html)`,
    );
    const inArtifact = renderMarkdownReport(result(), { htmlReport: { url: 'https://github.example/a/1', artifact: 'k6-gate-results' } });
    expect(inArtifact).toContain(`${line} \`gate-report.html\` in the artifact [k6-gate-results](https://github.example/a/1)`);
    const local = renderMarkdownReport(result(), { htmlReport: { resultsDir: 'out/k6-gate/' } });
    expect(local).toContain(`${line} \`out/k6-gate/gate-report.html\``);
    // Only the platforms know where the file can be opened: without that, no line.
    expect(renderMarkdownReport(result())).not.toContain('gate-report.html');
    // A report shortened to its failing rows still names the charts page.
    const r = result({ scenarios: [scenario({ thresholds: thresholds(400, [1]), metrics: [] })] });
    const cut = renderMarkdownReport(r, { limit: { max: 1_500, description: 'a tiny limit' }, htmlReport: { resultsDir: 'out' } });
    expect(cut).toMatch(/shortened|Cut off/);
    expect(cut).toContain('`out/gate-report.html`');
  });

  it('counts a job summary in bytes, and always fits however small the limit', () => {
    const emoji = result({ scenarios: [scenario({ thresholds: thresholds(400, [1]), metrics: [] })] });
    const md = renderMarkdownReport(emoji, { limit: { max: 5_000, unit: 'bytes', description: "GitHub's 1 MiB job-summary limit" } });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(5_000);
    for (const max of [300, 700, 1_500]) {
      const tiny = renderMarkdownReport(emoji, { limit: { max, description: 'a tiny limit' } });
      expect(tiny.length).toBeLessThanOrEqual(max);
      expect(tiny).toMatch(/shortened|Cut off/);
    }
  });
});

describe('formatting', () => {
  it('formats values by unit; a count has none', () => {
    expect(formatValue(212.345, 'ms')).toBe('212.3 ms');
    expect(formatValue(1530, 'ms')).toBe('1.53 s');
    expect(formatValue(0.0123, 'ratio')).toBe('1.23%');
    expect(formatValue(2_500_000, 'bytes')).toBe('2.5 MB');
    expect(formatValue(226, 'count')).toBe('226');
    expect(formatValue(3598, 'count')).toBe('3,598');
    expect(formatValue(undefined, 'ms')).toBe('—');
    expect(formatValue(Number.NaN, 'ms')).toBe('—');
  });
  it('formats changes with a sign, one spelling for no change, and a factor for huge growth', () => {
    expect(formatChange(0.178)).toBe('+17.8%');
    expect(formatChange(-0.05)).toBe('-5.0%');
    expect(formatChange(0)).toBe('±0.0%');
    expect(formatChange(-0.0004)).toBe('±0.0%');
    expect(formatChange(relativeChange(0, 0))).toBe('±0.0%');
    expect(formatChange(undefined)).toBe('—');
    expect(formatChange(9.99)).toBe('+999.0%');
    expect(formatChange(42.5)).toBe('×43.5');
    expect(formatChange(4.36e301)).toBe('more than ×1,000,000');
  });
  it('writes a duration one way', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(6_140)).toBe('6.1 s');
    expect(formatDuration(6_000)).toBe('6 s');
    expect(formatDuration(150_000)).toBe('2.5 min');
  });
  it('groups the digits of counts by thousands, as en-US does, without Intl', () => {
    for (const n of [0, 7, 999, 1000, 3598, 65_536, 1_000_000, 123_456_789, -4321]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
    expect(formatCount(1.5)).toBe('1.5');
  });
  it('orders names by code units, the same on every machine', () => {
    expect(['b', 'a', 'B', 'é', 'a2', 'a10'].sort(compareCodeUnits)).toEqual(['B', 'a', 'a10', 'a2', 'b', 'é']);
  });
  it('says a change the same way in the table column and the why section', () => {
    const md = renderMarkdownReport(result());
    const column = formatChange(212 / 180 - 1);
    expect(column).toBe('+17.8%');
    expect(md).toContain(`| ${column} |`);
    expect(md).toContain(`accepted (${column})`);
  });
});

describe('verdicts of several runs', () => {
  it('gives the Verdict line and every run’s value of a regressed row', () => {
    const r = result();
    r.scenarios[0].verdictNote = 'regression confirmed: http_req_duration p(95) regressed in all 2 runs; 6.1 s of k6';
    r.scenarios[0].metrics = [row({ runs: [212, 214.5] })];
    const text = renderMarkdownReport(r);
    expect(text).toContain('**Verdict:** regression confirmed: http_req_duration p(95) regressed in all 2 runs; 6.1 s of k6');
    expect(text).toContain('Every run: 212 ms, 214.5 ms.');
  });
});

describe('the smallest change each stat can see', () => {
  // Spreads of the log p(95) of 8 accepted runs at the 99% default: s = 0.0241 gives an MDE of
  // +11.72% (above a 10% tolerance, but 15 runs of history would reach it: test/baseline/power.test.ts);
  // s = 0.0792 gives +44.03%, and even unlimited history only +31.1%.
  const quiet = { mde: 0.1172, mdeBasis: { source: 'history' as const, spread: 0.024068, scale: 'log' as const, alpha: 0.01, power: 0.8 } };
  const noisy = { mde: 0.4403, mdeBasis: { ...quiet.mdeBasis, spread: 0.0792 } };
  const report = (metrics: MetricComparison[], over: Partial<ScenarioResult> = {}) =>
    renderMarkdownReport(result({ scenarios: [scenario({ metrics, ...over })] }));

  it('adds a "Can see ≥" column, rounded up, with ⚠️ where the tolerance is out of sight; none without any MDE', () => {
    const md = report([
      row({ ...noisy }),
      row({ stat: 'med', verdict: 'unchanged', current: 181, change: 181 / 180 - 1, mde: 0.0612 }),
      row({ metric: 'http_req_failed', stat: 'rate', unit: 'ratio', baseline: 0.001, current: 0.001, verdict: 'unchanged', mde: 0.00312 }),
      row({ stat: 'p(99)', verdict: 'unchanged', method: 'tolerance', limitBy: 'tolerance' }),
    ]);
    expect(md).toMatch(/ Allowed \| Can see ≥ \| Verdict +\|/);
    expect(md).toMatch(/\| `http_req_duration` \| p\(95\) \|.*\| +≤ 198 ms \(interval of 8 runs\) \| +45% ⚠️ \| 🔴 regressed \|/);
    expect(md).toMatch(/\| `http_req_duration` \| med +\|.*\| +6\.2% \| ⚪ unchanged +\|/);
    expect(md).toMatch(/\| `http_req_failed` +\| rate +\|.*\| +0\.32 pp \| ⚪ unchanged +\|/);
    // A row without a history spread has no number to show.
    expect(md).toMatch(/\| `http_req_duration` \| p\(99\) \|.*\| +— \| ⚪ unchanged +\|/);
    expect(renderMarkdownReport(result())).not.toContain('Can see');
  });

  it('says plainly when a stat cannot see its tolerance, with advice true for history mode, and not otherwise', () => {
    const md = report([row({ ...noisy }), row({ stat: 'med', verdict: 'unchanged', mde: 0.0612 })]);
    expect(md).toContain(
      '⚠️ This gate can only see changes ≥ 45% on `http_req_duration` p(95); the tolerance is 10%: smaller regressions pass unseen. ' +
        'Its noise is the spread of the 8 accepted runs of the history (other jobs, other runners): a longer run shrinks only its own sampling part, not the drift between jobs. ' +
        'More history cannot fix it: even unlimited history at this spread would see only ≥ 32% on `http_req_duration` p(95). ' +
        'A/B mode (`baseline-target`) measures both versions in the same job and removes the drift between jobs.',
    );
    // No invented "run ≥ N s": the run's length is not what limits history mode.
    expect(md).not.toMatch(/run ≥|longer run would|run for/);
    const reachable = report([row({ ...quiet })]);
    expect(reachable).toContain('≥ 12% on `http_req_duration` p(95); the tolerance is 10%');
    expect(reachable).toContain('A history of ≥ 15 runs at this spread would see the tolerance (if `history-limit` keeps that many).');
    // Different tolerances are named per stat.
    expect(report([row({ ...quiet }), row({ stat: 'p(99)', ...noisy, tolerance: 0.2 })])).toContain(
      'This gate can only see changes ≥ 12% on `http_req_duration` p(95) (tolerance 10%) and ≥ 45% on `http_req_duration` p(99) (tolerance 20%): smaller regressions pass unseen.',
    );
    // Within the tolerance, or a ratio (absolute MDE, floor-bound limit), or no MDE: nothing said.
    for (const metrics of [
      [row({ mde: 0.0612 })],
      [row({ mde: 0.1, tolerance: 0.1 })],
      [row({ metric: 'http_req_failed', stat: 'rate', unit: 'ratio', mde: 0.3 })],
      [row({})],
    ]) {
      expect(report(metrics)).not.toContain('can only see');
    }
  });

  it('says for a duet row that a longer duet sees smaller changes', () => {
    const md = report([row({ method: 'duet', mde: 0.14, verdict: 'inconclusive' })]);
    expect(md).toContain('≥ 14% on `http_req_duration` p(95); the practical size is 10%');
    expect(md).toContain('shrinks roughly as 1/√duration: a longer `max-duration` sees smaller changes.');
    expect(md).not.toContain('accepted runs of the history');
  });

  it('a compact comment keeps the failing scenario: the blind-spot sentence goes before any failing row does', () => {
    const blindPassing = Array.from({ length: 40 }, (_, i) =>
      row({ metric: `passing_trend_${i}`, verdict: 'unchanged', current: 181, change: 181 / 180 - 1, ...noisy }),
    );
    const failing = scenario({
      scenario: 'checkout',
      outcome: 'regressed',
      metrics: [row({ ...noisy }), ...Array.from({ length: 30 }, (_, i) => row({ metric: `slow_${i}`, ...noisy }))],
      thresholds: [],
    });
    const passing = scenario({ scenario: 'browse', outcome: 'passed', metrics: blindPassing, thresholds: [] });
    const r = result({ outcome: 'regressed', scenarios: [passing, failing], thresholdsFailed: 0, regressions: 31 });
    expect(renderMarkdownReport(r).length).toBeGreaterThan(6_000);
    const md = renderMarkdownReport(r, { limit: { max: 6_000, description: 'a test limit of 6,000 characters' } });
    expect(md.length).toBeLessThanOrEqual(6_000);
    expect(md).toContain('### ❌ checkout · profile smoke — regressed');
    expect(md).toContain('`slow_0`');
    expect(md).toContain('| Can see ≥ |');
    expect(md).not.toContain('can only see');
    // The passing scenario stays without its rows; both scenarios' sentences are counted as left out.
    expect(md).toMatch(/This report was shortened.* left out 40 unchanged metrics, 2 notes on changes too small to see, /);
    // With room, the short form (no advice) comes back before the details do.
    const roomy = renderMarkdownReport(r, { limit: { max: 12_000, description: 'a test limit of 12,000 characters' } });
    expect(roomy).toContain('### ❌ checkout · profile smoke — regressed');
    expect(roomy).toMatch(/This gate can only see changes ≥ 45% on `http_req_duration` p\(95\), .* smaller regressions pass unseen\./);
  });
});
