// `update-baseline: pull-request`: the updated baseline reaches the repository as one branch and one
// pull request, with the real Octokit against the fake GitHub API (Git refs, contents, pulls).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { parseBaselineProposal, parseUpdateBaseline } from '../../src/config.js';
import type { GitHubRunContext } from '../../src/platform/github/context.js';
import { publishToGitHub } from '../../src/platform/github/publish.js';
import { gateResult } from '../helpers/builders.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './fakes/github-api.js';

function capture() {
  const lines: { level: string; message: string }[] = [];
  const log: Logger = {
    info: (message) => lines.push({ level: 'info', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
    error: (message) => lines.push({ level: 'error', message }),
    debug: () => undefined,
    group: (_title, fn) => fn(),
    addSecret: () => undefined,
  };
  return { log, text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n') };
}

describe('update-baseline: pull-request', () => {
  let api: FakeGitHubApi;
  let workspace: string;
  const saved = { ...process.env };
  const OLD = '{"version":1,"baselines":{"http-endpoints@smoke@staging":{"old":true}}}\n';

  beforeEach(async () => {
    api = await startFakeGitHubApi();
    api.seedBranch('main', { 'perf/k6-baseline.json': OLD, 'README.md': '# shop\n' });
    workspace = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-baseline-pr-'));
    mkdirSync(path.join(workspace, 'perf'));
    delete process.env.GITHUB_STEP_SUMMARY;
    process.env.GITHUB_OUTPUT = path.join(workspace, 'output.txt');
  });
  afterEach(async () => {
    process.env = { ...saved };
    await api.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  const ctx = (): GitHubRunContext => ({
    eventName: 'push',
    owner: 'acme',
    repo: 'shop',
    serverUrl: 'https://github.com',
    apiUrl: api.url,
    runId: '99',
    ref: 'refs/heads/main',
    refName: 'main',
    sha: 'abc123',
    workspace,
  });

  async function publish(content: string, baselineUpdated = true) {
    const file = path.join(workspace, 'perf', 'k6-baseline.json');
    writeFileSync(file, content);
    const { log, text } = capture();
    const published = await publishToGitHub(gateResult({ baselineUpdated }), {
      ctx: ctx(),
      resultsDir: path.join(workspace, 'results'),
      log,
      comment: { mode: 'never', id: 'perf/gate', token: 'ghs_contents' },
      artifact: { enabled: false, name: 'unused' },
      baseline: { proposal: 'pull-request', file, workspace },
    });
    return { published, text: text() };
  }

  it('opens one pull request with the updated file on its own branch, and later runs update that same pull request', async () => {
    const first = await publish('{"version":1,"run":1}\n');
    expect(first.published.baselineProposal).toMatchObject({ action: 'created', branch: 'k6-gate/baseline-update/main' });
    expect(first.text).toContain('created the baseline pull request https://github.com/acme/shop/pull/100');
    const branch = api.branches.get('k6-gate/baseline-update/main')!;
    expect(branch.files.get('perf/k6-baseline.json')).toBe('{"version":1,"run":1}\n');
    expect(branch.files.get('README.md')).toBe('# shop\n');
    expect(branch.commits).toEqual(['k6-gate: record http-endpoints@smoke in perf/k6-baseline.json']);
    expect(api.pulls).toHaveLength(1);
    expect(api.pulls[0]).toMatchObject({ head: 'k6-gate/baseline-update/main', base: 'main', state: 'open' });
    expect(api.pulls[0].title).toBe('k6-gate: update the load-test baseline perf/k6-baseline.json (main)');
    expect(api.pulls[0].body).toContain('`http-endpoints@smoke`: passed');
    expect(api.pulls[0].body).toContain('commit abc123');
    // The base branch is never written to.
    expect(api.branches.get('main')!.files.get('perf/k6-baseline.json')).toBe(OLD);

    const second = await publish('{"version":1,"run":2}\n');
    expect(second.published.baselineProposal).toMatchObject({ action: 'updated' });
    expect(api.pulls).toHaveLength(1);
    // Reset onto the base, then one commit: never a pile of stale commits.
    expect(api.branches.get('k6-gate/baseline-update/main')!.commits).toHaveLength(1);
    expect(api.branches.get('k6-gate/baseline-update/main')!.files.get('perf/k6-baseline.json')).toBe('{"version":1,"run":2}\n');
  });

  it('a baseline file new to the repository is created on the branch', async () => {
    api.branches.get('main')!.files.delete('perf/k6-baseline.json');
    const { published } = await publish('{"version":1,"new":true}\n');
    expect(published.baselineProposal?.action).toBe('created');
    expect(api.branches.get('k6-gate/baseline-update/main')!.files.get('perf/k6-baseline.json')).toBe('{"version":1,"new":true}\n');
  });

  it('proposes nothing when the base already holds the same file, or when the run did not update the baseline', async () => {
    const same = await publish(OLD);
    expect(same.published.baselineProposal?.action).toBe('unchanged');
    const notUpdated = await publish('{"other":1}\n', false);
    expect(notUpdated.published.baselineProposal).toBeUndefined();
    expect(api.pulls).toHaveLength(0);
    expect(api.branches.has('k6-gate/baseline-update/main')).toBe(false);
  });

  it('a token without contents: write is a warning naming the permissions; the run result is untouched', async () => {
    api.fail({ method: 'PUT', path: /\/contents\//, status: 403, message: 'Resource not accessible by integration', times: Infinity });
    const { published, text } = await publish('{"version":1,"run":3}\n');
    expect(published.baselineProposal).toBeUndefined();
    expect(text).toMatch(
      /warning: k6-gate: the updated baseline was not proposed: GitHub refused it \(HTTP 403: .*contents: write.*pull-requests: write/,
    );
    expect(published.outputs.result).toBe('passed');
  });

  it('update-baseline reads pull-request and merge-request as proposals that record like always', () => {
    expect(parseUpdateBaseline('pull-request', 'auto')).toBe('always');
    expect(parseBaselineProposal('pull-request')).toBe('pull-request');
    expect(parseBaselineProposal('Merge-Request')).toBe('merge-request');
    expect(parseBaselineProposal('always')).toBeUndefined();
    expect(() => parseUpdateBaseline('pull_request')).toThrow(/pull-request \/ merge-request/);
  });
});
