import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_RULES,
  RulesError,
  loadRules,
  parseRules,
  parseTolerance,
  parseWatchItem,
  splitWatchInput,
} from '../../src/baseline/rules.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-rules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

describe('defaults', () => {
  it('watch the issue’s six metrics with 10% tolerance, 2 ms floor, 99% interval from 5 runs, 10 kept', async () => {
    const rules = await loadRules(undefined);
    expect(rules.watch.map((r) => `${r.metric}:${r.stat}`)).toEqual([
      'http_req_duration:p(95)',
      'http_req_duration:p(99)',
      'http_req_failed:rate',
      'http_reqs:rate',
      'checks:rate',
      'iteration_duration:p(95)',
    ]);
    expect(rules).toMatchObject({
      tolerance: 0.1,
      noiseFloorMs: 2,
      noiseFloorRatio: 0.005,
      confidence: 0.99,
      minHistory: 5,
      historyLimit: 10,
      missing: 'error',
    });
  });
});

describe('watch items', () => {
  it('reads the stat after the last colon outside the tag braces', () => {
    expect(parseWatchItem('http_req_duration{name:login}:p(99)')).toMatchObject({ metric: 'http_req_duration{name:login}', stat: 'p(99)' });
    expect(parseWatchItem('http_req_duration{name:login}')).toMatchObject({ metric: 'http_req_duration{name:login}', stat: 'p(95)' });
    expect(parseWatchItem('checks')).toMatchObject({ metric: 'checks', stat: 'rate' });
    expect(parseWatchItem(' login_time : avg ')).toMatchObject({ metric: 'login_time', stat: 'avg' });
  });
  it('rejects a bad stat or name, quoting it', () => {
    expect(() => parseWatchItem('http_req_duration:p95')).toThrow(
      'watch item "http_req_duration:p95": "p95" is not a k6 stat; expected one of avg, min, med, max, p(N), rate, count, value',
    );
    expect(() => parseWatchItem('http req:avg')).toThrow(/"http req" is not a k6 metric name; expected e\.g\. "http_req_duration:p\(95\)"/);
  });
});

describe('splitWatchInput', () => {
  it('splits the action input on commas and new lines, but not inside tag braces', () => {
    expect(splitWatchInput('defaults, http_req_duration{name:login,method:POST}:p(95)\n  checks:rate ,\n')).toEqual([
      'defaults',
      'http_req_duration{name:login,method:POST}:p(95)',
      'checks:rate',
    ]);
    expect(splitWatchInput('')).toEqual([]);
    expect(splitWatchInput(undefined)).toEqual([]);
  });
});

describe('tolerance', () => {
  it.each([
    [0.1, 0.1],
    ['0.15', 0.15],
    ['10%', 0.1],
    ['2.5 %', 0.025],
  ])('%s → %s', (input, expected) => expect(parseTolerance(input)).toBeCloseTo(expected, 12));
  it('rejects negative or unreadable values', () => {
    expect(() => parseTolerance(-0.1)).toThrow('tolerance is -0.1; expected a fraction such as 0.1 or a percentage such as "10%"');
    expect(() => parseTolerance('ten')).toThrow('tolerance is "ten"');
  });
});

