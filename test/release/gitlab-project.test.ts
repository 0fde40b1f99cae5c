// The GitLab side of a release: the project's own .gitlab-ci.yml (tests on merge requests and the
// default branch, the `release` job on a semver tag) and what a consumer's `include: component: …@ref`
// resolves to. Component references are resolved the way GitLab does it, against the tags of the
// component project, here served by a local git server (git's smart HTTP protocol) to gitlab-ci-local:
// `@0.1.0` needs a tag named exactly `0.1.0` — the `v0.1.0` tag GitHub releases use does not match.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, gitlabCiSchema, initGitRepo, missingTools, parseListJson, runGitlabCiLocal } from '../gitlab/gitlab-ci-local.js';
import { startGitServer, type GitServer } from './git-server.js';

const missing = missingTools();
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
  });

describe("the project's .gitlab-ci.yml", () => {
  const file = readFileSync(path.join(REPO_ROOT, '.gitlab-ci.yml'), 'utf8');

  it('is valid against the GitLab CI schema and releases with the release keyword', () => {
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(gitlabCiSchema());
    const doc = parse(file) as Record<string, { release?: { tag_name: string }; rules?: { if: string }[] }>;
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(doc.release.release?.tag_name).toBe('$CI_COMMIT_TAG');
  });

  describe.skipIf(missing.length > 0)('jobs per pipeline (gitlab-ci-local)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-project-ci-'));
      writeFileSync(path.join(dir, '.gitlab-ci.yml'), file);
      initGitRepo(dir);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    async function jobs(...variables: string[]): Promise<string[]> {
      const run = await runGitlabCiLocal(dir, [
        ...['--list-json', '--ignore-predefined-vars', 'CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_COMMIT_TAG,CI_OPEN_MERGE_REQUESTS'],
        ...variables.flatMap((v) => ['--variable', v]),
      ]);
      expect(run.code, run.stderr + run.stdout).toBe(0);
      return parseListJson(run.stdout)
        .filter((job) => job.when !== 'never')
        .map((job) => job.name);
    }

    it('tests every branch and merge request; releases only a tag X.Y.Z (no v), after the tests', async () => {
      expect(await jobs('CI_PIPELINE_SOURCE=push', 'CI_COMMIT_BRANCH=main')).toEqual(['test']);
      expect(await jobs('CI_PIPELINE_SOURCE=merge_request_event')).toEqual(['test']);
      expect(await jobs('CI_PIPELINE_SOURCE=push', 'CI_COMMIT_TAG=1.2.3')).toEqual(['test', 'release']);
      expect(await jobs('CI_PIPELINE_SOURCE=push', 'CI_COMMIT_TAG=v1.2.3')).toEqual(['test']);
    });
  });
});

describe.skipIf(missing.length > 0)('include: component: …@ref against the component project’s tags (local git server)', () => {
  let root: string;
  let server: GitServer;
  let consumer: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-git-server-'));
    server = await startGitServer(path.join(root, 'repos'));
    // The component project as the GitLab mirror holds it: templates/ and the tags of two releases.
    const work = path.join(root, 'work');
    mkdirSync(work);
    cpSync(path.join(REPO_ROOT, 'templates'), path.join(work, 'templates'), { recursive: true });
    git(work, 'init', '-q', '-b', 'main');
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'k6-gate 0.1.0');
    git(work, 'tag', 'v0.1.0');
    git(work, 'tag', '0.1.0');
    // 0.1.1 renames the staging job's environment default, so the version the consumer got is visible.
    const template = path.join(work, 'templates', 'k6-gate.yml');
    writeFileSync(
      template,
      readFileSync(template, 'utf8').replace(/(staging-environment:\n(?:\s+\w+:.*\n)*?\s+default: )staging\n/, '$1staging-011\n'),
    );
    git(work, 'commit', '-q', '-am', 'k6-gate 0.1.1');
    git(work, 'tag', 'v0.1.1');
    git(work, 'tag', '0.1.1');
    mkdirSync(path.join(root, 'repos', 'tools'), { recursive: true });
    git(root, 'clone', '-q', '--bare', work, path.join('repos', 'tools', 'k6-gate.git'));
    // Only the GitHub-style tag: what the release process made before.
    git(root, 'clone', '-q', '--bare', work, path.join('repos', 'tools', 'v-only.git'));
    for (const tag of ['0.1.0', '0.1.1']) git(path.join(root, 'repos', 'tools', 'v-only.git'), 'tag', '-d', tag);

    consumer = path.join(root, 'consumer');
    mkdirSync(consumer);
    writeFileSync(path.join(consumer, 'README.md'), 'shop\n');
    initGitRepo(consumer);
    // gitlab-ci-local fetches components from the consumer's own git host, as GitLab does.
    git(consumer, 'remote', 'set-url', 'origin', `${server.url}/acme/shop.git`);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function resolve(reference: string): Promise<{ code: number | null; output: string; environment?: string }> {
    const file = `${reference.replace(/[^A-Za-z0-9]/g, '_')}.gitlab-ci.yml`;
    writeFileSync(
      path.join(consumer, file),
      ['include:', `  - component: ${server.host}/${reference}`, '    inputs:', '      staging-url: https://staging.example.com', ''].join(
        '\n',
      ),
    );
    const run = await runGitlabCiLocal(consumer, ['--preview', '--file', file], { timeoutMs: 60_000 });
    const output = run.stdout + run.stderr;
    if (run.code !== 0) return { code: run.code, output };
    const jobs = parse(run.stdout.slice(run.stdout.indexOf('---') >= 0 ? run.stdout.indexOf('---') + 3 : 0)) as Record<
      string,
      { environment?: { name: string } }
    >;
    return { code: run.code, output, environment: jobs['k6-gate:staging']?.environment?.name };
  }

  it('@0.1.0 resolves the tag 0.1.0; @0.1 and ~latest resolve the newest 0.1.x', async () => {
    expect(await resolve('tools/k6-gate/k6-gate@0.1.0')).toMatchObject({ code: 0, environment: 'staging' });
    expect(await resolve('tools/k6-gate/k6-gate@0.1')).toMatchObject({ code: 0, environment: 'staging-011' });
    expect(await resolve('tools/k6-gate/k6-gate@~latest')).toMatchObject({ code: 0, environment: 'staging-011' });
  }, 120_000);

  it('a v-prefixed tag does not match: @0.1.0 against a project with only v0.1.0 fails', async () => {
    const run = await resolve('tools/v-only/k6-gate@0.1.0');
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/Remote branch 0\.1\.0 not found/);
  }, 60_000);
});

if (missing.length > 0) {
  describe('gitlab-ci-local prerequisites', () => {
    it.skip(`skipped: ${missing.join(', ')} missing (apt-get install -y ${missing.join(' ')})`, () => {});
  });
}
