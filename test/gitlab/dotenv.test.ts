import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dotenvKeyPrefix, gitlabDotenvVariables, renderDotenv, writeDotenv } from '../../src/platform/gitlab/dotenv.js';
import { gateResult, metricRow, scenarioResult } from './fixtures.js';

describe('dotenv report', () => {
  it('gives later jobs the outcome, the counts and the regressed metrics', () => {
    expect(gitlabDotenvVariables(gateResult(), { noteUrl: 'https://gitlab.example.com/a/b/-/merge_requests/7#note_1' })).toEqual({
      K6_GATE_RESULT: 'regressed',
      K6_GATE_FAILED: 'true',
      K6_GATE_REGRESSIONS: '1',
      K6_GATE_THRESHOLDS_FAILED: '1',
      K6_GATE_INCONCLUSIVE: '0',
      K6_GATE_REGRESSED_METRICS: 'smoke@smoke:http_req_duration:p(95)',
      K6_GATE_NOTE_URL: 'https://gitlab.example.com/a/b/-/merge_requests/7#note_1',
    });
  });

  it('writes one KEY=VALUE line per variable, never a multi-line value, and keeps values short', () => {
    const text = renderDotenv({ A: 'one\ntwo\r\nthree', B: 'x'.repeat(5000) });
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('A=one two three');
    expect(lines[1].length).toBeLessThanOrEqual(1002);
  });

  it('lists a missing metric whose rule says error among the regressed metrics', () => {
    const missing = metricRow({ metric: 'checks', stat: 'rate', verdict: 'missing', severity: 'error' });
    const vars = gitlabDotenvVariables(gateResult({ scenarios: [scenarioResult({ key: 'api', metrics: [missing] })] }));
    expect(vars.K6_GATE_REGRESSED_METRICS).toBe('api:checks:rate');
  });

  it('writes k6-gate.env into the results dir', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-dotenv-'));
    try {
      const file = await writeDotenv(
        gateResult({ outcome: 'passed', failed: false, regressions: 0, thresholdsFailed: 0, scenarios: [] }),
        dir,
      );
      expect(path.basename(file)).toBe('k6-gate.env');
      expect(await readFile(file, 'utf8')).toBe(
        'K6_GATE_RESULT=passed\nK6_GATE_FAILED=false\nK6_GATE_REGRESSIONS=0\nK6_GATE_THRESHOLDS_FAILED=0\nK6_GATE_INCONCLUSIVE=0\nK6_GATE_REGRESSED_METRICS=\n',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  describe('per-job keys (K6_GATE_DOTENV_PREFIX)', () => {
    it('turns the prefix the template sets into a valid variable-name prefix', () => {
      expect(dotenvKeyPrefix('k6-gate_staging_')).toBe('K6_GATE_STAGING_');
      expect(dotenvKeyPrefix('perf.eu_production')).toBe('PERF_EU_PRODUCTION_');
      expect(dotenvKeyPrefix('2nd_')).toBe('_2ND_');
      expect(dotenvKeyPrefix(undefined)).toBe('K6_GATE_');
      expect(dotenvKeyPrefix('  ')).toBe('K6_GATE_');
    });

    it('writes every key under the prefix of the job, so two jobs of one pipeline never export the same variable', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-dotenv-'));
      try {
        const result = gateResult({ outcome: 'passed', failed: false, regressions: 0, thresholdsFailed: 0, scenarios: [] });
        await writeDotenv(result, dir, { keyPrefix: 'k6-gate_production_', noteUrl: 'https://gitlab.example.com/n/1' });
        expect(await readFile(path.join(dir, 'k6-gate.env'), 'utf8')).toBe(
          'K6_GATE_PRODUCTION_RESULT=passed\nK6_GATE_PRODUCTION_FAILED=false\nK6_GATE_PRODUCTION_REGRESSIONS=0\n' +
            'K6_GATE_PRODUCTION_THRESHOLDS_FAILED=0\nK6_GATE_PRODUCTION_INCONCLUSIVE=0\nK6_GATE_PRODUCTION_REGRESSED_METRICS=\nK6_GATE_PRODUCTION_NOTE_URL=https://gitlab.example.com/n/1\n',
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
