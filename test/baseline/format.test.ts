import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BaselineError,
  baselineKey,
  loadBaseline,
  parseBaseline,
  serializeBaseline,
  type BaselineFile,
} from '../../src/baseline/format.js';
import { saveBaseline } from '../../src/baseline/store.js';

const valid = {
  version: 1,
  scenarios: {
    smoke: {
      scenario: 'smoke',
      metrics: {
        http_req_duration: {
          'p(95)': {
            accepted: 12,
            unit: 'ms',
            history: [
              { value: 11, date: '2025-01-01T10:00:00Z', k6Version: '2.2.0', commit: 'aaa' },
              { value: 12, date: '2025-01-02T10:00:00Z', k6Version: '2.2.0', commit: 'bbb' },
              { value: 13, date: '2025-01-03T10:00:00Z', k6Version: '2.2.0', commit: 'ccc' },
            ],
          },
        },
      },
    },
  },
};

/** `valid` with one change made by `mutate`. */
function broken(mutate: (data: any) => void): string {
  const data = structuredClone(valid);
  mutate(data);
  return JSON.stringify(data);
}

describe('parseBaseline: malformed files name the JSON path and the expected form', () => {
  it('accepts the valid example', async () => {
    expect(
      (await parseBaseline(JSON.stringify(valid), 'k6-baseline.json')).scenarios.smoke.metrics.http_req_duration['p(95)'].history,
    ).toHaveLength(3);
  });

  it.each([
    [
      'a history value that is a string',
      (d: any) => (d.scenarios.smoke.metrics.http_req_duration['p(95)'].history[2].value = '12ms'),
      'k6-baseline.json: $.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].history[2].value is "12ms"; expected a number',
    ],
    [
      'an accepted value of null (NaN written by JSON.stringify)',
      (d: any) => (d.scenarios.smoke.metrics.http_req_duration['p(95)'].accepted = null),
      'k6-baseline.json: $.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].accepted is null; expected a number',
    ],
    [
      'another format version',
      (d: any) => (d.version = 2),
      'k6-baseline.json: $.version is 2; expected 1 (this k6-gate reads baseline format v1)',
    ],
    [
      'scenarios as a list',
      (d: any) => (d.scenarios = []),
      'k6-baseline.json: $.scenarios is an array; expected an object keyed by "scenario", "scenario@profile" or "scenario@profile@environment"',
    ],
    [
      'a date that is not ISO 8601',
      (d: any) => (d.scenarios.smoke.metrics.http_req_duration['p(95)'].history[0].date = '01/02/2025'),
      'k6-baseline.json: $.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].history[0].date is "01/02/2025"; expected an ISO 8601 date-time such as "2025-01-31T12:00:00Z"',
    ],
    [
      'a misspelt field',
      (d: any) => {
        const stat = d.scenarios.smoke.metrics.http_req_duration['p(95)'];
        stat.acepted = stat.accepted;
        delete stat.accepted;
      },
      'k6-baseline.json: $.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].acepted is not part of baseline format v1; expected only accepted, type, unit, history',
    ],
    [
      'a stat spelt the machine-readable way',
      (d: any) => (d.scenarios.smoke.metrics.http_req_duration = { p95: d.scenarios.smoke.metrics.http_req_duration['p(95)'] }),
      'k6-baseline.json: $.scenarios["smoke"].metrics["http_req_duration"]["p95"] names stat "p95"; expected avg, min, med, max, p(N), rate, count or value',
    ],
    [
      'a scenario under the wrong key',
      (d: any) => (d.scenarios = { 'smoke@load': d.scenarios.smoke }),
      'k6-baseline.json: $.scenarios["smoke@load"] holds scenario "smoke"; expected its key to be "smoke"',
    ],
    [
      'an unknown unit',
      (d: any) => (d.scenarios.smoke.metrics.http_req_duration['p(95)'].unit = 'seconds'),
      '$.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].unit is "seconds"; expected one of "ms", "ratio"',
    ],
    [
      'history that is not a list',
      (d: any) => (d.scenarios.smoke.metrics.http_req_duration['p(95)'].history = {}),
      '["p(95)"].history is an object; expected a list of {value, date, …} entries, oldest first',
    ],
    [
      'an environment the key does not name',
      (d: any) => (d.scenarios.smoke.environment = 'production'),
      'k6-baseline.json: $.scenarios["smoke"] holds scenario "smoke" in environment "production"; expected its key to be "smoke@@production"',
    ],
    [
      'a rate above 100%',
      (d: any) => {
        d.scenarios.smoke.metrics.http_req_failed = { rate: { accepted: 1.5, unit: 'ratio', history: [] } };
      },
      '$.scenarios["smoke"].metrics["http_req_failed"]["rate"].accepted is 1.5; expected a ratio from 0 to 1 (this stat is a rate)',
    ],
    [
      'a negative history value of a time without a recorded unit',
      (d: any) => {
        const stat = d.scenarios.smoke.metrics.http_req_duration['p(95)'];
        delete stat.unit;
        stat.history[0].value = -3;
      },
      '["p(95)"].history[0].value is -3; expected a value ≥ 0 (its unit is ms)',
    ],
    [
      'a negative rate of a file without units (a ratio or a counter rate: only "≥ 0" is known)',
      (d: any) => {
        d.scenarios.smoke.metrics.orders = { rate: { accepted: -2, history: [] } };
      },
      '["orders"]["rate"].accepted is -2; expected a value ≥ 0 (its unit is ratio)',
    ],
    [
      'an unknown metric type',
      (d: any) => (d.scenarios.smoke.metrics.http_req_duration['p(95)'].type = 'histogram'),
      '["p(95)"].type is "histogram"; expected one of "trend", "rate", "counter", "gauge"',
    ],
    [
      'a metric that is a number',
      (d: any) => (d.scenarios.smoke.metrics.http_req_duration = 12),
      '$.scenarios["smoke"].metrics["http_req_duration"] is 12; expected an object keyed by stat',
    ],
  ])('%s', async (_name, mutate, message) => {
    await expect(parseBaseline(broken(mutate), 'k6-baseline.json')).rejects.toThrow(BaselineError);
    await expect(parseBaseline(broken(mutate), 'k6-baseline.json')).rejects.toThrow(message);
  });

  it('accepts a counter rate above 1 in a file that recorded no unit (names cannot tell it from a ratio)', async () => {
    const data = structuredClone(valid) as any;
    data.scenarios.smoke.metrics.orders = { rate: { accepted: 20, history: [{ value: 20, date: '2025-01-01T10:00:00Z' }] } };
    expect((await parseBaseline(JSON.stringify(data), 'k6-baseline.json')).scenarios.smoke.metrics.orders.rate.accepted).toBe(20);
  });

  it('says when the file is not JSON at all', async () => {
    await expect(parseBaseline('{"version": 1,', 'k6-baseline.json')).rejects.toThrow(
      /^k6-baseline\.json is not valid JSON \(.+\); expected a k6-gate baseline \(format v1\)$/,
    );
  });

  it('rejects a top-level array', async () => {
    await expect(parseBaseline('[]', 'b.json')).rejects.toThrow(
      'b.json: $ is an array; expected an object {"version": 1, "scenarios": {…}}',
    );
  });
});

