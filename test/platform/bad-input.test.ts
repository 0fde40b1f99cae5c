// Bad input ends a run before k6 starts; the change request must not keep showing the previous
// run's green report. The action (in-process, the real Octokit against the fake GitHub API) and the
// CLI in a GitLab merge-request job (the fake GitLab API) both put the error in their sticky comment.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/main.js';
import { commentMarker } from '../../src/platform/github/comment.js';
import { noteMarker } from '../../src/platform/gitlab/client.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../github/fakes/github-api.js';
import { startFakeGitLab, TOKEN_BOT_USER, type FakeGitLab } from '../gitlab/fake-gitlab.js';
import { runCli } from '../helpers/cli.js';

describe('bad input updates the sticky comment', () => {
  let tmp: string;
  const saved = { ...process.env };
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-bad-input-'));
    process.exitCode = undefined;
  });
  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('GitHub (the action)', () => {
    let api: FakeGitHubApi;
    beforeEach(async () => {
      api = await startFakeGitHubApi();
    });
    afterEach(() => api.close());

    it('bad input updates the comment: the PR shows the error, not the last green report', async () => {
      const marker = commentMarker('perf/gate');
      const [earlier] = api.seedComments('acme', 'shop', 7, [`${marker}\n## ✅ k6-gate: passed`]);
      const eventPath = path.join(tmp, 'event.json');
      writeFileSync(
        eventPath,
        JSON.stringify({
          number: 7,
          pull_request: { number: 7, head: { sha: 'abc', repo: { full_name: 'acme/shop' } }, base: { repo: { full_name: 'acme/shop' } } },
          repository: { full_name: 'acme/shop', default_branch: 'main' },
        }),
      );
      writeFileSync(path.join(tmp, 'summary.md'), '');
      Object.assign(process.env, {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_API_URL: api.url,
        GITHUB_WORKFLOW: 'perf',
        GITHUB_JOB: 'gate',
        GITHUB_WORKSPACE: tmp,
        GITHUB_STEP_SUMMARY: path.join(tmp, 'summary.md'),
        GITHUB_OUTPUT: path.join(tmp, 'output.txt'),
        INPUT_TOKEN: 'ghs_badinput',
        INPUT_SCENARIOS: 'http-endpoints',
        INPUT_TARGET: 'http://127.0.0.1:9',
        'INPUT_FAIL-ON': 'regresion',
      });
      await run();
      expect(process.exitCode).toBe(1);
      const comments = api.comments('acme', 'shop', 7);
      expect(comments).toHaveLength(1);
      expect(comments[0].id).toBe(earlier.id);
      expect(comments[0].body.startsWith(marker)).toBe(true);
      expect(comments[0].body).toContain('k6-gate: bad input');
      expect(comments[0].body).toContain('fail-on "regresion"');
      expect(comments[0].body).not.toContain('passed');
      expect(readFileSync(path.join(tmp, 'summary.md'), 'utf8')).toContain('k6-gate: bad input');
    });
  });

  describe('GitLab (the CLI in a merge-request job)', () => {
    const TOKEN = 'glpat-bad-input-123';
    let fake: FakeGitLab;
    afterEach(() => fake.close());

    it.each([
      [['--fail-on', 'regresion'], 'fail-on "regresion"'],
      [['--no-such-flag'], '--no-such-flag'],
    ])('bad input updates the merge-request note with the error headline: %j', async (badArgs, quoted) => {
      const marker = noteMarker('k6-gate:staging');
      const earlier = { id: 5, body: `${marker}\n## ✅ k6-gate: passed`, system: false, author: { username: TOKEN_BOT_USER } };
      fake = await startFakeGitLab({ token: TOKEN, projectId: '42', notes: { '42!7': [earlier] } });
      const cli = await runCli(['run', 'http-endpoints', '--target', 'http://127.0.0.1:9', ...badArgs], tmp, {
        GITLAB_CI: 'true',
        CI_API_V4_URL: fake.apiUrl,
        CI_PROJECT_ID: '42',
        CI_PROJECT_URL: 'https://gitlab.example.com/acme/shop',
        CI_JOB_NAME: 'k6-gate:staging',
        CI_MERGE_REQUEST_IID: '7',
        K6_GATE_GITLAB_TOKEN: TOKEN,
      });
      expect(cli.status).toBe(2);
      expect(cli.stderr).toContain(quoted);
      expect(cli.stderr).toContain('updated the note on merge request !7');
      expect(cli.stderr).not.toContain(TOKEN);
      const notes = fake.notes.get('42!7')!;
      expect(notes).toHaveLength(1);
      expect(notes[0].body.startsWith(marker)).toBe(true);
      expect(notes[0].body).toContain('k6-gate: bad input');
      expect(notes[0].body).toContain(quoted);
      expect(notes[0].body).not.toContain('passed');
    });
  });
});
