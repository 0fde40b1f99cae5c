// The input specification (src/input-spec.ts) is the one declaration of every input: action.yml,
// the CLI's flags and help, and the secrets all agree with it, and a value is validated by one rule
// wherever it comes from (an input, a flag, the rules file).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { HELP } from '../src/commands/help.js';
import { parseCommandArgs } from '../src/config.js';
import {
  INPUTS,
  SECRET_INPUTS,
  inputsFromFlags,
  normaliseArgv,
  parseArgsOptions,
  renderFlagHelp,
  type Command,
} from '../src/input-spec.js';
import { readInputs, secretInputs } from '../src/inputs.js';
import { loadRules } from '../src/baseline/rules.js';

const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: unknown }> };

/** The named inputs a command line gives, as the CLI builds them. */
function flagsToInputs(command: Command, argv: string[]) {
  const { values, positionals } = parseCommandArgs(parseArgsOptions(command), normaliseArgv(command, argv), command, command !== 'install');
  return inputsFromFlags(command, values, positionals);
}

describe('the input specification', () => {
  it('declares exactly the inputs action.yml declares, with the same defaults', () => {
    const declared = Object.entries(INPUTS)
      .filter(([, spec]) => spec.action !== false)
      .map(([name]) => name);
    expect(Object.keys(action.inputs).sort()).toEqual([...declared].sort());
    for (const name of declared) {
      const actionDefault = action.inputs[name].default;
      if (typeof actionDefault === 'string' && actionDefault.includes('${{')) continue;
      const spec = INPUTS[name as keyof typeof INPUTS] as { default?: string };
      expect(String(actionDefault ?? ''), name).toBe(spec.default ?? '');
    }
  });

  it('.env.example sets every action input as INPUT_<NAME>, at its default where it has one', () => {
    const lines = readFileSync('.env.example', 'utf8').split('\n');
    const set = new Map(
      lines.flatMap((line) =>
        /^INPUT_[A-Z0-9-]+=/.test(line) ? [[line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]] : [],
      ),
    );
    for (const [name, spec] of Object.entries(INPUTS)) {
      if (spec.action === false) continue;
      const variable = `INPUT_${name.toUpperCase()}`;
      expect(set.has(variable), `${variable} in .env.example`).toBe(true);
      if (spec.default !== undefined && name !== 'baseline') expect(set.get(variable), variable).toBe(spec.default);
    }
  });

  it('every CLI flag of run reaches its input with the value given', () => {
    const values: Record<string, string> = {};
    const argv: string[] = [];
    for (const [name, spec] of Object.entries(INPUTS)) {
      for (const flag of spec.flags ?? []) {
        if (flag.kind === 'positional' || !(flag.commands ?? ['run']).includes('run')) continue;
        if (flag.kind === 'switch' || flag.kind === 'optional-value') {
          argv.push(`--${flag.flag}`);
          values[name] ??= flag.kind === 'switch' ? flag.sets : flag.bare;
        } else {
          argv.push(`--${flag.flag}`, `v-${name}`);
          values[name] ??= `v-${name}`;
        }
      }
    }
    const inputs = flagsToInputs('run', ['my-scenario', ...argv]);
    expect(inputs).toMatchObject({ scenarios: 'my-scenario', ...values });
  });

  it('repeatable flags are joined the way the input is written (lines, commas, quoted words)', () => {
    const inputs = flagsToInputs('run', [
      's',
      '--watch',
      'a:p(95)',
      '--watch',
      'b:rate',
      '--notify',
      'slack=A',
      '--notify',
      'webhook=B',
      '--env',
      'A=1 2',
      '--env',
      "B=it's",
    ]);
    expect(inputs.watch).toBe('a:p(95)\nb:rate');
    expect(inputs.notify).toBe('slack=A,webhook=B');
    expect(inputs.env).toBe(`'A=1 2' 'B=it'\\''s'`);
  });

  it('a value flag takes a next word that starts with a dash: --tolerance -5% is a bad tolerance, not a missing value', () => {
    expect(flagsToInputs('run', ['s', '--tolerance', '-5%']).tolerance).toBe('-5%');
    expect(flagsToInputs('run', ['s', '--k6-args', '--tag a=b'])['k6-args']).toBe('--tag a=b');
    // A flag of ours after a value flag is still a flag: the value is missing.
    expect(() => flagsToInputs('run', ['s', '--target', '--profile', 'smoke'])).toThrow(/--target/);
  });

  it('--update-baseline alone means true; with a mode word, that mode; before a scenario, it does not eat the scenario', () => {
    expect(flagsToInputs('run', ['s', '--update-baseline'])['update-baseline']).toBe('true');
    expect(flagsToInputs('run', ['--update-baseline', 'force', 's'])).toMatchObject({ 'update-baseline': 'force', scenarios: 's' });
    expect(flagsToInputs('run', ['--update-baseline', 's'])).toMatchObject({ 'update-baseline': 'true', scenarios: 's' });
    expect(flagsToInputs('demo', ['--update-baseline'])['update-baseline']).toBe('always');
  });

  it('install takes the k6 inputs only, under the same names', () => {
    expect(flagsToInputs('install', ['--k6-version', '1.8.1', '--method', 'release'])).toEqual({
      'k6-version': '1.8.1',
      'k6-install': 'release',
    });
    expect(() => flagsToInputs('install', ['--profile', 'smoke'])).toThrow(/Unknown option '--profile'/);
  });

  it('the help lists every flag a command takes, with its input’s help', () => {
    for (const [name, spec] of Object.entries(INPUTS)) {
      for (const flag of spec.flags ?? []) {
        if (flag.kind === 'positional') continue;
        for (const command of flag.commands ?? ['run']) {
          const help = command === 'run' || command === 'merge' ? HELP : renderFlagHelp(command);
          expect(help, `${command} --${flag.flag}`).toContain(`--${flag.flag}`);
          expect(help, `${command} ${name}`).toContain((flag.help ?? spec.help).split('\n')[0]);
        }
      }
    }
  });

  it('the secrets are the inputs marked secret, and auth-token is one on the CLI too', () => {
    expect([...SECRET_INPUTS].sort()).toEqual(['auth-token', 'token']);
    expect(secretInputs((name) => ({ token: 'ghp_x', 'auth-token': 'tok-1' })[name], {}).sort()).toEqual(['ghp_x', 'tok-1']);
    expect(flagsToInputs('run', ['s', '--auth-token', 'tok-1'])['auth-token']).toBe('tok-1');
  });
});