describe('rules files', () => {
  it('reads JSON', async () => {
    const p = await file(
      'k6-gate.config.json',
      JSON.stringify({
        tolerance: '15%',
        confidence: 0.95,
        historyLimit: 20,
        missing: 'warning',
        watch: [
          'http_req_duration:p(95)',
          { metric: 'http_req_duration{name:login}', stat: 'p(99)', tolerance: 0.2, noiseFloor: 5, missing: 'error' },
        ],
      }),
    );
    const rules = await loadRules(p);
    expect(rules).toMatchObject({
      tolerance: 0.15,
      confidence: 0.95,
      historyLimit: 20,
      missing: 'warning',
      minHistory: 5,
      noiseFloorMs: 2,
    });
    expect(rules.watch).toEqual([
      { metric: 'http_req_duration', stat: 'p(95)', origin: 'config' },
      { metric: 'http_req_duration{name:login}', stat: 'p(99)', origin: 'config', tolerance: 0.2, noiseFloor: 5, missing: 'error' },
    ]);
  });

  it('reads YAML, expanding "defaults" and letting a later entry refine one', async () => {
    const p = await file(
      'k6-gate.config.yaml',
      [
        'tolerance: 0.05',
        'noiseFloorMs: 5',
        'minHistory: 3',
        'watch:',
        '  - defaults',
        '  - metric: http_req_failed',
        '    stat: rate',
        '    missing: warning',
        '  - login_duration:med',
        '  - metric: cache_hits',
        '    stat: rate',
        '    direction: higher',
      ].join('\n'),
    );
    const rules = await loadRules(p);
    expect(rules).toMatchObject({ tolerance: 0.05, noiseFloorMs: 5, minHistory: 3 });
    expect(rules.watch.map((r) => `${r.metric}:${r.stat}`)).toEqual([
      'http_req_duration:p(95)',
      'http_req_duration:p(99)',
      'http_req_failed:rate',
      'http_reqs:rate',
      'checks:rate',
      'iteration_duration:p(95)',
      'login_duration:med',
      'cache_hits:rate',
    ]);
    expect(rules.watch[2]).toEqual({ metric: 'http_req_failed', stat: 'rate', origin: 'config', missing: 'warning' });
    expect(rules.watch[0].origin).toBe('default');
    expect(rules.watch[7].direction).toBe('higher-is-better');
  });

  it('lets action inputs override the file', async () => {
    const p = await file('o.json', JSON.stringify({ tolerance: 0.3, watch: ['checks:rate'] }));
    const rules = await loadRules(p, { tolerance: 0.05, historyLimit: 4, confidence: 0.9, watch: ['http_req_duration:p(90)'] });
    expect(rules).toMatchObject({ tolerance: 0.05, historyLimit: 4, confidence: 0.9 });
    expect(rules.watch.map((r) => `${r.metric}:${r.stat}`)).toEqual(['http_req_duration:p(90)']);
  });

  it.each([
    ['typo.json', '{"tolerence": 0.1}', 'typo.json: $.tolerence is not a known setting; expected one of $schema, watch, tolerance'],
    ['conf.json', '{"confidence": 1}', 'conf.json: $.confidence is 1; expected a probability from 0.5 up to (not including) 1, e.g. 0.99'],
    ['hist.yaml', 'historyLimit: 2.5', 'hist.yaml: $.historyLimit is 2.5; expected a whole number of runs from 1 to 1000'],
    [
      'watch.yaml',
      'watch:\n  - http_req_duration:p(95)\n  - 42',
      'watch.yaml: $.watch[1] is 42; expected "metric:stat", "defaults" or an object',
    ],
    [
      'dir.json',
      '{"watch": [{"metric": "checks", "stat": "rate", "direction": "up"}]}',
      'dir.json: $.watch[0].direction is "up"; expected "lower-is-better" or "higher-is-better"',
    ],
    [
      'extra.json',
      '{"watch": [{"metric": "checks", "stats": "rate"}]}',
      'extra.json: $.watch[0].stats is not a known setting; expected one of metric, stat, direction',
    ],
    ['missing.yaml', 'missing: fatal', 'missing.yaml: $.missing is "fatal"; expected "error" or "warning"'],
    ['list.json', '[1]', 'list.json: $ is an array; expected an object of settings'],
    ['broken.json', '{"tolerance": }', 'broken.json is not valid JSON'],
    ['broken.yaml', 'watch: [a, b', 'broken.yaml is not valid YAML'],
  ])('%s fails with the JSON path: %s', async (name, text, message) => {
    const p = await file(name, text);
    await expect(loadRules(p)).rejects.toThrow(RulesError);
    await expect(loadRules(p)).rejects.toThrow(message);
  });

  it('fails for a named file that does not exist', async () => {
    await expect(loadRules(path.join(dir, 'nope.json'))).rejects.toThrow(/rules file .*nope\.json does not exist/);
  });

  it('treats an empty YAML file as the defaults', async () => {
    const rules = await loadRules(await file('empty.yaml', ''));
    expect(rules.watch).toEqual(DEFAULT_RULES.watch);
  });
});

describe('record limits', () => {
  it('reads the record limits of a rules file and rejects values out of range', () => {
    expect(parseRules({ record: { maxFailedRate: 0.02, minIterations: 20 } }, 'k6-gate.config.json').record).toEqual({
      maxFailedRate: 0.02,
      minChecksRate: 0.9,
      minIterations: 20,
    });
    expect(() => parseRules({ record: { maxFailedRate: 2 } }, 'k6-gate.config.json')).toThrow(
      'k6-gate.config.json: $.record.maxFailedRate is 2; expected a ratio from 0 to 1, e.g. 0.1',
    );
    expect(() => parseRules({ record: { minFailures: 1 } }, 'k6-gate.config.json')).toThrow(
      'k6-gate.config.json: $.record.minFailures is not a known setting; expected one of maxFailedRate, minChecksRate, minIterations',
    );
  });
});
