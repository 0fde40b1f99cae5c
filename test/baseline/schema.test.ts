import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { compareToBaseline } from '../../src/baseline/compare.js';
import { parseBaseline, serializeBaseline } from '../../src/baseline/format.js';
import { DEFAULT_RULES } from '../../src/baseline/rules.js';
import { updateBaseline } from '../../src/baseline/update.js';
import type { GateResult } from '../../src/model.js';
import { counter, rate, summaryOf, trend } from './fixtures.js';

const root = path.resolve(import.meta.dirname, '../..');
const ajv = new Ajv({ allErrors: true, strict: false });
const validateBaseline = ajv.compile(JSON.parse(readFileSync(path.join(root, 'schemas/baseline.schema.json'), 'utf8')));
const validateComparison = ajv.compile(JSON.parse(readFileSync(path.join(root, 'schemas/comparison.schema.json'), 'utf8')));

const summary = summaryOf({
  http_req_duration: trend({ 'p(95)': 120, 'p(99)': 180 }),
  'http_req_duration{name:login}': trend({ 'p(95)': 150, 'p(99)': 190 }),
  http_req_failed: rate(0.001),
  http_reqs: counter(1000, 33.3),
  checks: rate(1),
});

describe('schemas/baseline.schema.json', () => {
  it('accepts what updateBaseline writes', () => {
    const baseline = updateBaseline(
      undefined,
      [
        {
          key: 'smoke',
          scenario: 'smoke',
          summary,
          k6Version: '2.2.0',
          commit: 'abc123',
          ref: 'refs/heads/main',
          date: '2025-03-01T10:00:00.000Z',
        },
        { key: 'smoke@load', scenario: 'smoke', profile: 'load', summary, k6Version: '2.2.0', date: '2025-03-01T10:05:00+01:00' },
        // Per-environment keys, with and without a profile.
        {
          key: 'smoke@load@production',
          scenario: 'smoke',
          profile: 'load',
          environment: 'production',
          summary,
          k6Version: '2.2.0',
          date: '2025-03-01T10:06:00Z',
        },
        { key: 'smoke@@staging', scenario: 'smoke', environment: 'staging', summary, k6Version: '2.2.0', date: '2025-03-01T10:07:00Z' },
      ],
      DEFAULT_RULES,
    );
    const data = JSON.parse(serializeBaseline(baseline));
    expect(validateBaseline(data), ajv.errorsText(validateBaseline.errors)).toBe(true);
  });

  it.each([
    ['a string value', { version: 1, scenarios: { s: { scenario: 's', metrics: { m: { avg: { accepted: '1', history: [] } } } } } }],
    ['version 2', { version: 2, scenarios: {} }],
    ['an unknown field', { version: 1, scenarios: {}, extra: true }],
    ['a bad stat name', { version: 1, scenarios: { s: { scenario: 's', metrics: { m: { p95: { accepted: 1 } } } } } }],
    [
      'a history entry without date',
      { version: 1, scenarios: { s: { scenario: 's', metrics: { m: { avg: { accepted: 1, history: [{ value: 1 }] } } } } } },
    ],
    ['a value of 1e308', { version: 1, scenarios: { s: { scenario: 's', metrics: { m: { avg: { accepted: 1e308, history: [] } } } } } }],
    [
      'an unknown metric type',
      { version: 1, scenarios: { s: { scenario: 's', metrics: { m: { avg: { accepted: 1, type: 'histogram' } } } } } },
    ],
    ['a key with an empty environment', { version: 1, scenarios: { 's@p@': { scenario: 's', profile: 'p', metrics: {} } } }],
  ])('rejects %s, as parseBaseline does', async (_name, data) => {
    expect(validateBaseline(data)).toBe(false);
    await expect(parseBaseline(JSON.stringify(data), 'b.json')).rejects.toThrow(/b\.json: \$/);
  });
});

describe('the generated baseline validator', () => {
  it('is what scripts/baseline-validator.mjs makes of the schema now (run it after changing the schema)', async () => {
    // @ts-expect-error: a plain ESM script without types
    const { baselineValidatorSource, GENERATED_VALIDATOR } = await import('../../scripts/baseline-validator.mjs');
    expect(readFileSync(GENERATED_VALIDATOR, 'utf8')).toBe(baselineValidatorSource());
  });
});

