// `update-baseline: merge-request`: the updated baseline reaches the repository as one branch and
// one merge request, through the commits and merge_requests API of the fake GitLab (fetch, as in CI).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTerminalLogger } from '../../src/log.js';
import { publishGitLab } from '../../src/platform/gitlab/publish.js';
import { startFakeGitLab, type FakeGitLab } from './fake-gitlab.js';
import { gateResult } from './fixtures.js';

const TOKEN = 'glpat-baseline-mr-123';
const OLD = '{"version":1,"baselines":{"old":true}}\n';

describe('update-baseline: merge-request', () => {
  let fake: FakeGitLab;
  let checkout: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    fake = await startFakeGitLab({
      token: TOKEN,
      projectId: '42',
      branches: { main: { 'perf/k6-baseline.json': OLD, 'README.md': '# shop\n' } },
    });
    checkout = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-baseline-mr-'));
    mkdirSync(path.join(checkout, 'perf'));
    mkdirSync(path.join(checkout, 'results'));
    env = {
      GITLAB_CI: 'true',
      CI_API_V4_URL: fake.apiUrl,
      CI_PROJECT_ID: '42',
      CI_PROJECT_DIR: checkout,
      CI_COMMIT_BRANCH: 'main',
      CI_COMMIT_SHA: 'abc123',
      CI_JOB_URL: 'https://gitlab.example.com/acme/shop/-/jobs/7',
      K6_GATE_GITLAB_TOKEN: TOKEN,
    };
  });
  afterEach(async () => {
    await fake.close();
    rmSync(checkout, { recursive: true, force: true });
  });

  async function publish(content: string, extraEnv: NodeJS.ProcessEnv = {}) {
    const file = path.join(checkout, 'perf', 'k6-baseline.json');
    writeFileSync(file, content);
    const lines: string[] = [];
    const log = createTerminalLogger({ write: (line) => lines.push(line) });
    const published = await publishGitLab(gateResult({ outcome: 'passed', failed: false, baselineUpdated: true }), {
      resultsDir: path.join(checkout, 'results'),
      log,
      env: { ...env, ...extraEnv },
      baseline: { proposal: 'merge-request', file, workspace: path.join(checkout, 'perf') },
    });
    return { published, text: lines.join('\n') };
  }

  it('opens one merge request with the updated file on its own branch, and later runs update that same merge request', async () => {
    const first = await publish('{"version":1,"run":1}\n');
    expect(first.published.baselineProposal).toMatchObject({ action: 'created', branch: 'k6-gate/baseline-update/main' });
    expect(first.text).toContain('created the baseline merge request https://gitlab.example.com/acme/shop/-/merge_requests/50');
    const branch = fake.branches.get('k6-gate/baseline-update/main')!;
    // The path is the repository's (CI_PROJECT_DIR), not the folder the CLI was started in.
    expect(branch.files.get('perf/k6-baseline.json')).toBe('{"version":1,"run":1}\n');
    expect(branch.files.get('README.md')).toBe('# shop\n');
    expect(branch.commits).toHaveLength(1);
    expect(branch.commits[0]).toMatch(/^k6-gate: record .* in perf\/k6-baseline\.json$/);
    expect(fake.mergeRequests).toHaveLength(1);
    expect(fake.mergeRequests[0]).toMatchObject({ source_branch: 'k6-gate/baseline-update/main', target_branch: 'main', state: 'opened' });
    expect(fake.mergeRequests[0].description).toContain('commit abc123');
    expect(fake.branches.get('main')!.files.get('perf/k6-baseline.json')).toBe(OLD);

    const second = await publish('{"version":1,"run":2}\n');
    expect(second.published.baselineProposal).toMatchObject({ action: 'updated' });
    expect(fake.mergeRequests).toHaveLength(1);
    // force: the branch is the base plus this one commit again.
    expect(fake.branches.get('k6-gate/baseline-update/main')!.commits).toHaveLength(1);
    expect(fake.branches.get('k6-gate/baseline-update/main')!.files.get('perf/k6-baseline.json')).toBe('{"version":1,"run":2}\n');
    expect(fake.requests.every((r) => r.token === TOKEN)).toBe(true);
  });

  it('a baseline new to the repository is created; the same content as the base proposes nothing', async () => {
    fake.branches.get('main')!.files.delete('perf/k6-baseline.json');
    expect((await publish('{"new":true}\n')).published.baselineProposal?.action).toBe('created');
    fake.branches.get('main')!.files.set('perf/k6-baseline.json', '{"same":true}\n');
    expect((await publish('{"same":true}\n')).published.baselineProposal?.action).toBe('unchanged');
  });

  it('a token that may not push is a warning naming the role; the dotenv report is still written, the token never printed', async () => {
    fake.script.push({ status: 404, body: { message: '404 File Not Found' } }, { status: 403, body: { message: '403 Forbidden' } });
    const { published, text } = await publish('{"run":3}\n');
    expect(published.baselineProposal).toBeUndefined();
    expect(text).toMatch(/warning: k6-gate: the updated baseline was not proposed: GitLab refused it \(POST .*HTTP 403.*Developer/);
    expect(text).not.toContain(TOKEN);
  });

  it('a tag pipeline, or no token, is a warning and no request', async () => {
    const tag = await publish('{"run":4}\n', { CI_COMMIT_BRANCH: undefined });
    expect(tag.text).toContain('not proposed: this pipeline is not for a branch');
    const noToken = await publish('{"run":5}\n', { K6_GATE_GITLAB_TOKEN: '' });
    expect(noToken.text).toContain('not proposed: K6_GATE_GITLAB_TOKEN is not set');
    expect(fake.requests).toHaveLength(0);
  });
});
