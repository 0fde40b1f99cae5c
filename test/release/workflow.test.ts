// The release workflow does what docs/release.md promises, in order, from package.json's version.
// (actionlint checks it in `npm test`'s lint step.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../gitlab/gitlab-ci-local.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
const workflow = parse(readFileSync(path.join(REPO_ROOT, '.github', 'workflows', 'release.yml'), 'utf8')) as {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const runs = (job: string) => workflow.jobs[job].steps.map((s) => s.run ?? '').join('\n');
const needs = (job: string) => [workflow.jobs[job].needs ?? []].flat();

describe('release workflow (.github/workflows/release.yml)', () => {
  it('runs on vX.Y.Z tags only, read-only unless a job asks for more', () => {
    expect(workflow.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('refuses a tag that is not package.json version, a file out of step, or a missing CHANGELOG section', () => {
    const script = runs('version');
    expect(script).toContain(`require('./package.json').version`);
    expect(script).toMatch(/"\$\{GITHUB_REF_NAME\}" != "v\$\{version\}"/);
    expect(script).toContain('node scripts/sync-version.mjs --check');
    expect(script).toContain('CHANGELOG.md');
  });

  it('publishes nothing before the full suite (npm test: check-dist, typecheck, lint, tests) passed', () => {
    expect(runs('test')).toMatch(/npm test/);
    for (const job of ['npm', 'image']) expect(needs(job)).toEqual(expect.arrayContaining(['version', 'test']));
    expect(needs('major-tag')).toEqual(expect.arrayContaining(['npm', 'image']));
  });

  it('publishes the npm package with provenance (id-token) after check-dist', () => {
    expect(workflow.jobs.npm.permissions).toMatchObject({ 'id-token': 'write' });
    const script = runs('npm');
    expect(script.indexOf('npm run check-dist')).toBeGreaterThanOrEqual(0);
    expect(script.indexOf('npm publish --provenance')).toBeGreaterThan(script.indexOf('npm run check-dist'));
  });

  it('builds the image FROM a digest-pinned base with the package version and pushes version and major tags to ghcr', () => {
    const job = workflow.jobs.image;
    expect(job.permissions).toMatchObject({ packages: 'write' });
    const script = runs('image');
    expect(script).toContain('node scripts/image-context.mjs build/image');
    expect(script).toMatch(/echo "base=\$\{BASE_TAG\}@\$\{digest\}"/);
    expect(script).toContain('--build-arg "BASE=$BASE"');
    expect(script).toContain('-t "$IMAGE:$VERSION" -t "$IMAGE:$MAJOR"');
    expect(script).toContain('docker push "$IMAGE:$VERSION"');
    expect(job.steps.find((s) => s.uses?.startsWith('docker/login-action'))?.with?.registry).toBe('ghcr.io');
  });

  it('moves the major tag and notes the GitLab component version in the release', () => {
    expect(workflow.jobs['major-tag'].permissions).toEqual({ contents: 'write' });
    expect(runs('major-tag')).toContain('git push -f origin "refs/tags/$MAJOR"');
    expect(runs('github-release')).toMatch(/GitLab CI\/CD component version/);
  });
});
