// Inputs that used to be accepted and then misbehaved: an undefined environment, heavy profiles on
// the CLI and in GitLab merge-request jobs, time limits Node cannot keep, scenario names that
// collide as file names. Each is refused before k6 starts, with the way out.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromInputs } from '../../src/inputs.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';

async function refused(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const ws = await tempWorkspace();
  await writeFile(path.join(ws, 'noop.js'), 'export default function () {}\n');
  const run = await runCli(argv, ws, env);
  expect(run.status, run.stderr).toBe(2);
  expect(run.stderr).not.toContain('$ k6 run');
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return run.stderr;
}

describe('environments', () => {
  it('--environment production with no environments file and no target is an error naming both ways out', async () => {
    expect(await refused(['run', 'http-endpoints', '--environment', 'production'])).toContain(
      'environment "production" is not defined: there is no environments file (k6-gate.environments.json); expected a file that defines it',
    );
  });

  it('with a target, an undefined environment name only labels the reports', async () => {
    const ws = await tempWorkspace();
    const inputs: Record<string, string> = { scenarios: 'http-endpoints', environment: 'local', target: 'http://127.0.0.1:9' };
    const config = await configFromInputs((n) => inputs[n], { workspace: ws, env: {} });
    expect(config).toMatchObject({ environment: 'local', target: 'http://127.0.0.1:9' });
  });

  it('a merge job (no load, no target) may name an environment that is not defined: the sharded template’s merge job', async () => {
    const ws = await tempWorkspace();
    const inputs: Record<string, string> = {
      scenarios: 'http-endpoints',
      environment: 'staging',
      profile: 'stress',
      'merge-from': 'shards',
    };
    const config = await configFromInputs((n) => inputs[n], { workspace: ws, env: {}, changeRequest: 'merge request pipeline' });
    expect(config).toMatchObject({ environment: 'staging', target: undefined, merge: { dir: path.join(ws, 'shards') } });
  });

  it.each([
    ['the CLI, environment named production', ['--environment', 'production'], {}],
    ['a GitLab merge-request job', [], { GITLAB_CI: 'true', CI_MERGE_REQUEST_IID: '7' }],
  ] as [string, string[], NodeJS.ProcessEnv][])('heavy profiles are refused on every platform alike: %s', async (_where, argv, env) => {
    const stderr = await refused(['run', 'http-endpoints', '--profile', 'stress', '--target', 'http://127.0.0.1:9', ...argv], env);
    expect(stderr).toContain('profile "stress" is a heavy load profile and');
    expect(stderr).toContain('--allow-heavy-load');
  });
});

describe('time limits', () => {
  it.each([
    ['0', 'timeout "0" is shorter than 1s and would stop k6 before it starts'],
    ['99999999h', 'timeout "99999999h" is longer than 24 days, the longest limit k6-gate can keep'],
  ])('--timeout %s is refused with a clear message', async (value, says) => {
    expect(await refused(['run', 'noop.js', '--timeout', value])).toContain(says);
  });
});

describe('scenario names', () => {
  it('two names that become the same file name (a:b, a;b) are refused before they overwrite each other', async () => {
    expect(await refused(['run', 'a:b=noop.js', 'a;b=noop.js'])).toContain(
      'scenario names "a:b" and "a;b" both become the file name part "a_b", so their results would overwrite each other',
    );
  });
});
