// Baseline proposals end to end: a real k6 run against the demo target records the baseline, then
// `k6-gate run --update-baseline merge-request` in a GitLab job proposes the file through the fake
// GitLab API, and the action with `update-baseline: pull-request` through the fake GitHub API.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { run as runAction } from '../../src/main.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../github/fakes/github-api.js';
import { startFakeGitLab, type FakeGitLab } from '../gitlab/fake-gitlab.js';
import { runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';

const TOKEN = 'glpat-proposal-cli-123';

describe('update-baseline: merge-request from the CLI in a GitLab job', () => {
  let target: DemoTarget;
  let fake: FakeGitLab;
  beforeAll(async () => {
    target = await startDemoTarget({ port: 0 });
    fake = await startFakeGitLab({ token: TOKEN, projectId: '42', branches: { main: { 'README.md': '# shop\n' } } });
  });
  afterAll(async () => {
    await fake.close();
    await target.close();
  });

  it('records the run and opens a merge request holding exactly the file the run wrote', async () => {
    const ws = await tempWorkspace();
    await mkdir(path.join(ws, 'perf'));
    const run = await runCli(
      runArgs(
        'http-endpoints',
        { profile: 'smoke', target: target.url, k6: testK6Path(), env: { VUS: '1', DURATION: '2s' } },
        '--baseline',
        'perf/k6-baseline.json',
        '--update-baseline',
        'merge-request',
      ),
      ws,
      {
        GITLAB_CI: 'true',
        CI_API_V4_URL: fake.apiUrl,
        CI_PROJECT_ID: '42',
        CI_PROJECT_DIR: ws,
        CI_COMMIT_BRANCH: 'main',
        CI_COMMIT_SHA: 'abc123',
        K6_GATE_GITLAB_TOKEN: TOKEN,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/baseline perf\/k6-baseline\.json updated with http-endpoints@smoke/);
    expect(run.stderr).toContain('created the baseline merge request https://gitlab.example.com/acme/shop/-/merge_requests/50');
    expect(run.stderr).not.toContain(TOKEN);
    const written = await readFile(path.join(ws, 'perf', 'k6-baseline.json'), 'utf8');
    expect(fake.branches.get('k6-gate/baseline-update/main')?.files.get('perf/k6-baseline.json')).toBe(written);
    expect(fake.mergeRequests).toMatchObject([{ source_branch: 'k6-gate/baseline-update/main', target_branch: 'main', state: 'opened' }]);
    expect(fake.branches.get('main')?.files.has('perf/k6-baseline.json')).toBe(false);
  });
});

describe('update-baseline: pull-request in the action', () => {
  let target: DemoTarget;
  let api: FakeGitHubApi;
  const saved = { ...process.env };
  beforeAll(async () => {
    target = await startDemoTarget({ port: 0 });
    api = await startFakeGitHubApi();
    api.seedBranch('main', { 'README.md': '# shop\n' });
  });
  afterAll(async () => {
    process.env = { ...saved };
    process.exitCode = undefined;
    await api.close();
    await target.close();
  });

  it('records the run on a push and opens a pull request holding exactly the file the run wrote', async () => {
    const ws = await tempWorkspace();
    await mkdir(path.join(ws, 'perf'));
    const event = path.join(ws, 'event.json');
    await writeFile(event, JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'acme/shop', default_branch: 'main' } }));
    Object.assign(process.env, {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: event,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_SHA: 'abc123',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: api.url,
      GITHUB_WORKSPACE: ws,
      GITHUB_OUTPUT: path.join(ws, 'output.txt'),
      GITHUB_STEP_SUMMARY: path.join(ws, 'summary.md'),
      INPUT_SCENARIOS: 'http-endpoints',
      INPUT_PROFILE: 'smoke',
      INPUT_TARGET: target.url,
      'INPUT_K6-PATH': testK6Path(),
      INPUT_ENV: 'VUS=1 DURATION=2s',
      'INPUT_HTML-REPORT': 'false',
      INPUT_BASELINE: 'perf/k6-baseline.json',
      'INPUT_UPDATE-BASELINE': 'pull-request',
      INPUT_TOKEN: 'ghs_proposal',
      INPUT_COMMENT: 'never',
      'INPUT_UPLOAD-ARTIFACTS': 'false',
    });
    process.exitCode = undefined;
    await runAction();
    expect(process.exitCode ?? 0).toBe(0);
    const written = await readFile(path.join(ws, 'perf', 'k6-baseline.json'), 'utf8');
    expect(written).toContain('http-endpoints@smoke');
    expect(api.branches.get('k6-gate/baseline-update/main')?.files.get('perf/k6-baseline.json')).toBe(written);
    expect(api.pulls).toMatchObject([{ head: 'k6-gate/baseline-update/main', base: 'main', state: 'open' }]);
    expect(api.branches.get('main')?.files.has('perf/k6-baseline.json')).toBe(false);
  });
});
