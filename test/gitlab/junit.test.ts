import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escapeXml, renderJUnit } from '../../src/report/junit.js';
import { gateResult, metricRow, scenarioResult } from './fixtures.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

interface Case {
  name: string;
  classname: string;
  failure?: { message: string; type: string; '#text'?: string };
  error?: { message: string; type: string; '#text'?: string };
  skipped?: { message: string };
}

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml).testsuites as {
    tests: string;
    failures: string;
    errors: string;
    skipped: string;
    testsuite: { name: string; tests: string; failures: string; testcase: Case[] }[];
  };
}

describe('renderJUnit', () => {
  describe('suites and cases', () => {
    it('writes one testsuite per scenario and one testcase per watched metric and per k6 threshold', () => {
      const result = gateResult({
        scenarios: [
          scenarioResult(),
          scenarioResult({ scenario: 'api', key: 'api@smoke', outcome: 'passed', metrics: [metricRow()], thresholds: [] }),
        ],
      });
      const doc = parse(renderJUnit(result));
      expect(doc.testsuite.map((s) => s.name)).toEqual(['k6-gate smoke@smoke', 'k6-gate api@smoke']);
      expect(doc.testsuite[0].testcase.map((c) => c.name)).toEqual([
        'http_req_duration p(95)',
        'http_req_duration avg',
        'http_req_failed rate',
        'threshold http_req_duration: p(95)<500',
        'threshold http_req_failed: rate<0.001',
      ]);
      expect(doc.testsuite[1].testcase.map((c) => c.name)).toEqual(['http_req_duration p(95)']);
      expect(doc.tests).toBe('6');
    });

    it('makes a regression and a crossed threshold failures, and a warning-only missing metric skipped', () => {
      const doc = parse(renderJUnit(gateResult()));
      const [regressed, unchanged, missing, thresholdOk, thresholdCrossed] = doc.testsuite[0].testcase;
      expect(regressed.failure?.type).toBe('regression');
      expect(regressed.failure?.message).toContain('212 ms vs 180 ms');
      expect(regressed.failure?.['#text']).toContain('change: +17.8%');
      expect(unchanged.failure).toBeUndefined();
      expect(missing.failure).toBeUndefined();
      expect(missing.skipped?.message).toContain('missing (warning)');
      expect(thresholdOk.failure).toBeUndefined();
      expect(thresholdCrossed.failure?.type).toBe('threshold');
      expect(thresholdCrossed.failure?.['#text']).toContain('http_req_failed measured rate=0.01');
      expect(doc.testsuite[0].failures).toBe('2');
      expect(doc).toMatchObject({ failures: '2', errors: '0', skipped: '1' });
    });

    it('makes a missing metric whose rule says error a failure', () => {
      const row = metricRow({ verdict: 'missing', severity: 'error', current: undefined, note: 'checks rate is missing' });
      const doc = parse(renderJUnit(gateResult({ scenarios: [scenarioResult({ metrics: [row], thresholds: [] })] })));
      expect(doc.testsuite[0].testcase[0].failure?.type).toBe('missing-metric');
    });

    it('reports a run that could not happen as an error, not a failure', () => {
      const broken = scenarioResult({
        outcome: 'error',
        exitCode: 107,
        exitMeaning: 'the script threw an exception',
        error: 'k6 exit 107: the script threw an exception',
        summary: undefined,
        metrics: [],
        thresholds: [],
        files: { log: 'k6-smoke.log' },
        exception: "TypeError: Cannot read property 'token' of undefined\n\tat login (file:///s.js:2:36(3))",
      });
      const doc = parse(renderJUnit(gateResult({ outcome: 'error', scenarios: [broken] })));
      const [run] = doc.testsuite[0].testcase;
      expect(run.name).toBe('k6 run');
      expect(run.error?.message).toBe('k6 exit 107: the script threw an exception');
      expect(run.error?.['#text']).toContain('k6 exit code: 107');
      expect(run.error?.['#text']).toContain('k6-smoke.log');
      expect(run.error?.['#text']).toContain("the script threw:\nTypeError: Cannot read property 'token' of undefined");
      expect(run.failure).toBeUndefined();
      expect(doc).toMatchObject({ errors: '1', failures: '0' });
    });
  });

  describe('escaping', () => {
    it('escapes markup and drops characters XML forbids, so any metric name or message stays valid XML', () => {
      const nasty = metricRow({
        metric: 'http_req_duration{name:<a&b>"\'}',
        verdict: 'regressed',
        note: 'bad \u0001 control & <tags> "quotes" ]]> end',
      });
      const xml = renderJUnit(gateResult({ scenarios: [scenarioResult({ metrics: [nasty], thresholds: [] })] }));
      const doc = parse(xml);
      const [c] = doc.testsuite[0].testcase;
      expect(c.name).toBe('http_req_duration{name:<a&b>"\'} p(95)');
      expect(c.failure?.message).toContain('control & <tags> "quotes" ]]> end');
      expect(xml).not.toContain('\u0001');
    });

    it('escapeXml covers the five XML entities', () => {
      expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
    });
  });
});
