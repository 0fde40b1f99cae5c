// `k6-gate baseline show | diff | update` and the rules inputs, as a user runs them.
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { testK6Path } from '../helpers/k6.js';
import { tempWorkspace } from '../helpers/gate.js';
import { printedResult, runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';

const cli = runCli;

const fixture = path.join(import.meta.dirname, '../data/summaries/k6-v2.2.0-legacy-passed.json');

describe('k6-gate baseline', () => {
  it('update records a summary export, show lists it, diff tells what changed', async () => {
    const ws = await tempWorkspace();
    await copyFile(fixture, path.join(ws, 'summary.json'));
    const first = await cli(
      ['baseline', 'update', '--summary', 'summary.json', '--scenario', 'checkout', '--profile', 'smoke', '--commit', 'abc123'],
      ws,
    );
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('recorded summary.json as checkout@smoke in k6-baseline.json');
    const baseline = JSON.parse(await readFile(path.join(ws, 'k6-baseline.json'), 'utf8'));
    const p95 = baseline.scenarios['checkout@smoke'].metrics.http_req_duration['p(95)'];
    expect(p95.history).toHaveLength(1);
    expect(p95.history[0].commit).toBe('abc123');
    expect(p95.history[0].k6Version).toBe('unknown');

    await copyFile(path.join(ws, 'k6-baseline.json'), path.join(ws, 'before.json'));
    expect(
      (await cli(['baseline', 'update', '--summary', 'summary.json', '--scenario', 'checkout', '--profile', 'smoke'], ws)).status,
    ).toBe(0);
    const show = await cli(['baseline', 'show'], ws);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('checkout@smoke');
    expect(show.stdout).toMatch(/http_req_duration\s+p\(95\)\s+\S+ ms\s+2/);
    const diff = await cli(['baseline', 'diff', 'before.json', 'k6-baseline.json'], ws);
    expect(diff.status).toBe(0);
    expect(diff.stdout).toContain('checkout@smoke');
  });

  it('update --environment records under the environment key; migrate needs an environment', async () => {
    const ws = await tempWorkspace();
    await copyFile(fixture, path.join(ws, 'summary.json'));
    const staging = await cli(
      ['baseline', 'update', '--summary', 'summary.json', '--scenario', 'checkout', '--profile', 'smoke', '--environment', 'staging'],
      ws,
    );
    expect(staging.status, staging.stderr).toBe(0);
    expect(staging.stderr).toContain('recorded summary.json as checkout@smoke@staging in k6-baseline.json');
    const baseline = JSON.parse(await readFile(path.join(ws, 'k6-baseline.json'), 'utf8'));
    expect(baseline.scenarios['checkout@smoke@staging']).toMatchObject({ scenario: 'checkout', profile: 'smoke', environment: 'staging' });
    const migrate = await cli(['baseline', 'migrate'], ws);
    expect(migrate.status).toBe(2);
    expect(migrate.stderr).toContain('baseline migrate needs --environment NAME: the environment the existing histories measured');
    const nothing = await cli(['baseline', 'migrate', '--environment', 'production'], ws);
    expect(nothing.stderr).toContain('k6-gate: k6-baseline.json has no history without an environment; nothing moved');
  });

  it('says what is missing or wrong', async () => {
    const ws = await tempWorkspace();
    expect((await cli(['baseline', 'update', '--scenario', 'x'], ws)).stderr).toMatch(/needs --summary FILE .* and --scenario NAME/);
    expect((await cli(['baseline', 'update', '--summary', 'nope.json', '--scenario', 'x'], ws)).stderr).toMatch(
      /summary nope.json cannot be read \(ENOENT\)/,
    );
    expect((await cli(['baseline', 'diff', 'a.json'], ws)).stderr).toMatch(/baseline diff takes two files/);
    expect((await cli(['baseline', 'prune'], ws)).stderr).toMatch(
      /unknown baseline command "prune"; expected show, diff, update or migrate/,
    );
    expect((await cli(['baseline', 'show'], ws)).stdout).toMatch(/no baseline yet/);
  });

  it('update refuses a k6 version that is not one and a scenario name that is another key, writing nothing', async () => {
    const ws = await tempWorkspace();
    await copyFile(fixture, path.join(ws, 'summary.json'));
    const update = (...flags: string[]) => cli(['baseline', 'update', '--summary', 'summary.json', ...flags], ws);
    const badVersion = await update('--scenario', 'checkout', '--k6-version', 'lol');
    expect(badVersion.status).toBe(2);
    expect(badVersion.stderr).toContain('k6-version "lol" is not a version; expected X.Y.Z');
    const badName = await update('--scenario', 'x@stress@production');
    expect(badName.status).toBe(2);
    expect(badName.stderr).toContain('scenario name "x@stress@production" holds "@"');
    await expect(readFile(path.join(ws, 'k6-baseline.json'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect((await update('--scenario', 'checkout', '--k6-version', 'v2.2.0')).status).toBe(0);
  });
});

describe('update-baseline in CI', () => {
  let target: DemoTarget;
  beforeAll(async () => {
    target = await startDemoTarget({ port: 0 });
  });
  afterAll(() => target.close());

  const gitlab = (branch: string) => ({
    GITLAB_CI: 'true',
    CI_COMMIT_BRANCH: branch,
    CI_DEFAULT_BRANCH: 'main',
    CI_COMMIT_SHA: 'f00dfeed',
  });

  it('`true` records only on the default branch; `always` records anywhere', async () => {
    const ws = await tempWorkspace();
    const args = runArgs('http-endpoints', { target: target.url, k6: testK6Path(), env: { VUS: '1', DURATION: '1s' }, json: true });
    const onBranch = await runCli([...args, '--update-baseline'], ws, gitlab('feature/x'));
    expect(onBranch.status).toBe(0);
    expect(printedResult(onBranch).warnings).toContain('baseline not updated: update-baseline is auto and this is not the default branch');
    await expect(readFile(path.join(ws, 'k6-baseline.json'), 'utf8')).rejects.toThrow(/ENOENT/);

    const onMain = await runCli([...args, '--update-baseline'], ws, gitlab('main'));
    expect(printedResult(onMain).baselineUpdated).toBe(true);
    const baseline = JSON.parse(await readFile(path.join(ws, 'k6-baseline.json'), 'utf8'));
    expect(baseline.scenarios['http-endpoints'].metrics.http_req_duration['p(95)'].history[0].commit).toBe('f00dfeed');

    const always = await runCli([...args, '--update-baseline', 'always'], ws, gitlab('feature/x'));
    expect(printedResult(always).baselineUpdated).toBe(true);
  });
});

describe('rules inputs', () => {
  let target: DemoTarget;
  beforeAll(async () => {
    target = await startDemoTarget({ port: 0 });
  });
  afterAll(() => target.close());

  it('--tolerance and --watch change what is compared and how', async () => {
    const ws = await tempWorkspace();
    const run = await cli(
      runArgs(
        'http-endpoints',
        { target: target.url, k6: testK6Path(), env: { VUS: '1', DURATION: '1s' }, json: true },
        ...['--tolerance', '35%', '--watch', 'http_req_duration:p(90)', '--watch', 'http_req_failed:rate'],
      ),
      ws,
    );
    expect(run.status).toBe(0);
    const result = printedResult(run);
    expect(result.scenarios[0].metrics.map((m) => `${m.metric}:${m.stat}`)).toEqual(['http_req_duration:p(90)', 'http_req_failed:rate']);
    expect(result.scenarios[0].metrics.every((m) => m.tolerance === 0.35)).toBe(true);
  });

  it.each([
    [['--tolerance', 'lots'], /tolerance is "lots"; expected a fraction such as 0.1 or a percentage such as "10%"/],
    [['--tolerance', '-5%'], /tolerance is "-5%"; expected a fraction such as 0.1 or a percentage such as "10%"/],
    [['--history-limit', '0'], /history-limit is 0; expected a whole number of runs from 1 to 1000/],
    [['--confidence', '1.5'], /confidence is 1.5; expected a probability from 0.5 up to \(not including\) 1/],
  ])('rejects %j', async (flags, message) => {
    const ws = await tempWorkspace();
    const run = await cli(['run', 'http-endpoints', '--k6-path', testK6Path(), ...flags], ws);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
