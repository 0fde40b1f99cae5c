// action.yml's defaults and the code's defaults say the same: a workflow that sets nothing gets the
// Config the CLI (which has no action.yml) gets from empty inputs.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configFromInputs } from '../src/inputs.js';

const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: string }> };

describe('action.yml defaults', () => {
  let ws: string | undefined;
  afterEach(() => (ws ? rm(ws, { recursive: true, force: true }) : undefined));

  it('give the same Config as inputs left empty (the code’s own defaults)', async () => {
    ws = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-action-defaults-'));
    await writeFile(path.join(ws, 'smoke.js'), 'export default function () {}\n');
    // Expressions (`${{ github.token }}`) are the runner's to fill in; they are not the code's defaults.
    const defaults = Object.fromEntries(
      Object.entries(action.inputs)
        .filter(([, input]) => input.default !== undefined && !String(input.default).includes('${{'))
        .map(([name, input]) => [name, String(input.default)]),
    );
    expect(Object.keys(defaults).length).toBeGreaterThan(10);
    const context = { workspace: ws, env: {}, git: {} };
    const fromDefaults = await configFromInputs((name) => (name === 'scenarios' ? 'smoke.js' : defaults[name]), context);
    const fromEmpty = await configFromInputs((name) => (name === 'scenarios' ? 'smoke.js' : ''), context);
    expect(fromDefaults).toEqual(fromEmpty);
  });
});
