// A/B duet inputs (ab-design, ab-min-effect, max-duration) as the action reads them (INPUT_*
// through @actions/core) and as the CLI takes them, with one rule each; a max-duration below one
// duet block is refused before anything runs.
import * as core from '@actions/core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readInputs } from '../../../src/inputs.js';
import { runCli } from '../../helpers/cli.js';

let ws: string;
const saved = { ...process.env };
beforeEach(async () => {
  ws = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-duet-inputs-'));
  await writeFile(path.join(ws, 'smoke.js'), 'export default function () {}\n');
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(ws, { recursive: true, force: true });
});

/** The action's way: INPUT_<NAME> variables read by core.getInput. */
async function fromActionInputs(inputs: Record<string, string>) {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name];
  for (const [name, value] of Object.entries({
    scenarios: 'smoke.js',
    target: 'http://127.0.0.1:2',
    'baseline-target': 'http://127.0.0.1:1',
    ...inputs,
  }))
    process.env[`INPUT_${name.toUpperCase()}`] = value;
  const { config } = await readInputs((name) => core.getInput(name), { workspace: ws, env: {} });
  return config;
}

describe('A/B duet inputs', () => {
  it('the action: the duet by default with a 2 % practical size and 60 s; abba, 5% and 2m when given', async () => {
    expect(await fromActionInputs({})).toMatchObject({ abDesign: 'duet', abMinEffect: 0.02, maxDurationMs: 60_000 });
    expect(await fromActionInputs({ 'ab-design': 'abba', 'ab-min-effect': '5%', 'max-duration': '2m' })).toMatchObject({
      abDesign: 'abba',
      abMinEffect: 0.05,
      maxDurationMs: 120_000,
    });
    expect(await fromActionInputs({ 'ab-min-effect': '0.03' })).toMatchObject({ abMinEffect: 0.03 });
  });

  it('the action refuses a design it does not know, a practical size that is not one, and a max-duration below one block', async () => {
    await expect(fromActionInputs({ 'ab-design': 'abab' })).rejects.toThrow(
      'ab-design "abab" is not valid; expected duet (A and B at the same time, the default) or abba (interleaved pairs of whole runs)',
    );
    await expect(fromActionInputs({ 'ab-min-effect': 'big' })).rejects.toThrow(
      /ab-min-effect is "big"; expected a fraction such as 0.1 or a percentage such as "10%"/,
    );
    await expect(fromActionInputs({ 'max-duration': '10s' })).rejects.toThrow(
      'max-duration 10 s is shorter than one duet block (20 s); expected at least 20 s, e.g. 60s',
    );
  });

  it('the CLI: --max-duration 10s is bad input (exit 2) naming the block, before any k6 or target is touched', async () => {
    const run = await runCli(
      ['run', 'smoke.js', '--target', 'http://127.0.0.1:2', '--baseline-target', 'http://127.0.0.1:1', '--max-duration', '10s'],
      ws,
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('max-duration 10 s is shorter than one duet block (20 s); expected at least 20 s, e.g. 60s');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('the CLI takes --ab-design, --ab-min-effect and --max-duration, and lists them in --help', async () => {
    const help = await runCli(['run', '--help'], ws);
    expect(help.stdout).toMatch(/--ab-design DESIGN\s+A\/B mode: duet \(default/);
    expect(help.stdout).toMatch(/--ab-min-effect P\s+A\/B duet: the smallest latency change that counts, e.g. 5% \(default 2%\)/);
    expect(help.stdout).toMatch(/--max-duration D\s+A\/B duet: the most k6 time per side before it says inconclusive \(default 60s\)/);
    const bad = await runCli(['run', 'smoke.js', '--target', 'http://127.0.0.1:2', '--ab-design', 'duo'], ws);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('ab-design "duo" is not valid');
  });
});
