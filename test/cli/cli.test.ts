// The CLI as a user calls it (in-process through main, with captured output).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { testK6Path } from '../helpers/k6.js';
import { tempWorkspace } from '../helpers/gate.js';
import { runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';

const cli = runCli;

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0 });
});
afterAll(() => target.close());

describe('k6-gate CLI', () => {
  it('prints help and its version', async () => {
    const ws = await tempWorkspace();
    const help = await cli(['--help'], ws);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('k6-gate run <scenario...> [options]');
    expect(help.stdout).toContain('Exit status: 0 passed, 1 the gate failed by policy, 2 error');
    expect((await cli(['--version'], ws)).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  describe('bad input is exit 2 with what was wrong and what was expected', () => {
    it.each([
      [['deploy'], /unknown command "deploy"; expected run, .*demo, demo-target, baseline or install/],
      [['run', 'http-endpoints', '--turbo'], /Unknown option '--turbo'.*see k6-gate --help/],
      [['run'], /no scenario given; expected one or more scenario names or k6 script paths/],
      [
        ['run', 'checkout-flow'],
        /unknown scenario "checkout-flow"; expected a k6 script path or one of the bundled scenarios: crud-flow, http-endpoints, jsonrpc, user-flow, websocket/,
      ],
      [['run', 'missing/script.js'], /scenario "missing\/script.js": no file at .*missing\/script.js/],
      [['run', 'http-endpoints', '--k6-version', 'latest'], /k6-version "latest" is not a version; expected X.Y.Z/],
      [['run', 'http-endpoints', '--fail-on', 'slowness'], /fail-on "slowness": unknown word "slowness"/],
      [['run', 'http-endpoints', '--analysis', 'maybe'], /analysis "maybe" is not a boolean; expected true or false/],
      [['run', 'http-endpoints', '--target', 'staging.example.com'], /target "staging.example.com" is not a URL/],
      [['run', 'http-endpoints', '--target', 'ftp://example.com'], /uses ftp:; expected an http:\/\/ or https:\/\/ URL/],
      [['run', 'http-endpoints', '--baseline', '../../etc/passwd'], /baseline "..\/..\/etc\/passwd" resolves to .*, outside the workspace/],
      [['run', 'http-endpoints', '--k6-install', 'path'], /k6-install is "path" but k6-path is not set/],
      [['run', 'http-endpoints', '--env', 'NOEQUALS'], /env: "NOEQUALS" is not KEY=VALUE/],
      [
        ['run', 'http-endpoints', '--secret-env', 'K6_GATE_NOT_SET_ANYWHERE'],
        /secret-env names K6_GATE_NOT_SET_ANYWHERE, but no such environment variable is set/,
      ],
    ])('%j', async (argv, message) => {
      const ws = await tempWorkspace();
      const result = await cli(argv, ws);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(path.join(ws, 'k6-gate-results'))).toBe(false);
    });
  });

  it('refuses a stress run against a protected environment before k6 starts, and allows it when asked', async () => {
    const ws = await tempWorkspace();
    await writeFile(
      path.join(ws, 'k6-gate.environments.json'),
      JSON.stringify({ environments: { production: { baseUrl: target.url, protected: true }, staging: { baseUrl: target.url } } }),
    );
    const refused = await cli(
      ['run', 'http-endpoints', '--profile', 'stress', '--environment', 'production', '--k6-path', testK6Path()],
      ws,
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/production/);
    expect(refused.stderr).toMatch(/stress/);
    expect(refused.stderr).toMatch(/--allow-heavy-load/);
    expect(refused.stderr).not.toMatch(/\$ k6 run/);
    expect(existsSync(path.join(ws, 'k6-gate-results'))).toBe(false);

    // Unknown environment names list the known ones.
    const unknown = await cli(['run', 'http-endpoints', '--environment', 'prod', '--k6-path', testK6Path()], ws);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/prod.*production.*staging|prod.*staging.*production/s);

    // With the explicit allow flag the same run starts (scaled down to a second).
    const allowed = await cli(
      runArgs(
        'http-endpoints',
        { profile: 'stress', environment: 'production', k6: testK6Path(), env: { VUS: '2', TIME_SCALE: '0.02' }, failOn: 'none' },
        '--allow-heavy-load',
        // Production is protected: its first run has no baseline entry to be judged against.
        ...['--allow-new-baseline', 'true'],
      ),
      ws,
    );
    expect(allowed.stderr).toMatch(/\$ k6 run/);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('http-endpoints · profile stress');
  });

  it('runs a scenario, prints the report on stdout and exits 0; --json prints comparison.json', async () => {
    const ws = await tempWorkspace();
    const args = runArgs('http-endpoints', { profile: 'smoke', target: target.url, k6: testK6Path(), env: { VUS: '2', DURATION: '2s' } });
    const run = await cli(args, ws);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('## ✅ k6-gate: passed');
    expect(run.stdout).toMatch(/\| `http_req_duration` +\| p\(95\)/);
    expect(run.stderr).toMatch(/results in k6-gate-results\/ \(report.md, comparison.json/);
    const json = await cli([...args, '--json'], ws);
    expect(JSON.parse(json.stdout)).toMatchObject({
      schemaVersion: 1,
      outcome: 'passed',
      scenarios: [{ scenario: 'http-endpoints', profile: 'smoke' }],
    });
  });

  it('keeps quotes and $(…) in --k6-args as literal arguments, never running a shell', async () => {
    const ws = await tempWorkspace();
    const marker = path.join(ws, 'pwned');
    const run = await cli(
      runArgs(
        'http-endpoints',
        { target: target.url, k6: testK6Path(), env: { VUS: '1', DURATION: '1s' }, failOn: 'none' },
        '--k6-args',
        `--tag "team=web shop" --tag 'x=$(touch ${marker})'`,
      ),
      ws,
    );
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('--tag "team=web shop" --tag');
    expect(existsSync(marker)).toBe(false);
  });
});
