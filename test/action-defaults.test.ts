// action.yml's defaults and the code's defaults say the same: a workflow that sets nothing gets the
// Config (and publish settings) the CLI (which has no action.yml) gets from empty inputs. And every
// input action.yml declares is one the code reads.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readInputs, secretInputs, type InputContext } from '../src/inputs.js';

const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: unknown }> };

// Expressions (`${{ github.token }}`) are the runner's to fill in; they are not the code's defaults.
const defaults = Object.fromEntries(
  Object.entries(action.inputs)
    .filter(([, input]) => input.default !== undefined && !String(input.default).includes('${{'))
    .map(([name, input]) => [name, String(input.default)]),
);

/** What readInputs gives (or the error it throws) for these inputs, over the script smoke.js. */
async function outcome(inputs: Record<string, string>, context: InputContext) {
  const read = (name: string) => (name === 'scenarios' ? 'smoke.js' : inputs[name]);
  try {
    return { inputs: await readInputs(read, context) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('action.yml inputs', () => {
  let ws: string;
  beforeEach(async () => {
    ws = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-action-defaults-'));
    await writeFile(path.join(ws, 'smoke.js'), 'export default function () {}\n');
  });
  afterEach(() => rm(ws, { recursive: true, force: true }));

  it('default to what the code gives for an input left empty', async () => {
    expect(Object.keys(defaults)).toEqual(expect.arrayContaining(['comment', 'upload-artifacts', 'allow-heavy-load', 'fail-on']));
    const context = { workspace: ws, env: {}, git: {} };
    const fromDefaults = await outcome(defaults, context);
    expect(fromDefaults.error).toBeUndefined();
    expect(fromDefaults).toEqual(await outcome({}, context));
  });

  it.each(Object.keys(defaults))('%s: its action.yml default means the same as leaving it empty', async (name) => {
    // One input at a time, in a run where the load policy applies too (a heavy profile on a pull
    // request), so a default that only changes whether the run may start (allow-heavy-load) counts.
    for (const context of [
      { workspace: ws, env: {}, git: {} },
      { workspace: ws, env: {}, git: {}, changeRequest: 'pull_request run' },
    ]) {
      const others: Record<string, string> = context.changeRequest ? { profile: 'stress' } : {};
      if (name in others) continue;
      expect(await outcome({ ...others, [name]: defaults[name] }, context)).toEqual(await outcome(others, context));
    }
  });

  it('are each read by the code', async () => {
    const read = new Set<string>();
    const reader = (name: string) => {
      read.add(name);
      return name === 'scenarios' ? 'smoke.js' : undefined;
    };
    await readInputs(reader, { workspace: ws, env: {}, git: {} });
    secretInputs(reader, {});
    const unread = Object.keys(action.inputs).filter((name) => !read.has(name));
    expect(unread, `action.yml declares inputs the code never reads: ${unread.join(', ')}`).toEqual([]);
  });
});
