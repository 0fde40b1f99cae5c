// Platform API faults the GitHub and GitLab suites leave out: 401, 404, 422 and bounded 5xx retries
// on GitHub; 404, 422 and an oversize report on GitLab; and two jobs updating their sticky
// comment/note at the same moment on both. Real clients (Octokit, fetch) against the local fakes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTerminalLogger } from '../../src/log.js';
import { commentMarker, explainCommentFailure, upsertStickyComment } from '../../src/platform/github/comment.js';
import { createGitHubClient } from '../../src/platform/github/octokit.js';
import { GITLAB_NOTE_LIMIT, noteMarker } from '../../src/platform/gitlab/client.js';
import { publishGitLab } from '../../src/platform/gitlab/publish.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../github/fakes/github-api.js';
import { hugeResult } from '../helpers/builders.js';
import { startFakeGitLab, type FakeGitLab } from '../gitlab/fake-gitlab.js';
import { gateResult } from '../gitlab/fixtures.js';

const target = { owner: 'acme', repo: 'shop', issueNumber: 7 };
const marker = commentMarker('perf/gate');

describe('GitHub PR comment faults', () => {
  let api: FakeGitHubApi;
  let sleeps: number[];
  const client = () =>
    createGitHubClient({
      token: 'ghs_reliability',
      baseUrl: api.url,
      baseDelayMs: 1,
      sleep: async (ms) => void sleeps.push(ms),
    });
  beforeEach(async () => {
    api = await startFakeGitHubApi();
    sleeps = [];
  });
  afterEach(() => api.close());

  async function failure(run: () => Promise<unknown>): Promise<unknown> {
    try {
      await run();
    } catch (error) {
      return error;
    }
    throw new Error('expected the call to fail');
  }

  it('401 (bad token) is not retried and becomes a warning that the summary still has the report', async () => {
    api.fail({ method: 'GET', path: /comments$/, status: 401, message: 'Bad credentials', times: Infinity });
    const error = await failure(() => upsertStickyComment(client(), target, marker, 'report'));
    expect(error).toMatchObject({ status: 401 });
    expect(api.requests).toHaveLength(1);
    expect(explainCommentFailure(error, false, true)).toMatch(
      /could not post the PR comment \(HTTP 401: Bad credentials.*\)\. The job summary and the artifact still carry the report\./,
    );
  });

  it('404 (no such PR, or a token that cannot see it) names the missing permission', async () => {
    api.fail({ method: 'GET', path: /comments$/, status: 404, message: 'Not Found', times: Infinity });
    const error = await failure(() => upsertStickyComment(client(), target, marker, 'report'));
    expect(error).toMatchObject({ status: 404 });
    expect(api.requests).toHaveLength(1);
    expect(explainCommentFailure(error, false)).toMatch(/HTTP 404.*pull-requests: write/);
  });

  it('422 (GitHub refuses an oversize body) is not retried and says why', async () => {
    const oversize = 'x'.repeat(70_000);
    const error = await failure(() => upsertStickyComment(client(), target, marker, oversize));
    expect(error).toMatchObject({ status: 422 });
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(explainCommentFailure(error, false)).toMatch(/HTTP 422: .*body is too long/);
  });

  it('5xx is retried a bounded number of times, then gives up; one 502 is recovered from', async () => {
    api.fail({ method: 'GET', path: /comments$/, status: 503, times: Infinity });
    const error = await failure(() => upsertStickyComment(client(), target, marker, 'report'));
    expect(error).toMatchObject({ status: 503 });
    const gets = api.requests.filter((r) => r.method === 'GET').length;
    expect(gets).toBeGreaterThan(1);
    expect(gets).toBeLessThanOrEqual(4);

    api.requests.length = 0;
    const fresh = await startFakeGitHubApi();
    try {
      fresh.fail({ method: 'POST', path: /comments$/, status: 502, times: 1 });
      const octokit = createGitHubClient({ token: 'ghs_reliability', baseUrl: fresh.url, baseDelayMs: 1 });
      const outcome = await upsertStickyComment(octokit, target, marker, 'report');
      expect(outcome.action).toBe('created');
      expect(fresh.comments('acme', 'shop', 7)).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('two jobs updating their comments at once: each finds and edits its own by marker', async () => {
    const staging = commentMarker('perf/gate/staging');
    const production = commentMarker('perf/gate/production');
    await Promise.all([
      upsertStickyComment(client(), target, staging, 'staging 1'),
      upsertStickyComment(client(), target, production, 'production 1'),
    ]);
    await Promise.all([
      upsertStickyComment(client(), target, staging, 'staging 2'),
      upsertStickyComment(client(), target, production, 'production 2'),
    ]);
    const bodies = api.comments('acme', 'shop', 7).map((c) => c.body);
    expect(bodies.sort()).toEqual([`${production}\nproduction 2`, `${staging}\nstaging 2`]);
  });
});

describe('GitLab MR note faults', () => {
  const TOKEN = 'glpat-reliability-123';
  let fake: FakeGitLab;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const capture = () => {
    const lines: string[] = [];
    return { log: createTerminalLogger({ write: (l) => lines.push(l) }), text: () => lines.join('\n') };
  };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-reliability-gitlab-'));
    await writeFile(path.join(dir, 'summary-smoke.json'), '{"metrics":{"http_reqs":{"count":1,"rate":1}}}');
    fake = await startFakeGitLab({ token: TOKEN, projectId: '42' });
    env = {
      GITLAB_CI: 'true',
      CI_API_V4_URL: fake.apiUrl,
      CI_PROJECT_ID: '42',
      CI_PROJECT_URL: 'https://gitlab.example.com/acme/shop',
      CI_JOB_NAME: 'k6-gate:staging',
      CI_MERGE_REQUEST_IID: '7',
      K6_GATE_GITLAB_TOKEN: TOKEN,
    };
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('404 (wrong project or merge request) is a warning naming what to check, never a throw', async () => {
    const { log, text } = capture();
    const published = await publishGitLab(gateResult(), { resultsDir: dir, log, env: { ...env, CI_PROJECT_ID: '999' } });
    expect(published.noteUrl).toBeUndefined();
    expect(text()).toMatch(
      /warning: k6-gate: could not post the merge-request note on !7: GitLab found no such merge request or project \(HTTP 404\)/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('422 (note refused) is not retried and the warning quotes GitLab’s answer', async () => {
    fake.script.push({ status: 200, body: [] }, { status: 422, body: { message: { note: ['is too long'] } } });
    const { log, text } = capture();
    const published = await publishGitLab(gateResult(), { resultsDir: dir, log, env, client: { baseDelayMs: 1 } });
    expect(published.noteUrl).toBeUndefined();
    expect(text()).toMatch(/warning: .*HTTP 422: .*is too long/);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('an oversize report is cut under the note limit, keeps the marker, and says it was shortened', async () => {
    const huge = hugeResult(12_000);
    const { log } = capture();
    const published = await publishGitLab(huge, { resultsDir: dir, log, env });
    expect(published.noteUrl).toContain('#note_');
    const [note] = fake.notes.get('42!7')!;
    expect(note.body.length).toBeLessThanOrEqual(GITLAB_NOTE_LIMIT);
    expect(note.body.startsWith(noteMarker('k6-gate:staging'))).toBe(true);
    expect(note.body).toMatch(/shortened|cut/i);
    // Regressed rows are kept before unchanged ones.
    expect(note.body).toContain('endpoint-number-0-');
  });

  it('two jobs publishing at the same moment each create, then edit, only their own note', async () => {
    const jobs = ['k6-gate:staging', 'k6-gate:production'];
    const publishBoth = (round: string) =>
      Promise.all(
        jobs.map((job) =>
          publishGitLab(gateResult({ environment: `${job} ${round}` }), {
            resultsDir: dir,
            log: capture().log,
            env: { ...env, CI_JOB_NAME: job },
          }),
        ),
      );
    await publishBoth('round 1');
    await publishBoth('round 2');
    const notes = fake.notes.get('42!7')!;
    expect(notes).toHaveLength(2);
    for (const job of jobs) {
      const mine = notes.filter((n) => n.body.startsWith(noteMarker(job)));
      expect(mine, job).toHaveLength(1);
      expect(mine[0].body).toContain(`${job} round 2`);
      expect(mine[0].body).not.toContain('round 1');
    }
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(2);
  });
});
