// A consumer project includes the component the way the README says, with only staging-url,
// production-url and baseline, and runs its jobs with gitlab-ci-local: the default CLI path (`k6-gate`
// in the default image, with the image's k6 on PATH) as a user's runner gets it.
//
// Stand-in for the image and the registry (these machines pull no images): gitlab-ci-local's shell
// executor ignores `image:` and runs the job script on this machine; the job's PATH starts with a folder
// holding `k6-gate` and `k6` exactly as the image has them in /usr/local/bin: k6-gate is the npm package
// packed from this checkout and installed offline (test/release/packed.ts; the image installs the same
// tarball, see scripts/image-context.mjs), k6 is the pinned k6 (K6_GATE_TEST_K6). The job reaches no
// network: the CLI takes k6 from PATH because its version is the pinned one.
//
// The component is included with `include: component:` the way GitLab resolves a component of the
// project the pipeline runs in (project path and commit SHA of this repository), so the templates/
// files of this checkout are what the consumer gets.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { testK6Path } from '../helpers/k6.js';
import { startFakeRegistry, type FakeRegistry } from '../release/fake-registry.js';
import { installOffline, packPackage } from '../release/packed.js';
import { runProgram } from '../helpers/cli.js';
import {
  REPO_ROOT,
  initGitRepo,
  jobArtifacts,
  jobLog as readJobLog,
  missingTools,
  parseDotenv,
  runGitlabCiLocal,
  type GclResult,
} from './gitlab-ci-local.js';

const missing = missingTools();

// One gitlab-ci-local pipeline takes about 30 s on a quiet machine and over a minute on a busy one; a
// test that ran out of time would leave its pipeline running into the next one.
const PIPELINE_TIMEOUT_MS = 240_000;

