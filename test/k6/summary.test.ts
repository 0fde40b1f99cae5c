import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { legacySummaryExportText, parseSummary, readStat, SummaryParseError } from '../../src/k6/summary.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../data/summaries', name), 'utf8');

describe('parseSummary', () => {
  describe('legacy --summary-export', () => {
    for (const file of ['k6-v2.2.0-legacy-passed.json', 'k6-v1.8.1-legacy-passed.json']) {
      it(`reads ${file}: types, stats and passed thresholds`, () => {
        const summary = parseSummary(fixture(file), file);
        expect(summary.format).toBe('legacy');
        const duration = summary.metrics.http_req_duration;
        expect(duration.type).toBe('trend');
        expect(duration.contains).toBe('time');
        for (const stat of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)']) expect(duration.values[stat]).toBeGreaterThan(0);
        expect(duration.values['p(99)']).toBeGreaterThanOrEqual(duration.values['p(95)']);
        expect(summary.metrics.http_reqs.type).toBe('counter');
        expect(summary.metrics.vus.type).toBe('gauge');
        expect(summary.metrics.data_received.contains).toBe('data');
        // Half the requests are 404s: the rate keeps its value under `rate`, not `value`.
        expect(summary.metrics.http_req_failed.type).toBe('rate');
        expect(readStat(summary, 'http_req_failed', 'rate')).toBe(0.5);
        expect(summary.metrics.http_req_failed.values.value).toBeUndefined();
        expect(readStat(summary, 'checks', 'rate')).toBe(1);
        expect(summary.metrics['http_req_duration{name:root}'].type).toBe('trend');
        expect(summary.thresholds.length).toBe(5);
        expect(summary.thresholds.every((t) => t.ok)).toBe(true);
        expect(summary.checks).toEqual([expect.objectContaining({ name: 'status is 200', fails: 0 })]);
        expect(summary.checks[0].passes).toBeGreaterThan(10);
      });
    }

    it('reads `true` in thresholds as a CROSSED threshold', () => {
      const summary = parseSummary(fixture('k6-v2.2.0-legacy-threshold-crossed.json'));
      const failed = summary.thresholds.filter((t) => !t.ok);
      expect(failed).toEqual([{ metric: 'http_req_duration', expression: 'p(95)<0.001', ok: false }]);
      expect(summary.thresholds.find((t) => t.expression === 'avg<5000')?.ok).toBe(true);
      expect(summary.thresholds.find((t) => t.metric === 'checks')?.ok).toBe(true);
    });
  });

  describe('machine-readable summary 1.0.0', () => {
    for (const file of ['k6-v2.2.0-machine-readable.json', 'k6-v1.8.1-machine-readable.json']) {
      it(`reads ${file} into the same model`, () => {
        const summary = parseSummary(fixture(file), file);
        expect(summary.format).toBe('machine-readable');
        expect(summary.k6Version).toBe(file.includes('2.2.0') ? '2.2.0' : '1.8.1');
        expect(summary.durationMs).toBeGreaterThan(2900);
        expect(summary.thresholds).toEqual([]);
        const duration = summary.metrics.http_req_duration;
        expect(duration.contains).toBe('time');
        // `p95` is renamed to the legacy spelling so baselines and rules use one name.
        expect(duration.values['p(95)']).toBeGreaterThan(0);
        expect(duration.values.p95).toBeUndefined();
        expect(readStat(summary, 'http_req_failed', 'rate')).toBe(0.5);
        expect(summary.metrics.http_req_failed.values.fails).toBe(summary.metrics.http_req_failed.values.passes);
        expect(readStat(summary, 'checks', 'rate')).toBe(1);
        expect(readStat(summary, 'http_reqs', 'count')).toBeGreaterThan(10);
        expect(summary.checks[0]).toEqual(expect.objectContaining({ name: 'status is 200', fails: 0 }));
      });
    }
  });

  describe('bad input', () => {
    it('says an empty file means k6 wrote no summary', () => {
      expect(() => parseSummary('', 'summary-smoke.json')).toThrow(/summary-smoke.json is empty: k6 wrote no summary/);
    });
    it('quotes the start of a file that is not JSON', () => {
      expect(() => parseSummary('<html>oops', 's.json')).toThrow(
        /s.json is not JSON .*expected k6's --summary-export output, starting with: "<html>oops"/,
      );
    });
    it('names a JSON document that is not a summary', () => {
      expect(() => parseSummary('{"hello": 1}', 's.json')).toThrow(SummaryParseError);
      expect(() => parseSummary('[1,2]', 's.json')).toThrow(/holds an array/);
    });
    it('names the metric and stat holding a non-number', () => {
      expect(() => parseSummary('{"metrics": {"http_req_duration": {"avg": "fast", "med": 1}}}', 's.json')).toThrow(
        /metrics.http_req_duration.avg is "fast"; expected a number/,
      );
    });
    it('rejects an unknown machine-readable version', () => {
      expect(() => parseSummary('{"version": "2.0.0", "results": {}}', 's.json')).toThrow(/version "2.0.0" is not supported/);
    });
  });
});

describe('legacySummaryExportText (the one writer of the legacy export)', () => {
  it.each(['k6-v2.2.0-legacy-passed.json', 'k6-v2.2.0-legacy-threshold-crossed.json', 'k6-v1.8.1-legacy-passed.json'])(
    'parse(write(x)) equals x for the recorded k6 export %s',
    (file) => {
      const summary = parseSummary(fixture(file), file);
      expect(parseSummary(legacySummaryExportText(summary), 'rewritten')).toEqual(summary);
    },
  );

  it('keeps metrics, thresholds, checks and the duration of a summary read from the machine-readable format', () => {
    const summary = parseSummary(fixture('k6-v2.2.0-machine-readable.json'), 'mr');
    const withExtras = {
      ...summary,
      thresholds: [{ metric: 'http_req_failed', expression: 'rate<0.01', ok: false }],
      checks: [
        { name: 'ok', path: '::ok', passes: 3, fails: 1 },
        { name: 'ok', path: '::login::ok', passes: 2, fails: 0 },
      ],
      durationMs: 3000,
    };
    const reread = parseSummary(legacySummaryExportText(withExtras), 'rewritten');
    expect(reread.format).toBe('legacy');
    expect(reread.thresholds).toEqual(withExtras.thresholds);
    expect(reread.checks).toEqual(withExtras.checks);
    expect(reread.durationMs).toBe(3000);
    for (const [name, metric] of Object.entries(summary.metrics)) {
      expect(reread.metrics[name]?.values, name).toEqual(metric.values);
      expect(reread.metrics[name]?.type, name).toBe(metric.type);
    }
  });

  it('writes what k6 writes: a rate as `value`, a crossed threshold as true, checks keyed in root_group', () => {
    const text = legacySummaryExportText({
      format: 'legacy',
      metrics: { checks: { name: 'checks', type: 'rate', contains: 'default', values: { rate: 0.75, passes: 3, fails: 1 } } },
      thresholds: [{ metric: 'checks', expression: 'rate>0.9', ok: false }],
      checks: [{ name: 'status is 200', path: '::status is 200', passes: 3, fails: 1 }],
    });
    expect(JSON.parse(text)).toEqual({
      root_group: {
        name: '',
        path: '',
        id: '',
        groups: {},
        checks: { '::status is 200': { name: 'status is 200', path: '::status is 200', id: '', passes: 3, fails: 1 } },
      },
      metrics: { checks: { value: 0.75, passes: 3, fails: 1, thresholds: { 'rate>0.9': true } } },
    });
  });
});
