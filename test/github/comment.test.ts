// The sticky PR comment with the real Octokit (@actions/github) against a local fake of the REST API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GITHUB_COMMENT_LIMIT,
  commentMarker,
  explainCommentFailure,
  findStickyComment,
  fitCommentBody,
  planComment,
  upsertStickyComment,
} from '../../src/platform/github/comment.js';
import { parseCommentMode } from '../../src/inputs.js';
import { createGitHubClient } from '../../src/platform/github/octokit.js';
import { startSilentServer } from '../helpers/silent-server.js';
import { renderCommentBody } from '../../src/platform/github/publish.js';
import { hugeResult } from '../helpers/builders.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './fakes/github-api.js';

const target = { owner: 'acme', repo: 'shop', issueNumber: 7 };
const marker = commentMarker('perf/load-test');

describe('sticky PR comment', () => {
  let api: FakeGitHubApi;
  let sleeps: number[];
  const client = () =>
    createGitHubClient({
      token: 'ghs_faketoken',
      baseUrl: api.url,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      baseDelayMs: 1,
    });

  beforeEach(async () => {
    api = await startFakeGitHubApi();
    sleeps = [];
  });
  afterEach(async () => {
    await api.close();
  });

  describe('create and update', () => {
    it('creates the comment on the first run and edits that same comment on the second', async () => {
      api.seedComments('acme', 'shop', 7, ['LGTM', 'please add a test']);
      const first = await upsertStickyComment(client(), target, marker, 'run 1: p(95) 180 ms');
      expect(first.action).toBe('created');
      const second = await upsertStickyComment(client(), target, marker, 'run 2: p(95) 252 ms');
      expect(second.action).toBe('updated');
      const ours = api.comments('acme', 'shop', 7).filter((c) => c.body.includes(marker));
      expect(ours).toHaveLength(1);
      expect(ours[0].body).toBe(`${marker}\nrun 2: p(95) 252 ms`);
      expect(first.action !== 'skipped' && second.action !== 'skipped' && first.id === second.id).toBe(true);
      expect(api.comments('acme', 'shop', 7)).toHaveLength(3);
      expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
      expect(api.requests[0].authorization).toBe('token ghs_faketoken');
    });

    it('keeps matrix jobs apart: another comment-id gets its own comment', async () => {
      await upsertStickyComment(client(), target, commentMarker('perf/load-test/staging'), 'staging');
      await upsertStickyComment(client(), target, commentMarker('perf/load-test/production'), 'production');
      expect(api.comments('acme', 'shop', 7)).toHaveLength(2);
    });

    it('with comment: on-regression, a passing run edits an earlier comment but never creates one', async () => {
      const none = await upsertStickyComment(client(), target, marker, 'passed', false);
      expect(none.action).toBe('skipped');
      expect(api.comments('acme', 'shop', 7)).toHaveLength(0);
      await upsertStickyComment(client(), target, marker, 'regressed');
      const fixed = await upsertStickyComment(client(), target, marker, 'passed again', false);
      expect(fixed.action).toBe('updated');
      expect(api.comments('acme', 'shop', 7)[0].body).toContain('passed again');
    });
  });

  describe('whose comment it is', () => {
    it('a person’s comment quoting the marker is left alone: the job token’s own bot comment is the one updated', async () => {
      const person = { login: 'reviewer', type: 'User' as const };
      const [quoted] = api.seedComments('acme', 'shop', 7, [`why does ${marker} show up here?`], person);
      const created = await upsertStickyComment(client(), target, marker, 'run 1');
      expect(created.action).toBe('created');
      const updated = await upsertStickyComment(client(), target, marker, 'run 2');
      expect(updated).toMatchObject({ action: 'updated', id: created.action !== 'skipped' ? created.id : -1 });
      expect(api.comments('acme', 'shop', 7).find((c) => c.id === quoted.id)?.body).toBe(`why does ${marker} show up here?`);
      expect(api.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).not.toContain(
        `/repos/acme/shop/issues/comments/${quoted.id}`,
      );
    });

    it('a bot comment whose author type is not Bot is PATCHed when the token cannot say who it is (GET /user refused)', async () => {
      // The job token's bot, listed with a type other than `Bot`; GET /user answers 403 (no token user set).
      const [earlier] = api.seedComments('acme', 'shop', 7, [`${marker}\nold report`], { login: 'github-actions[bot]', type: 'User' });
      const outcome = await upsertStickyComment(client(), target, marker, 'new report');
      expect(outcome).toMatchObject({ action: 'updated', id: earlier.id });
      expect(api.comments('acme', 'shop', 7)).toHaveLength(1);
      expect(api.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([
        `/repos/acme/shop/issues/comments/${earlier.id}`,
      ]);
      expect(api.comments('acme', 'shop', 7)[0].body).toBe(`${marker}\nnew report`);
    });

    it('a person’s comment carrying the marker is never edited, whether or not the token can say who it is', async () => {
      const person = { login: 'alice', type: 'User' as const };
      for (const tokenUser of [undefined, { login: 'perf-robot', type: 'User' as const }]) {
        api.setTokenUser(tokenUser);
        const [hers] = api.seedComments('acme', 'shop', 7, [`${marker}\ncopied from the bot`], person);
        await upsertStickyComment(client(), target, marker, 'report');
        expect(api.comments('acme', 'shop', 7).find((c) => c.id === hers.id)?.body).toBe(`${marker}\ncopied from the bot`);
        expect(api.requests.some((r) => r.method === 'PATCH' && r.path.endsWith(`/${hers.id}`))).toBe(false);
      }
    });

    it('with a personal token, only comments by that login count (another bot’s marker comment is not ours)', async () => {
      const tokenUser = { login: 'perf-robot', type: 'User' as const };
      api.setTokenUser(tokenUser);
      api.seedComments('acme', 'shop', 7, [`${marker}\nother bot`], { login: 'renovate[bot]', type: 'Bot' });
      const [ours] = api.seedComments('acme', 'shop', 7, [`${marker}\nold report`], tokenUser);
      expect(await findStickyComment(client(), target, marker)).toMatchObject({ id: ours.id });
    });
  });

  describe('pagination', () => {
    it('finds the marker comment on page 2 of the comment list and updates it', async () => {
      api.seedComments(
        'acme',
        'shop',
        7,
        Array.from({ length: 130 }, (_, i) => `chatter ${i}`),
      );
      const [ours] = api.seedComments('acme', 'shop', 7, [`${marker}\nold report`]);
      api.seedComments('acme', 'shop', 7, ['more chatter']);
      const found = await findStickyComment(client(), target, marker);
      expect(found?.id).toBe(ours.id);
      const pages = api.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/comments')).map((r) => r.query.get('page') ?? '1');
      expect(pages).toEqual(['1', '2']);
      const outcome = await upsertStickyComment(client(), target, marker, 'new report');
      expect(outcome).toMatchObject({ action: 'updated', id: ours.id });
      expect(api.comments('acme', 'shop', 7)).toHaveLength(132);
    });

    it('walks all pages before deciding to create', async () => {
      api.seedComments(
        'acme',
        'shop',
        7,
        Array.from({ length: 250 }, (_, i) => `chatter ${i}`),
      );
      const outcome = await upsertStickyComment(client(), target, marker, 'report');
      expect(outcome.action).toBe('created');
      expect(api.requests.filter((r) => r.method === 'GET')).toHaveLength(3);
    });
  });

  describe('rate limits and errors', () => {
    it('an API that cannot be reached is named as such, not as "HTTP 500"', async () => {
      // A port nothing listens on any more.
      const closed = await startFakeGitHubApi();
      await closed.close();
      const unreachable = createGitHubClient({ token: 'ghs_faketoken', baseUrl: closed.url, baseDelayMs: 1 });
      const error = await upsertStickyComment(unreachable, target, marker, 'report').then(
        () => undefined,
        (e: unknown) => e,
      );
      const text = explainCommentFailure(error, false);
      expect(text).toContain("GitHub's API could not be reached (connection refused");
      expect(text).not.toContain('HTTP 500');
    });

    it('retries a 429 after the retry-after the server asked for', async () => {
      api.fail({
        method: 'GET',
        path: /\/issues\/7\/comments$/,
        status: 429,
        headers: { 'retry-after': '2' },
        message: 'secondary rate limit',
        times: 1,
      });
      api.fail({ method: 'POST', path: /\/issues\/7\/comments$/, status: 429, headers: { 'retry-after': '1' }, times: 1 });
      const outcome = await upsertStickyComment(client(), target, marker, 'report');
      expect(outcome.action).toBe('created');
      expect(sleeps).toEqual([2000, 1000]);
      expect(api.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST', 'POST']);
      expect(api.comments('acme', 'shop', 7)).toHaveLength(1);
    });

    it('gives up after the configured number of rate-limit retries', async () => {
      api.fail({ method: 'GET', path: /comments$/, status: 429, headers: { 'retry-after': '1' }, times: Infinity });
      await expect(upsertStickyComment(client(), target, marker, 'report')).rejects.toMatchObject({ status: 429 });
      expect(sleeps).toEqual([1000, 1000, 1000]);
    });

    it('does not wait out a retry-after longer than the cap', async () => {
      api.fail({ method: 'GET', path: /comments$/, status: 429, headers: { 'retry-after': '3600' }, times: 1 });
      await expect(upsertStickyComment(client(), target, marker, 'report')).rejects.toMatchObject({ status: 429 });
      expect(sleeps).toEqual([]);
    });

    it('an API that accepts the connection and never answers: the call ends within its budget, named as no answer', async () => {
      const silent = await startSilentServer();
      try {
        const stalled = createGitHubClient({
          token: 'ghs_faketoken',
          baseUrl: silent.url,
          attemptTimeoutMs: 300,
          totalBudgetMs: 5000,
          baseDelayMs: 10,
        });
        const error = await upsertStickyComment(stalled, target, marker, 'report').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(silent.requests()).toBe(4);
        const text = explainCommentFailure(error, false, true);
        expect(text).toMatch(
          /GitHub's API could not be reached \(GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/shop\/issues\/7\/comments: no answer within 300 ms\)/,
        );
        expect(text).toContain('The job summary and the artifact still carry the report.');
      } finally {
        await silent.close();
      }
    });

    it('when the artifact upload failed, the warning says only the job summary carries the report', () => {
      const refused = Object.assign(new Error('Resource not accessible by integration'), { status: 403, response: {} });
      const text = explainCommentFailure(refused, true, false);
      expect(text).toMatch(/forks get a read-only GITHUB_TOKEN\. The job summary still carries the report\.$/);
      expect(text).not.toContain('artifact');
    });

    it('does not retry a 403 without retry-after (a read-only token stays read-only)', async () => {
      api.fail({ method: 'POST', path: /comments$/, status: 403, message: 'Resource not accessible by integration', times: Infinity });
      await expect(upsertStickyComment(client(), target, marker, 'report')).rejects.toMatchObject({ status: 403 });
      expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });
  });

  describe('size limit', () => {
    it('cuts an oversize report under 65,536 characters, with a notice linking the full report', async () => {
      const artifactUrl = 'https://github.com/acme/shop/actions/runs/99/artifacts/4242';
      const body = renderCommentBody(hugeResult(), marker, [], artifactUrl);
      expect(body.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
      expect(body.startsWith(marker)).toBe(true);
      expect(body).toMatch(/shortened|cut/);
      expect(body).toContain(artifactUrl);
      const outcome = await upsertStickyComment(client(), target, marker, body);
      expect(outcome.action).toBe('created');
      const posted = api.comments('acme', 'shop', 7)[0].body;
      expect(posted.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
      // The regressed rows are kept in preference to unchanged ones.
      expect(posted).toContain('endpoint-number-0-');
    });

    it('fitCommentBody truncates at a line break, closes an open code fence and appends the notice', () => {
      const body = `${marker}\n\`\`\`mermaid\n${'bar [1, 2, 3]\n'.repeat(10_000)}\`\`\`\n`;
      const fitted = fitCommentBody(body, { fullReportUrl: 'https://example.test/artifact' });
      expect(fitted.truncated).toBe(true);
      expect(fitted.body.length).toBeLessThanOrEqual(65_000);
      expect(fitted.body.match(/^```/gm)?.length ?? 0).toBe(2);
      expect(fitted.body).toContain("This report was cut to fit GitHub's 65,536-character comment limit");
      expect(fitted.body).toContain("[the run's artifacts](https://example.test/artifact)");
      expect(fitted.body).not.toMatch(/bar \[1, 2,?\n/);
      expect(fitCommentBody('short').truncated).toBe(false);
    });
  });
});

describe('comment planning', () => {
  it('comments only on pull requests, as the mode says', () => {
    expect(planComment('always', 'passed', 7, 'pull_request')).toEqual({ action: 'upsert' });
    expect(planComment('on-regression', 'regressed', 7, 'pull_request')).toEqual({ action: 'upsert' });
    expect(planComment('on-regression', 'error', 7, 'pull_request')).toEqual({ action: 'upsert' });
    expect(planComment('on-regression', 'passed', 7, 'pull_request')).toEqual({ action: 'update-only' });
    expect(planComment('never', 'regressed', 7, 'pull_request').action).toBe('skip');
    const push = planComment('always', 'regressed', undefined, 'push');
    expect(push).toMatchObject({ action: 'skip' });
    expect(push.action === 'skip' && push.reason).toMatch(/push run .*job summary/);
  });

  it('makes a marker that stays a valid HTML comment', () => {
    expect(commentMarker('CI/perf/{"env":"a"}')).toBe('<!-- k6-gate:CI/perf/{"env":"a"} -->');
    expect(commentMarker('a--b>c')).toBe('<!-- k6-gate:a-bc -->');
  });

  it('parses the comment input and quotes a bad value', () => {
    expect(parseCommentMode('')).toBe('always');
    expect(parseCommentMode('on-regression')).toBe('on-regression');
    expect(parseCommentMode('never')).toBe('never');
    expect(() => parseCommentMode('sometimes')).toThrow(/comment "sometimes".*always, on-regression or never/);
  });
});