describe('baselineKey', () => {
  it('joins scenario, profile and environment; names with spaces or "@" still make one key part', async () => {
    expect(baselineKey({ scenario: 'checkout' })).toBe('checkout');
    expect(baselineKey({ scenario: 'checkout', profile: 'smoke' })).toBe('checkout@smoke');
    expect(baselineKey({ scenario: 'checkout', profile: 'smoke', environment: 'production' })).toBe('checkout@smoke@production');
    expect(baselineKey({ scenario: 'checkout', environment: 'staging' })).toBe('checkout@@staging');
    expect(baselineKey({ scenario: 'checkout', profile: '', environment: 'Production EU' })).toBe('checkout@@Production-EU');
    const file = {
      version: 1 as const,
      scenarios: { 'checkout@@Production-EU': { scenario: 'checkout', environment: 'Production EU', metrics: {} } },
    };
    expect(await parseBaseline(serializeBaseline(file), 'b.json')).toEqual(file);
  });
});

describe('serializeBaseline', () => {
  const shuffled: BaselineFile = {
    scenarios: {
      'smoke@load': {
        metrics: {
          http_reqs: { rate: { history: [], accepted: 50.5, unit: 'per-second' } },
          'http_req_duration{name:login}': {
            'p(99)': { accepted: 30, history: [] },
            'p(95)': { accepted: 20, history: [{ commit: 'abc', value: 20, date: '2025-01-01T00:00:00Z' }] },
          },
        },
        profile: 'load',
        scenario: 'smoke',
      },
      api: { scenario: 'api', metrics: {} },
    },
    version: 1,
  } as BaselineFile;

  it('writes a fixed layout: sorted keys, 2 spaces, one history entry per line, trailing newline', () => {
    expect(serializeBaseline(shuffled)).toBe(
      [
        '{',
        '  "version": 1,',
        '  "scenarios": {',
        '    "api": {',
        '      "scenario": "api",',
        '      "metrics": {}',
        '    },',
        '    "smoke@load": {',
        '      "scenario": "smoke",',
        '      "profile": "load",',
        '      "metrics": {',
        '        "http_req_duration{name:login}": {',
        '          "p(95)": {',
        '            "accepted": 20,',
        '            "history": [',
        '              { "value": 20, "date": "2025-01-01T00:00:00Z", "commit": "abc" }',
        '            ]',
        '          },',
        '          "p(99)": {',
        '            "accepted": 30,',
        '            "history": []',
        '          }',
        '        },',
        '        "http_reqs": {',
        '          "rate": {',
        '            "accepted": 50.5,',
        '            "unit": "per-second",',
        '            "history": []',
        '          }',
        '        }',
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('gives the same text whatever order the keys were built in', async () => {
    const reordered = await parseBaseline(
      JSON.stringify(JSON.parse(serializeBaseline(shuffled)), (_k, v) =>
        v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
      ),
      'x',
    );
    expect(serializeBaseline(reordered)).toBe(serializeBaseline(shuffled));
  });

  it('round-trips through parseBaseline', async () => {
    const parsed = await parseBaseline(JSON.stringify(valid), 'x');
    expect(await parseBaseline(serializeBaseline(parsed), 'x')).toEqual(parsed);
    expect(JSON.parse(serializeBaseline(parsed))).toEqual(valid);
  });
});

describe('loadBaseline / saveBaseline', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-baseline-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns undefined when the file does not exist (first run)', async () => {
    expect(await loadBaseline(path.join(dir, 'k6-baseline.json'))).toBeUndefined();
  });

  it('saves into new folders and loads back what it saved, leaving no temporary file', async () => {
    const file = path.join(dir, 'perf', 'k6-baseline.json');
    const baseline = await parseBaseline(JSON.stringify(valid), 'x');
    await saveBaseline(file, baseline);
    expect(await loadBaseline(file)).toEqual(baseline);
    expect(await readdir(path.dirname(file))).toEqual(['k6-baseline.json']);
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('names the file in the error for a malformed baseline', async () => {
    const file = path.join(dir, 'k6-baseline.json');
    await writeFile(
      file,
      broken((d) => (d.scenarios.smoke.metrics.http_req_duration['p(95)'].history[2].value = '12ms')),
    );
    await expect(loadBaseline(file)).rejects.toThrow(
      'k6-baseline.json: $.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].history[2].value is "12ms"; expected a number',
    );
  });

  it('refuses to save a baseline it could not read back', async () => {
    const bad = await parseBaseline(JSON.stringify(valid), 'x');
    bad.scenarios.smoke.metrics.http_req_duration['p(95)'].accepted = Number.NaN;
    await expect(saveBaseline(path.join(dir, 'b.json'), bad)).rejects.toThrow('accepted is null; expected a number');
    expect(await readdir(dir)).toEqual([]);
  });
});