describe('the GitLab templates', () => {
  // Template inputs that are not k6-gate inputs: how the job runs, not what the gate does.
  const TEMPLATE_ONLY = [
    'job-prefix',
    'stage',
    'image',
    'cli',
    'expire-in',
    'args',
    'merge-args',
    'scenarios',
    'shards',
    'load-performance',
  ];

  it.each(['k6-gate.yml', 'k6-gate-sharded.yml'])(
    '%s passes each of its inputs to the CLI with the flag the specification declares',
    (file) => {
      const text = readFileSync(path.join('templates', file), 'utf8');
      const inputs = Object.keys((parseAllDocuments(text)[0].toJS() as { spec: { inputs: Record<string, unknown> } }).spec.inputs);
      // The jobs as written (the folded command lines), after the spec header.
      const body = text.slice(text.indexOf('\n---\n'));
      const unmapped: string[] = [];
      for (const name of inputs) {
        if (TEMPLATE_ONLY.includes(name)) continue;
        const entry = Object.entries(INPUTS).find(([, spec]) => spec.template?.includes(name));
        if (!entry) {
          unmapped.push(name);
          continue;
        }
        const flags = (entry[1].flags ?? []).flatMap((f) => (f.kind === 'value' || f.kind === 'repeat' ? [f.flag] : []));
        // One word, double-quoted or (free text) single-quoted.
        const passed = flags.some((flag) => ['"', "'"].some((quote) => body.includes(`--${flag} ${quote}$[[ inputs.${name} ]]`)));
        expect(passed, `${file}: ${name} is passed as --${flags.join(' or --')} "$[[ inputs.${name} ]]"`).toBe(true);
      }
      expect(unmapped, `${file}: template inputs the specification does not name (add them to an input's template list)`).toEqual([]);
    },
  );
});

describe('one rule per value, wherever it is given', () => {
  let ws: string;
  beforeEach(async () => {
    ws = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-input-spec-'));
    await writeFile(path.join(ws, 'smoke.js'), 'export default function () {}\n');
  });
  afterEach(() => rm(ws, { recursive: true, force: true }));

  const fromInput = async (name: string, value: string) => {
    const inputs: Record<string, string> = { scenarios: 'smoke.js', [name]: value };
    const { config } = await readInputs((n) => inputs[n], { workspace: ws, env: {} });
    return config.rulesOverrides;
  };
  const fromFile = async (key: string, value: unknown) => {
    const file = path.join(ws, 'rules.json');
    await writeFile(file, JSON.stringify({ [key]: value }));
    return loadRules(file);
  };

  it.each([
    ['confidence', 'confidence', '0.5', 0.5],
    ['confidence', 'confidence', '0.99', 0.99],
    ['history-limit', 'historyLimit', '1000', 1000],
    ['tolerance', 'tolerance', '0', 0],
  ])('%s %s %s is accepted as an input and in the rules file', async (input, key, text, expected) => {
    expect(await fromInput(input, text)).toMatchObject({ [key]: expected });
    expect(await fromFile(key, expected)).toMatchObject({ [key]: expected });
  });

  it.each([
    ['confidence', 'confidence', '1', 1, /expected a probability from 0.5 up to \(not including\) 1/],
    ['confidence', 'confidence', '0.4', 0.4, /expected a probability from 0.5 up to \(not including\) 1/],
    ['history-limit', 'historyLimit', '0', 0, /expected a whole number of runs from 1 to 1000/],
    ['history-limit', 'historyLimit', '1001', 1001, /expected a whole number of runs from 1 to 1000/],
    ['tolerance', 'tolerance', '-0.05', -0.05, /expected a fraction such as 0.1 or a percentage such as "10%"/],
  ])('%s %s %s is refused as an input and in the rules file with the same expectation', async (input, key, text, value, message) => {
    await expect(fromInput(input, text)).rejects.toThrow(message);
    await expect(fromFile(key, value)).rejects.toThrow(message);
  });

  it('a percentage is a confidence as an input: "99%" is 0.99', async () => {
    expect(await fromInput('confidence', '99%')).toMatchObject({ confidence: 0.99 });
  });
});
