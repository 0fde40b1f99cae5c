import { describe, expect, it } from 'vitest';
import { classifyExit, worstOutcome } from '../../src/k6/exit-codes.js';

describe('classifyExit', () => {
  it.each([
    [0, 'passed', /finished/],
    [99, 'thresholds-failed', /thresholds were crossed/],
    [100, 'error', /setup\(\) timed out/],
    [101, 'error', /teardown\(\) timed out/],
    [102, 'error', /timed out/],
    [103, 'error', /REST API/],
    [104, 'error', /configuration is invalid/],
    [105, 'error', /aborted from outside/],
    [106, 'error', /REST API failed/],
    [107, 'error', /threw an exception/],
    [108, 'error', /test.abort\(\)/],
    [109, 'error', /Go panic/],
    [110, 'error', /test.fail\(\)/],
    [255, 'error', /unspecified/],
    [97, 'error', /cloud/],
    [98, 'error', /cloud/],
    [42, 'error', /unknown code 42/],
  ])('exit %i → %s', (code, outcome, meaning) => {
    const result = classifyExit(code);
    expect(result.outcome).toBe(outcome);
    expect(result.meaning).toMatch(meaning);
  });

  it('a kill by signal is an error naming the signal', () => {
    expect(classifyExit(null, 'SIGKILL')).toEqual({ outcome: 'error', meaning: 'k6 was killed by SIGKILL before it could exit' });
  });
});

describe('worstOutcome', () => {
  it('orders error > thresholds-failed > regressed > passed', () => {
    expect(worstOutcome('passed', 'regressed')).toBe('regressed');
    expect(worstOutcome('regressed', 'thresholds-failed', 'passed')).toBe('thresholds-failed');
    expect(worstOutcome('error', 'thresholds-failed')).toBe('error');
    expect(worstOutcome()).toBe('passed');
  });
});
