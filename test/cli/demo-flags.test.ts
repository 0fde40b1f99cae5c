// The demo's --slowdown flag: the forms it takes (5%, 0.05) and the message for the ones it refuses,
// as a user sees it from `k6-gate demo --ab --slowdown …` (before any target or k6 starts).
import { describe, expect, it } from 'vitest';
import { parseSlowdown } from '../../src/commands/demo.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';

describe('demo --slowdown and --slow-endpoint', () => {
  it.each([
    ['5%', 0.05],
    ['+5%', 0.05],
    ['0.05', 0.05],
    ['50%', 0.5],
    ['0%', 0],
    ['0', 0],
    ['300%', 3],
    ['-10%', -0.1],
  ])('takes %j as a slowdown of %d', (text, fraction) => {
    expect(parseSlowdown('slowdown', text)).toBeCloseTo(fraction, 12);
  });

  it('takes no slowdown when the flag is not given', () => {
    expect(parseSlowdown('slowdown', undefined)).toBeUndefined();
    expect(parseSlowdown('slowdown', '')).toBeUndefined();
  });

  it.each([
    ['5', 'slowdown "5" is ambiguous (5% or 500%?); expected a percentage such as 5% or 50% (or a fraction below 1 such as 0.05)'],
    ['five', 'slowdown "five" is not a percentage; expected a percentage such as 5% or 50% (or a fraction below 1 such as 0.05)'],
    ['5%%', 'slowdown "5%%" is not a percentage; expected a percentage such as 5% or 50% (or a fraction below 1 such as 0.05)'],
    ['-100%', 'slowdown "-100%" would leave the target no latency at all; expected more than -100% (a negative slowdown makes it faster)'],
  ])('`demo --ab --slowdown %s` stops before anything starts, with exit 2 and the message', async (text, message) => {
    // A value starting with a dash is given as --slowdown=-…, as the CLI's error for the other form says.
    const flag = text.startsWith('-') ? [`--slowdown=${text}`] : ['--slowdown', text];
    const run = await runCli(['demo', '--ab', ...flag], await tempWorkspace());
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`error: ${message}`);
    expect(run.stdout).toBe('');
  });

  it('`demo --slow-endpoint` with something that is not a path stops with exit 2 and the message', async () => {
    const run = await runCli(['demo', '--slow-endpoint', 'api/orders'], await tempWorkspace());
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('error: slow endpoint "api/orders" is not a path; expected e.g. "/api/orders"');
  });
});