describe.skipIf(missing.length > 0)('the component with its default inputs, run by gitlab-ci-local', () => {
  let work: string;
  let project: string;
  let bin: string;
  let k6Only: string;
  let target: DemoTarget;
  let registry: FakeRegistry;

  /**
   * What a GitLab runner gives a job and gitlab-ci-local does not: GITLAB_CI=true (gitlab-ci-local says
   * false), which switches GitLab reporting on, and CI_PROJECT_DIR = the folder the job runs in.
   * gitlab-ci-local says /builds/<group>/<project> for a job with an image even on the shell executor, and
   * expands the template's `$CI_PROJECT_DIR/.k6-gate-cache` variables with that before any override, so
   * the two cache variables are given the values they take on a runner (this machine's / stays clean).
   */
  function runnerVariables(): string[] {
    const cache = path.join(project, '.k6-gate-cache');
    return [
      ...['--variable', 'GITLAB_CI=true', '--variable', `CI_PROJECT_DIR=${project}`],
      ...['--variable', `XDG_CACHE_HOME=${cache}`, '--variable', `npm_config_cache=${path.join(cache, 'npm')}`],
      ...['--ignore-predefined-vars', 'GITLAB_CI,CI_PROJECT_DIR,CI_PIPELINE_SOURCE,CI_MERGE_REQUEST_IID,CI_COMMIT_BRANCH'],
    ];
  }

  /** PATH of a job in the image: k6-gate and k6 first (or only `k6`, for the npx path). */
  function jobEnv(first = bin): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${first}${path.delimiter}${process.env.PATH}`, K6_GATE_TEST_K6: '' };
  }

  function pipeline(
    kind: 'merge-request' | 'default-branch',
    manualJob: string,
    options: { file?: string; variables?: string[]; pathFirst?: string } = {},
  ): Promise<GclResult> {
    const event =
      kind === 'merge-request'
        ? [
            '--variable',
            'CI_PIPELINE_SOURCE=merge_request_event',
            '--variable',
            'CI_MERGE_REQUEST_IID=9',
            '--unset-variable',
            'CI_COMMIT_BRANCH',
          ]
        : [];
    return runGitlabCiLocal(
      project,
      [
        '--force-shell-executor',
        '--max-job-name-padding',
        '0',
        ...runnerVariables(),
        // Project CI/CD variables a consumer may set: a short smoke run on this shared machine.
        ...['--variable', 'VUS=1', '--variable', 'DURATION=2s'],
        ...event,
        ...(options.file ? ['--file', options.file] : []),
        ...(options.variables ?? []).flatMap((v) => ['--variable', v]),
        '--manual',
        manualJob,
      ],
      { timeoutMs: 150_000, env: jobEnv(options.pathFirst) },
    );
  }

  const artifactsOf = (job: string) => jobArtifacts(project, job);
  const jobLog = (job: string) => readJobLog(project, job);

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-component-'));
    const packed = packPackage(path.join(work, 'pack'));
    const installed = installOffline(packed.tarball, path.join(work, 'prefix'));
    registry = await startFakeRegistry(packed.tarball, JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')));
    k6Only = path.join(work, 'k6-only');
    mkdirSync(k6Only);
    symlinkSync(testK6Path(), path.join(k6Only, 'k6'));
    bin = path.join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(installed.bin, path.join(bin, 'k6-gate'));
    symlinkSync(testK6Path(), path.join(bin, 'k6'));
    target = await startDemoTarget({ seed: 11 });

    project = path.join(work, 'project');
    mkdirSync(project);
    cpSync(path.join(REPO_ROOT, 'templates'), path.join(project, 'templates'), { recursive: true });
    // As a project includes its own component: GitLab (and gitlab-ci-local) resolve it from this commit.
    const consumer = (inputs: Record<string, string>) =>
      ['include:', '  - component: $CI_SERVER_FQDN/acme/shop/k6-gate@$CI_COMMIT_SHA', '    inputs:']
        .concat(Object.entries(inputs).map(([key, value]) => `      ${key}: ${value}`))
        .join('\n') + '\n';
    // Only the three inputs a user must give.
    writeFileSync(
      path.join(project, '.gitlab-ci.yml'),
      consumer({ 'staging-url': target.url, 'production-url': target.url, baseline: 'perf/k6-baseline.json' }),
    );
    // The npx path: a Node image and the npm package, fetched by npx from the registry.
    writeFileSync(
      path.join(project, 'npx.gitlab-ci.yml'),
      consumer({
        'staging-url': target.url,
        baseline: 'perf/k6-baseline.json',
        image: 'node:24-bookworm-slim',
        cli: `npx -y k6-gate@${JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version}`,
      }),
    );
    // The baseline the consumer committed: one accepted staging run, with the same installed CLI…
    mkdirSync(path.join(project, 'perf'));
    const seed = await runProgram(
      path.join(bin, 'k6-gate'),
      [
        ...['run', 'http-endpoints', '--target', target.url, '--environment', 'staging', '--baseline', 'perf/k6-baseline.json'],
        ...['--results-dir', '.seed', '--update-baseline', 'force', '--no-html-report'],
      ],
      { cwd: project, env: { ...jobEnv(), VUS: '1', DURATION: '2s' } },
    );
    expect(seed.status, seed.stderr).toBe(0);
    // …and one of production under the production job's key: a protected environment without its
    // baseline entry fails the job.
    const production = await runProgram(
      path.join(bin, 'k6-gate'),
      [
        ...['run', 'http-endpoints', '--target', target.url, '--environment', 'production', '--profile', 'smoke'],
        ...['--baseline', 'perf/k6-baseline.json', '--allow-new-baseline', 'true'],
        ...['--results-dir', '.seed', '--update-baseline', 'force', '--no-html-report'],
      ],
      { cwd: project, env: { ...jobEnv(), VUS: '1', DURATION: '2s' } },
    );
    expect(production.status, production.stderr).toBe(0);
    rmSync(path.join(project, '.seed'), { recursive: true, force: true });
    initGitRepo(project);
  }, 180_000);

  afterAll(async () => {
    await target?.close();
    await registry?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('resolves `include: component:` to the default image, the image CLI and the pinned k6, with a cache inside the project', async () => {
    const preview = await runGitlabCiLocal(project, ['--preview'], { env: jobEnv() });
    expect(preview.code, preview.stderr).toBe(0);
    const expanded = parse(preview.stdout.slice(preview.stdout.indexOf('---') >= 0 ? preview.stdout.indexOf('---') + 3 : 0)) as Record<
      string,
      { image: { name: string; entrypoint: string[] }; script: string[]; cache: { paths: string[] }[] }
    >;
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; config: { image: string } };
    const staging = expanded['k6-gate:staging'];
    expect(staging.image).toEqual({ name: `${pkg.config.image}:${pkg.version}`, entrypoint: [''] });
    expect(staging.script).toContain("k6_gate_cli='k6-gate'");
    expect(staging.script.join('\n')).toMatch(
      /^\$k6_gate_cli run http-endpoints --target "http:\/\/127\.0\.0\.1:\d+" --environment "staging"/m,
    );
    expect(staging.script.join('\n')).toContain('--baseline "perf/k6-baseline.json"');
    expect(staging.cache[0].paths).toEqual(['.k6-gate-cache/']);
  });

  it(
    'the staging job of a merge-request pipeline runs the gate with the CLI and k6 the image carries, and reports',
    async () => {
      const result = await pipeline('merge-request', 'k6-gate:staging');
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/(PASS|WARN)\s+k6-gate:staging/);
      const log = jobLog('staging');
      // No download: the pinned k6 was found where the image puts it.
      expect(log).toMatch(/using k6 v2\.2\.0 found on PATH at .*\/bin\/k6/);
      expect(log).not.toMatch(/downloading k6|building k6/);
      const out = artifactsOf('staging');
      for (const file of ['junit.xml', 'load-performance.json', 'report.md', 'comparison.json']) {
        expect(existsSync(path.join(out, file)), file).toBe(true);
      }
      expect(['passed', 'regressed']).toContain(parseDotenv(readFileSync(path.join(out, 'k6-gate.env'), 'utf8')).K6_GATE_STAGING_RESULT);
      // No token configured: no note, and the job says how to get one.
      expect(log).toContain('K6_GATE_GITLAB_TOKEN is not set');
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'the production job of a default-branch pipeline runs with its own environment and dotenv keys',
    async () => {
      const result = await pipeline('default-branch', 'k6-gate:production');
      expect(result.stdout).toMatch(/(PASS|FAIL)\s+k6-gate:production/);
      const log = jobLog('production');
      expect(log).toMatch(/using k6 v2\.2\.0 found on PATH/);
      const dotenv = parseDotenv(readFileSync(path.join(artifactsOf('production'), 'k6-gate.env'), 'utf8'));
      expect(['passed', 'regressed']).toContain(dotenv.K6_GATE_PRODUCTION_RESULT);
      expect(dotenv.K6_GATE_STAGING_RESULT).toBeUndefined();
    },
    PIPELINE_TIMEOUT_MS,
  );
  it(
    'the npx path: a Node image installs the lean package from the registry into the cached npm folder, then gates',
    async () => {
      // Stand-ins: the registry is a loopback fake serving the tarball packed from this checkout (set as a
      // project variable, npm_config_registry, as a user would for a mirror); k6 on PATH stands in for the
      // release download these machines cannot reach. No k6-gate on PATH: npx must install it.
      const result = await pipeline('merge-request', 'k6-gate:staging', {
        file: 'npx.gitlab-ci.yml',
        variables: [`npm_config_registry=${registry.url}`],
        pathFirst: k6Only,
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/(PASS|WARN)\s+k6-gate:staging/);
      // npx fetched the package and its tarball, and nothing else: no dependencies.
      expect([...new Set(registry.requests)]).toEqual(['/k6-gate', expect.stringMatching(/^\/k6-gate\/-\/k6-gate-[\d.]+\.tgz$/)]);
      expect(['passed', 'regressed']).toContain(
        parseDotenv(readFileSync(path.join(artifactsOf('staging'), 'k6-gate.env'), 'utf8')).K6_GATE_STAGING_RESULT,
      );
      // npm's cache is inside the project (GitLab caches nothing else): the package landed there.
      expect(existsSync(path.join(project, '.k6-gate-cache', 'npm', '_cacache'))).toBe(true);
      // (`cache: paths: [.k6-gate-cache/]` keeps it between jobs on GitLab: the preview test above checks the
      // key; gitlab-ci-local's shell executor does not emulate caches.)
    },
    PIPELINE_TIMEOUT_MS,
  );
});

if (missing.length > 0) {
  describe('gitlab-ci-local prerequisites', () => {
    it.skip(`skipped: ${missing.join(', ')} missing (apt-get install -y ${missing.join(' ')})`, () => {});
  });
}
