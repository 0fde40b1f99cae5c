import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTerminalLogger } from '../../src/log.js';
import { GitLabClient, nextLink, noteMarker, resolveMergeRequestIid } from '../../src/platform/gitlab/client.js';
import { publishGitLab } from '../../src/platform/gitlab/publish.js';
import { startFakeGitLab, otherNotes, TOKEN_BOT_USER, type FakeGitLab } from './fake-gitlab.js';
import { startSilentServer } from '../helpers/silent-server.js';
import { gateResult } from './fixtures.js';

const TOKEN = 'glpat-test-secret-123';
const PROJECT = '42';

function capture() {
  const lines: string[] = [];
  const log = createTerminalLogger({ write: (line) => lines.push(line), verbose: true });
  return { log, lines, text: () => lines.join('\n') };
}

describe('GitLab merge-request note', () => {
  let fake: FakeGitLab;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-gitlab-notes-'));
    // The legacy export the pipeline would have left, so the reports have something to copy.
    await writeFile(path.join(dir, 'summary-smoke.json'), '{"metrics":{"http_reqs":{"count":1,"rate":1}}}');
  });
  afterEach(async () => {
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(notes: Record<string, ReturnType<typeof otherNotes>> = {}) {
    fake = await startFakeGitLab({ token: TOKEN, projectId: PROJECT, notes });
    env = {
      GITLAB_CI: 'true',
      CI_API_V4_URL: fake.apiUrl,
      CI_PROJECT_ID: PROJECT,
      CI_PROJECT_PATH: 'acme/shop',
      CI_PROJECT_URL: 'https://gitlab.example.com/acme/shop',
      CI_PROJECT_DIR: path.dirname(dir),
      CI_JOB_NAME: 'k6-gate:staging',
      CI_JOB_URL: 'https://gitlab.example.com/acme/shop/-/jobs/99',
      CI_MERGE_REQUEST_IID: '7',
      K6_GATE_GITLAB_TOKEN: TOKEN,
    };
  }

  describe('sticky note', () => {
    it('creates the note on the first run and edits the same note on the next one', async () => {
      await start();
      const first = capture();
      const created = await publishGitLab(gateResult(), { resultsDir: dir, log: first.log, env });
      const stored = fake.notes.get(`${PROJECT}!7`)!;
      expect(stored).toHaveLength(1);
      expect(created.noteUrl).toBe(`https://gitlab.example.com/acme/shop/-/merge_requests/7#note_${stored[0].id}`);
      expect(stored[0].body.startsWith(noteMarker('k6-gate:staging'))).toBe(true);
      expect(stored[0].body).toContain('performance regressed');
      expect(stored[0].body).toContain('https://gitlab.example.com/acme/shop/-/jobs/99/artifacts/file/');
      expect(stored[0].body).toContain(
        `[gate-report.html](https://gitlab.example.com/acme/shop/-/jobs/99/artifacts/file/${path.basename(dir)}/gate-report.html)`,
      );
      expect(first.text()).toContain('created the note on merge request !7');

      const second = capture();
      const passed = gateResult({ outcome: 'passed', failed: false, regressions: 0, thresholdsFailed: 0, scenarios: [] });
      const updated = await publishGitLab(passed, { resultsDir: dir, log: second.log, env });
      expect(fake.notes.get(`${PROJECT}!7`)).toHaveLength(1);
      expect(stored[0].body).toContain('k6-gate: passed');
      expect(stored[0].body).not.toContain('performance regressed');
      expect(updated.noteUrl).toBe(created.noteUrl);
      expect(second.text()).toContain('updated the note on merge request !7');
      // The second run asks who the token is before it edits the marked note.
      expect(fake.requests.map((r) => `${r.method} ${r.path.replace(/^\/api\/v4\/projects\/42\/merge_requests\/7/, '')}`)).toEqual([
        'GET /notes',
        'POST /notes',
        'GET /notes',
        'GET /api/v4/user',
        `PUT /notes/${stored[0].id}`,
      ]);
      expect(fake.requests.every((r) => r.token === TOKEN)).toBe(true);
      const dotenv = await readFile(path.join(dir, 'k6-gate.env'), 'utf8');
      expect(dotenv).toContain(`K6_GATE_NOTE_URL=${created.noteUrl}\n`);
    });

    it('finds its note on a later page of a busy merge request (Link header) and edits it', async () => {
      const mine = { id: 777, body: `${noteMarker('k6-gate:staging')}\nold report`, system: false, author: { username: TOKEN_BOT_USER } };
      const notes = [...otherNotes(230), mine, ...otherNotes(20, 5000)];
      await start({ [`${PROJECT}!7`]: notes });
      const { log } = capture();
      const published = await publishGitLab(gateResult(), { resultsDir: dir, log, env });
      expect(published.noteUrl).toContain('#note_777');
      expect(mine.body).toContain('performance regressed');
      const gets = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/notes'));
      expect(gets.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
      expect(fake.requests.some((r) => r.method === 'POST')).toBe(false);
    });

    it('follows X-Next-Page when the Link header is absent', async () => {
      const mine = { id: 888, body: `${noteMarker('nightly')}\nold`, system: false, author: { username: TOKEN_BOT_USER } };
      await start({ [`${PROJECT}!7`]: [...otherNotes(150), mine] });
      const withoutLink: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const headers = new Headers(response.headers);
        headers.delete('link');
        return new Response(await response.arrayBuffer(), { status: response.status, headers });
      };
      const client = new GitLabClient({ apiUrl: fake.apiUrl, projectId: PROJECT, token: TOKEN, fetch: withoutLink });
      const found = await client.findNote('7', noteMarker('nightly'));
      expect(found?.id).toBe(888);
      expect(fake.requests.filter((r) => r.path.endsWith('/notes')).map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    });

    it('keeps one note per job: a production note does not overwrite the staging note', async () => {
      await start();
      await publishGitLab(gateResult(), { resultsDir: dir, log: capture().log, env });
      await publishGitLab(gateResult(), { resultsDir: dir, log: capture().log, env: { ...env, CI_JOB_NAME: 'k6-gate:production' } });
      expect(fake.notes.get(`${PROJECT}!7`)).toHaveLength(2);
    });
  });

  describe('when the note cannot or should not be posted', () => {
    it('logs one clear line and makes no request when K6_GATE_GITLAB_TOKEN is not set', async () => {
      await start();
      const { log, lines } = capture();
      const published = await publishGitLab(gateResult(), { resultsDir: dir, log, env: { ...env, K6_GATE_GITLAB_TOKEN: '' } });
      expect(published.noteUrl).toBeUndefined();
      expect(fake.requests).toHaveLength(0);
      const line = lines.find((l) => l.includes('K6_GATE_GITLAB_TOKEN'));
      expect(line).toContain('K6_GATE_GITLAB_TOKEN is not set');
      expect(line).toContain('CI_JOB_TOKEN cannot post notes');
      expect(line?.startsWith('warning')).toBe(false);
      // The reports are still written.
      expect(await readFile(path.join(dir, 'k6-gate.env'), 'utf8')).toContain('K6_GATE_RESULT=regressed\n');
    });

    it('turns a 401 (bad or expired token) into a warning, never a throw, and never prints the token', async () => {
      await start();
      const { log, text } = capture();
      const published = await publishGitLab(gateResult(), {
        resultsDir: dir,
        log,
        env: { ...env, K6_GATE_GITLAB_TOKEN: 'glpat-wrong-token-456' },
      });
      expect(published.noteUrl).toBeUndefined();
      expect(text()).toMatch(/^warning: k6-gate: could not post the merge-request note on !7: GitLab refused the token \(HTTP 401\)/m);
      expect(text()).not.toContain('glpat-wrong-token-456');
      expect(fake.requests).toHaveLength(1);
    });

    it('turns a 403 (token without api scope) into a warning that says which scope is needed', async () => {
      await start();
      fake.script.push({ status: 403, body: { message: '403 Forbidden - insufficient_scope' } });
      const { log, text } = capture();
      await publishGitLab(gateResult(), { resultsDir: dir, log, env });
      expect(text()).toMatch(/warning: .*HTTP 403.*api scope/);
      expect(fake.notes.get(`${PROJECT}!7`) ?? []).toHaveLength(0);
    });

    it('posts nothing when mr-note is off', async () => {
      await start();
      const { log, text } = capture();
      await publishGitLab(gateResult(), { resultsDir: dir, log, env, mrNote: false });
      expect(fake.requests).toHaveLength(0);
      expect(text()).toContain('merge-request note is off');
    });

    it('a K6_GATE_MR_NOTE or K6_GATE_NOTE_ID CI/CD variable changes nothing: the note is the inputs’ to switch and name', async () => {
      await start();
      await publishGitLab(gateResult(), {
        resultsDir: dir,
        log: capture().log,
        env: { ...env, K6_GATE_MR_NOTE: 'false', K6_GATE_NOTE_ID: 'other' },
        mrNote: true,
      });
      const stored = fake.notes.get(`${PROJECT}!7`)!;
      expect(stored).toHaveLength(1);
      expect(stored[0].body.startsWith(noteMarker('k6-gate:staging'))).toBe(true);
    });

    it('says so when the pipeline has no merge request', async () => {
      await start();
      const { log, text } = capture();
      await publishGitLab(gateResult(), { resultsDir: dir, log, env: { ...env, CI_MERGE_REQUEST_IID: undefined } });
      expect(fake.requests).toHaveLength(0);
      expect(text()).toContain('no merge request for this pipeline');
    });
  });

  describe('whose note it is', () => {
    it('a person’s note carrying the marker is never edited: the token’s own note is found by its user', async () => {
      const marker = noteMarker('k6-gate:staging');
      const hers = { id: 11, body: `${marker}\ncopied from the bot`, system: false, author: { username: 'alice' } };
      const mine = { id: 12, body: `${marker}\nold report`, system: false, author: { username: TOKEN_BOT_USER } };
      await start({ [`${PROJECT}!7`]: [hers, mine] });
      const published = await publishGitLab(gateResult(), { resultsDir: dir, log: capture().log, env });
      expect(published.noteUrl).toContain('#note_12');
      expect(hers.body).toBe(`${marker}\ncopied from the bot`);
      expect(mine.body).toContain('performance regressed');
      expect(fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual([
        `/api/v4/projects/${PROJECT}/merge_requests/7/notes/12`,
      ]);
    });
  });

  describe('an API that never answers', () => {
    it('the note gives up within its budget with a warning, and the dotenv report is still written', async () => {
      await start();
      const silent = await startSilentServer();
      try {
        const { log, text } = capture();
        const published = await publishGitLab(gateResult(), {
          resultsDir: dir,
          log,
          env: { ...env, CI_API_V4_URL: `${silent.url}/api/v4` },
          client: { attemptTimeoutMs: 300, totalBudgetMs: 5000, baseDelayMs: 10 },
        });
        expect(published.noteUrl).toBeUndefined();
        expect(silent.requests()).toBe(4);
        expect(text()).toMatch(
          /warning: k6-gate: could not post the merge-request note on !7: GET http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/42\/merge_requests\/7\/notes: no answer within 300 ms/,
        );
        const dotenv = await readFile(path.join(dir, 'k6-gate.env'), 'utf8');
        expect(dotenv).toContain('K6_GATE_RESULT=regressed\n');
      } finally {
        await silent.close();
      }
    });
  });

  describe('retries', () => {
    it('honours Retry-After on 429 and then succeeds', async () => {
      await start();
      fake.script.push({ status: 429, headers: { 'retry-after': '1' } });
      const { log, text } = capture();
      const started = Date.now();
      const published = await publishGitLab(gateResult(), { resultsDir: dir, log, env });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(published.noteUrl).toContain('#note_');
      expect(text()).toMatch(
        /GET http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/42\/merge_requests\/7\/notes answered HTTP 429; retrying in 1 s \(1\/3\)/,
      );
    });

    it('retries 5xx a bounded number of times, then gives up with a warning', async () => {
      await start();
      for (let i = 0; i < 5; i++) fake.script.push({ status: 503 });
      const { log, text } = capture();
      const published = await publishGitLab(gateResult(), { resultsDir: dir, log, env, client: { maxRetries: 2, baseDelayMs: 10 } });
      expect(published.noteUrl).toBeUndefined();
      expect(fake.requests).toHaveLength(3);
      expect(text()).toMatch(/warning: .*HTTP 503/);
    });

    it('recovers from a single 502', async () => {
      await start();
      fake.script.push({ status: 502 });
      const published = await publishGitLab(gateResult(), { resultsDir: dir, log: capture().log, env, client: { baseDelayMs: 10 } });
      expect(published.noteUrl).toContain('#note_');
    });
  });
});

describe('merge-request IID', () => {
  it('takes CI_MERGE_REQUEST_IID in merge-request pipelines', () => {
    expect(resolveMergeRequestIid({ CI_MERGE_REQUEST_IID: '12', CI_OPEN_MERGE_REQUESTS: 'acme/shop!3' })).toBe('12');
  });
  it('takes the first open merge request of this project from CI_OPEN_MERGE_REQUESTS in branch pipelines', () => {
    expect(resolveMergeRequestIid({ CI_OPEN_MERGE_REQUESTS: 'other/fork!9,acme/shop!12,acme/shop!13', CI_PROJECT_PATH: 'acme/shop' })).toBe(
      '12',
    );
    expect(resolveMergeRequestIid({ CI_OPEN_MERGE_REQUESTS: 'acme/shop!4' })).toBe('4');
  });
  it('finds none when there is no merge request', () => {
    expect(resolveMergeRequestIid({})).toBeUndefined();
    expect(resolveMergeRequestIid({ CI_OPEN_MERGE_REQUESTS: 'other/fork!9', CI_PROJECT_PATH: 'acme/shop' })).toBeUndefined();
  });
});

describe('helpers', () => {
  it('reads rel="next" from a Link header', () => {
    expect(nextLink('<https://x/api/v4/a?page=2>; rel="next", <https://x/api/v4/a?page=1>; rel="first"')).toBe('https://x/api/v4/a?page=2');
    expect(nextLink('<https://x/api/v4/a?page=1>; rel="first"')).toBeUndefined();
  });
  it('makes markers that are valid hidden HTML comments', () => {
    expect(noteMarker('k6-gate:staging')).toBe('<!-- k6-gate:k6-gate:staging -->');
    expect(noteMarker('a -- b > c')).not.toMatch(/<!-- .*--.* -->/);
  });
});
