// The GitLab template run for real: gitlab-ci-local (shell executor) runs the jobs of a consumer
// project that includes the template, with this repo's CLI build, the real k6 and the demo target;
// a local fake of GitLab's API receives the merge-request note.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateResult } from '../../src/model.js';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { testK6Path } from '../helpers/k6.js';
import { startFakeGitLab, type FakeGitLab } from './fake-gitlab.js';
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

const TOKEN = 'glpat-pipeline-run-789';
const PROJECT = '42';
/** The CLI build under test; K6_GATE_TEST_CLI_DIST points at another build folder. */
const CLI_DIST = process.env.K6_GATE_TEST_CLI_DIST ?? path.join(REPO_ROOT, 'dist');
const missing = missingTools();
const ANALYSIS_CI_FILE = '.gitlab-ci-analysis.yml';

function runNode(args: string[], cwd: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, GITLAB_CI: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

// A gitlab-ci-local pipeline takes half a minute on a quiet machine and can take over two on a busy one
// (gitlab-ci-local's own limit here is 150 s): the test waits for it rather than leave it running.
const PIPELINE_TIMEOUT_MS = 240_000;

describe.skipIf(missing.length > 0)('GitLab template run by gitlab-ci-local (shell executor, real k6, demo target)', () => {
  let dir: string;
  let target: DemoTarget;
  let fake: FakeGitLab;
  const timings: Record<string, number> = {};

  const artifacts = (job: string) => jobArtifacts(dir, job);
  const jobLog = (job: string) => readJobLog(dir, job);

  function pipeline(
    kind: 'merge-request' | 'default-branch',
    manualJobs: string | string[],
    options: { file?: string } = {},
  ): Promise<GclResult> {
    const common = [
      '--force-shell-executor',
      '--max-job-name-padding',
      '0',
      // gitlab-ci-local sets GITLAB_CI=false; GitLab itself sets true, which switches the CLI's GitLab publishing on.
      '--variable',
      'GITLAB_CI=true',
      '--variable',
      `CI_API_V4_URL=${fake.apiUrl}`,
      '--variable',
      `CI_PROJECT_ID=${PROJECT}`,
      '--variable',
      `K6_GATE_GITLAB_TOKEN=${TOKEN}`,
      '--ignore-predefined-vars',
      'GITLAB_CI,CI_API_V4_URL,CI_PROJECT_ID,CI_PIPELINE_SOURCE,CI_MERGE_REQUEST_IID,CI_COMMIT_BRANCH',
      ...[manualJobs].flat().flatMap((job) => ['--manual', job]),
      ...(options.file ? ['--file', options.file] : []),
    ];
    const event =
      kind === 'merge-request'
        ? [
            '--variable',
            'CI_PIPELINE_SOURCE=merge_request_event',
            '--variable',
            'CI_MERGE_REQUEST_IID=5',
            '--unset-variable',
            'CI_COMMIT_BRANCH',
          ]
        : [];
    return runGitlabCiLocal(dir, [...common, ...event], { timeoutMs: 150_000 });
  }

  beforeAll(async () => {
    const cli = path.join(CLI_DIST, 'cli.js');
    if (!existsSync(cli) || !readFileSync(cli, 'utf8').includes('K6_GATE_GITLAB_TOKEN')) {
      throw new Error(
        `${cli} is missing or predates the GitLab publisher; run \`npm run build\` (or set K6_GATE_TEST_CLI_DIST to a fresh build)`,
      );
    }
    const k6 = testK6Path();
    target = await startDemoTarget({ seed: 7 });
    fake = await startFakeGitLab({ token: TOKEN, projectId: PROJECT });

    dir = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-gitlab-run-'));
    cpSync(CLI_DIST, path.join(dir, 'dist'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'scenarios'), path.join(dir, 'scenarios'), { recursive: true });
    mkdirSync(path.join(dir, 'templates'));
    cpSync(path.join(REPO_ROOT, 'templates', 'k6-gate.yml'), path.join(dir, 'templates', 'k6-gate.yml'));
    // A loaded CI machine makes a 3 s smoke run jittery; a wide tolerance still catches a tenfold latency.
    writeFileSync(path.join(dir, 'k6-gate.config.yaml'), 'tolerance: 0.4\nnoiseFloorMs: 5\n');
    // THINK_TIME 0.2 s: about 25 requests per run instead of 7. With 7, a run's p(95) rests on too few
    // samples for the verdict to call even a doubled latency a regression every time ("too thin to
    // judge"), and the production job's confirmation rerun must see it too.
    const args = `--env VUS=2 --env DURATION=3s --env THINK_TIME=0.2 --config k6-gate.config.yaml --k6-install path --k6-path ${k6}`;
    const include = (extra: string[] = []) => [
      '  - local: templates/k6-gate.yml',
      '    inputs:',
      `      staging-url: ${target.url}`,
      `      production-url: ${target.url}`,
      '      cli: node dist/cli.js',
      '      staging-profile: smoke',
      `      args: ${JSON.stringify(args)}`,
      ...extra.map((line) => `      ${line}`),
    ];
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), ['stages: [build, test]', 'include:', ...include(), ''].join('\n'));
    // The analysis inputs, each in an include of its own; job-prefix and results-dir keep the two jobs
    // apart (the shell executor runs both in this one project folder at once).
    writeFileSync(
      path.join(dir, ANALYSIS_CI_FILE),
      [
        'stages: [build, test]',
        'include:',
        ...include(['job-prefix: k6-gate-top', 'endpoints-top: 1']),
        ...include(['job-prefix: k6-gate-off', 'analysis: false', 'results-dir: k6-gate-results-off']),
        '',
      ].join('\n'),
    );

    // The baseline the consumer would have committed: one accepted run of the healthy target.
    const started = Date.now();
    // Asynchronous: the demo target lives in this process and must keep answering.
    const seed = await runNode(
      [
        'dist/cli.js',
        'run',
        'http-endpoints',
        '--target',
        target.url,
        '--profile',
        'smoke',
        '--results-dir',
        '.seed',
        '--environment',
        'staging',
        '--update-baseline',
        'force',
        ...args.split(' '),
      ],
      dir,
    );
    timings['baseline run (CLI)'] = Date.now() - started;
    expect(seed.status, seed.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'k6-baseline.json'))).toBe(true);
    // Each environment has its own history (the key ends in @staging / @production): the consumer
    // committed one for production too; here it is the same healthy run.
    const seeded = JSON.parse(readFileSync(path.join(dir, 'k6-baseline.json'), 'utf8'));
    const staging = seeded.scenarios['http-endpoints@smoke@staging'];
    seeded.scenarios['http-endpoints@smoke@production'] = { ...staging, environment: 'production' };
    writeFileSync(path.join(dir, 'k6-baseline.json'), `${JSON.stringify(seeded, null, 2)}\n`);
    rmSync(path.join(dir, '.seed'), { recursive: true, force: true });
    initGitRepo(dir);
  }, 120_000);

  afterAll(async () => {
    console.info(`gitlab-ci-local run timings (ms): ${JSON.stringify(timings)}`);
    await target?.close();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'staging job in a merge-request pipeline: gate passes, reports and artifacts are written, the MR note is posted',
    async () => {
      const run = await pipeline('merge-request', 'k6-gate:staging');
      timings['staging, healthy'] = run.ms;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).not.toContain('k6-gate:production');

      const out = artifacts('staging');
      // A healthy target passes — unless the machine is so busy that the gate itself flags its load
      // generator (the CPU contended for most of the run, k6 saturated): then a healthy target can
      // measure slower than its baseline, and what must hold is that the report says the numbers are
      // not trustworthy. That unhealthy outcome is asserted instead (issue 22: decisive on a busy machine).
      const comparison = JSON.parse(readFileSync(path.join(out, 'comparison.json'), 'utf8')) as GateResult;
      const unhealthy =
        comparison.outcome !== 'passed' && comparison.scenarios.some((s) => (s.analysis?.loadGenerator?.warnings.length ?? 0) > 0);
      if (unhealthy) {
        console.info(`staging, healthy: the load generator was flagged (${comparison.scenarios[0].analysis?.loadGenerator?.warnings[0]})`);
        expect(comparison.outcome).toBe('regressed');
        expect(run.stdout).toMatch(/k6-gate:staging > \*\*⚠️ Load generator:\*\* the numbers may not be trustworthy/);
      } else {
        expect(comparison.outcome).toBe('passed');
        expect(run.stdout).toMatch(/PASS\s+k6-gate:staging/);
      }
      for (const file of [
        'junit.xml',
        'load-performance.json',
        'k6-gate.env',
        'report.html',
        'report.md',
        'comparison.json',
        'summary-http-endpoints.json',
      ]) {
        expect(existsSync(path.join(out, file)), `${file} in the staging artifacts`).toBe(true);
      }
      const junit = readFileSync(path.join(out, 'junit.xml'), 'utf8');
      expect(XMLValidator.validate(junit)).toBe(true);
      const suites = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junit).testsuites;
      expect(suites).toMatchObject({ failures: unhealthy ? expect.any(String) : '0', errors: '0' });
      expect(Number(suites.tests)).toBeGreaterThanOrEqual(6);
      // load_performance is k6's own legacy export of the gating scenario, with what GitLab's widget reads.
      const loadPerformance = readFileSync(path.join(out, 'load-performance.json'), 'utf8');
      expect(loadPerformance).toBe(readFileSync(path.join(out, 'summary-http-endpoints.json'), 'utf8'));
      // The staging job is the one that reports load_performance (the `load-performance` input's default).
      expect(readFileSync(path.join(out, 'load-performance.staging.json'), 'utf8')).toBe(loadPerformance);
      const metrics = JSON.parse(loadPerformance).metrics;
      expect(metrics.http_reqs.rate).toBeGreaterThan(0);
      expect(metrics.http_req_waiting['p(90)']).toBeGreaterThan(0);
      expect(metrics.http_req_waiting['p(95)']).toBeGreaterThan(0);
      expect(metrics.checks.passes).toBeGreaterThan(0);
      expect(readFileSync(path.join(out, 'report.html'), 'utf8').slice(0, 200).toLowerCase()).toContain('<!doctype html');
      // Keys per job: a later job reads the staging verdict apart from the production one.
      expect(parseDotenv(readFileSync(path.join(out, 'k6-gate.env'), 'utf8'))).toMatchObject(
        unhealthy
          ? { K6_GATE_STAGING_RESULT: 'regressed', K6_GATE_STAGING_FAILED: 'true' }
          : { K6_GATE_STAGING_RESULT: 'passed', K6_GATE_STAGING_FAILED: 'false', K6_GATE_STAGING_REGRESSIONS: '0' },
      );

      const notes = fake.notes.get(`${PROJECT}!5`) ?? [];
      expect(notes).toHaveLength(1);
      expect(notes[0].body).toContain('<!-- k6-gate:k6-gate:staging -->');
      expect(notes[0].body).toContain(unhealthy ? 'the numbers may not be trustworthy' : '✅ k6-gate: passed');
      expect(jobLog('staging')).toContain('created the note on merge request !5');
      expect(jobLog('staging')).not.toContain(TOKEN);
      expect(run.stdout + run.stderr).not.toContain(TOKEN);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'a regressed staging job fails without failing the pipeline, and edits the same MR note',
    async () => {
      // Ten times the demo's 20 ms: on a busy machine p(95) is mostly waiting for a CPU (50-140 ms measured),
      // where a doubled service time (+20 ms) hides inside the 40 % tolerance; +180 ms does not, and stays
      // under the scenario's p(95)<500 threshold.
      target.setKnobs({ slowdown: 9 });
      const run = await pipeline('merge-request', 'k6-gate:staging');
      timings['staging, slowed'] = run.ms;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/WARN\s+k6-gate:staging/);
      const out = artifacts('staging');
      expect(JSON.parse(readFileSync(path.join(out, 'comparison.json'), 'utf8')).scenarios[0].key).toBe('http-endpoints@smoke@staging');
      expect(parseDotenv(readFileSync(path.join(out, 'k6-gate.env'), 'utf8'))).toMatchObject({
        K6_GATE_STAGING_RESULT: 'regressed',
        K6_GATE_STAGING_FAILED: 'true',
      });
      expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toMatch(/<failure message="regressed: [^"]*" type="regression">/);
      const notes = fake.notes.get(`${PROJECT}!5`) ?? [];
      expect(notes).toHaveLength(1);
      expect(notes[0].body).toContain('performance regressed');
      expect(jobLog('staging')).toContain('updated the note on merge request !5');
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'the production job on the default branch fails the pipeline on the injected regression',
    async () => {
      target.setKnobs({ slowdown: 9 });
      const run = await pipeline('default-branch', 'k6-gate:production');
      timings['production, slowed'] = run.ms;
      expect(run.code, run.stdout + run.stderr).not.toBe(0);
      expect(run.stdout).toMatch(/FAIL\s+k6-gate:production/);
      expect(run.stdout).not.toMatch(/k6-gate:staging\s+>/);
      const out = artifacts('production');
      const dotenv = parseDotenv(readFileSync(path.join(out, 'k6-gate.env'), 'utf8'));
      expect(dotenv).toMatchObject({
        K6_GATE_PRODUCTION_RESULT: 'regressed',
        K6_GATE_PRODUCTION_FAILED: 'true',
      });
      expect(Object.keys(dotenv).filter((key) => !key.startsWith('K6_GATE_PRODUCTION_'))).toEqual([]);
      expect(existsSync(path.join(out, 'junit.xml'))).toBe(true);
      // The template's environment is part of the baseline key: production is gated on its own history.
      const comparison = JSON.parse(readFileSync(path.join(out, 'comparison.json'), 'utf8'));
      expect(comparison.scenarios[0].key).toBe('http-endpoints@smoke@production');
      // No merge request in a default-branch pipeline: no note, a line in the log instead.
      expect(jobLog('production')).toContain('no merge request for this pipeline');
      expect(fake.notes.get(`${PROJECT}!5`)).toHaveLength(1);
    },
    PIPELINE_TIMEOUT_MS,
  );

  it(
    'the analysis and endpoints-top inputs reach the CLI: one endpoint listed, or no analysis at all',
    async () => {
      target.setKnobs({ slowdown: 0 });
      const run = await pipeline('default-branch', ['k6-gate-top:staging', 'k6-gate-off:staging'], { file: ANALYSIS_CI_FILE });
      timings['analysis inputs (two staging jobs)'] = run.ms;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      // The job's report, and its log when there is none (jobArtifacts/jobLog would take either prefix).
      const jobFile = (prefix: string, file: string) => {
        const resultsDir = prefix === 'k6-gate-off' ? 'k6-gate-results-off' : 'k6-gate-results';
        const find = (folder: string, suffix: string) => {
          const root = path.join(dir, '.gitlab-ci-local', folder);
          const name = readdirSync(root).find((entry) => entry.startsWith(prefix) && entry.endsWith(suffix));
          if (!name) throw new Error(`no ${folder} of ${prefix}:staging in ${root}: ${readdirSync(root).join(', ')}`);
          return path.join(root, name);
        };
        const out = path.join(find('artifacts', 'staging'), resultsDir, file);
        expect(existsSync(out), `${file} of ${prefix}:staging; job log:\n${readFileSync(find('output', 'staging.log'), 'utf8')}`).toBe(
          true,
        );
        return readFileSync(out, 'utf8');
      };

      // endpoints-top: 1 — the table lists the one endpoint of all the scenario hit.
      const topReport = jobFile('k6-gate-top', 'report.md');
      expect(topReport).toMatch(/Per-endpoint breakdown: (\d+) endpoint\(s\) \(top 1 of \1\)/);
      const topAnalysis = JSON.parse(jobFile('k6-gate-top', 'comparison.json')).scenarios[0].analysis;
      expect(topAnalysis.endpoints).toHaveLength(1);
      expect(topAnalysis.endpointCount).toBeGreaterThan(1);

      // analysis: false — k6 writes no JSON for k6-gate to read: no breakdown, no analysis in comparison.json.
      const offReport = jobFile('k6-gate-off', 'report.md');
      expect(offReport).toContain('http-endpoints');
      expect(offReport).not.toContain('Per-endpoint breakdown');
      expect(JSON.parse(jobFile('k6-gate-off', 'comparison.json')).scenarios[0].analysis).toBeUndefined();
    },
    PIPELINE_TIMEOUT_MS,
  );
});

if (missing.length > 0) {
  describe('gitlab-ci-local prerequisites', () => {
    it.skip(`skipped: ${missing.join(', ')} missing (apt-get install -y ${missing.join(' ')})`, () => {});
  });
}