describe('schemas/comparison.schema.json', () => {
  it('accepts a GateResult carrying real comparisons', () => {
    const baseline = updateBaseline(
      undefined,
      [{ key: 'smoke', scenario: 'smoke', summary, k6Version: '2.2.0', date: '2025-03-01T10:00:00Z' }],
      DEFAULT_RULES,
    );
    const slower = summaryOf({ ...summary.metrics, http_req_duration: trend({ 'p(95)': 200, 'p(99)': 260 }) });
    const metrics = compareToBaseline({ key: 'smoke', summary: slower, baseline, rules: DEFAULT_RULES });
    const result: GateResult = {
      schemaVersion: 1,
      tool: { name: 'k6-gate', version: '0.1.0' },
      generatedAt: '2025-03-02T10:00:00Z',
      k6: { version: '2.2.0', path: '/opt/k6', source: 'cache' },
      outcome: 'regressed',
      failOn: ['regression', 'thresholds'],
      failed: true,
      scenarios: [
        {
          scenario: 'smoke',
          key: 'smoke',
          exitCode: 0,
          outcome: 'regressed',
          summary: slower,
          thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<500', ok: true }],
          metrics,
          files: { summary: 'smoke/summary.json' },
        },
      ],
      regressions: 2,
      thresholdsFailed: 0,
      warnings: [],
    };
    const data = JSON.parse(JSON.stringify(result));
    expect(validateComparison(data), ajv.errorsText(validateComparison.errors)).toBe(true);
    expect(metrics.filter((m) => m.verdict === 'regressed').map((m) => m.stat)).toEqual(['p(95)', 'p(99)']);
  });

  it('accepts the smallest change each comparison could see (mde) and what it rests on', () => {
    // Five accepted runs: enough history for the prediction interval, so every row has an MDE.
    let baseline = updateBaseline(undefined, [], DEFAULT_RULES);
    for (const [i, p95] of [180, 176, 185, 182, 178].entries()) {
      const run = summaryOf({ ...summary.metrics, http_req_duration: trend({ 'p(95)': p95, 'p(99)': p95 * 1.3 }) });
      baseline = updateBaseline(
        baseline,
        [{ key: 'smoke', scenario: 'smoke', summary: run, k6Version: '2.2.0', date: `2025-03-0${i + 1}T10:00:00Z` }],
        DEFAULT_RULES,
      );
    }
    const metrics = compareToBaseline({ key: 'smoke', summary, baseline, rules: DEFAULT_RULES });
    const p95 = metrics.find((m) => m.metric === 'http_req_duration' && m.stat === 'p(95)')!;
    expect(p95.method).toBe('prediction-interval');
    expect(p95.mde).toBeGreaterThan(0);
    const data = JSON.parse(
      JSON.stringify({
        schemaVersion: 1,
        tool: { name: 'k6-gate', version: '0.1.0' },
        generatedAt: '2025-03-06T10:00:00Z',
        outcome: 'passed',
        failOn: ['regression'],
        failed: false,
        scenarios: [{ scenario: 'smoke', key: 'smoke', exitCode: 0, outcome: 'passed', thresholds: [], metrics, files: {} }],
        regressions: 0,
        thresholdsFailed: 0,
        warnings: [],
      }),
    );
    expect(data.scenarios[0].metrics.find((m: { stat: string }) => m.stat === 'p(95)')).toMatchObject({
      mde: p95.mde,
      mdeBasis: { source: 'history', scale: 'log', power: 0.8 },
    });
    expect(validateComparison(data), ajv.errorsText(validateComparison.errors)).toBe(true);
    data.scenarios[0].metrics[0].mde = -0.1;
    expect(validateComparison(data)).toBe(false);
  });

  it('rejects a comparison with an unknown verdict', () => {
    const bad = {
      schemaVersion: 1,
      tool: { name: 'k6-gate', version: '1' },
      generatedAt: 'x',
      outcome: 'passed',
      failOn: [],
      failed: false,
      regressions: 0,
      thresholdsFailed: 0,
      warnings: [],
      scenarios: [
        {
          scenario: 's',
          key: 's',
          outcome: 'passed',
          thresholds: [],
          files: {},
          metrics: [
            {
              metric: 'm',
              stat: 'avg',
              unit: 'ms',
              direction: 'lower-is-better',
              verdict: 'worse',
              method: 'none',
              samples: 0,
              tolerance: 0.1,
              note: '',
            },
          ],
        },
      ],
    };
    expect(validateComparison(bad)).toBe(false);
  });
});
