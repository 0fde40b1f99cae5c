// Tokens given to k6-gate reach the target (as Bearer headers) but no log line, report, artifact or
// merge-request note: every produced file is searched for them, gzip files unpacked.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { configFromInputs } from '../../src/inputs.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import { startFakeGitLab, type FakeGitLab } from '../gitlab/fake-gitlab.js';
import { recordingLogger, tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';
import { allFiles } from './support.js';

const MY_TOKEN = 'myt0ken-R3liab1lity-5ecret-9f8e';
const AUTH_TOKEN = 'auth-T0ken-R3liab1lity-7c6b';
const GITLAB_TOKEN = 'glpat-R3liab1lity-gitlab-4a3b';

/** A script that does everything wrong a script can do with a token, short of putting it in metric tags. */
const LEAKY = `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 2, duration: '2s' };
export default function () {
  console.log('MY_TOKEN is ' + __ENV.MY_TOKEN);
  console.warn('sending Authorization: Bearer ' + __ENV.AUTH_TOKEN);
  http.get(__ENV.ECHO_URL + '/whoami', { headers: { Authorization: 'Bearer ' + __ENV.MY_TOKEN }, tags: { name: 'whoami' } });
  http.get(__ENV.BASE_URL + '/api/products', { headers: { Authorization: 'Bearer ' + __ENV.AUTH_TOKEN } });
  if (__ITER === 0) throw new Error('token rejected: ' + __ENV.MY_TOKEN);
  sleep(0.2);
}
`;

let target: DemoTarget;
let echo: http.Server;
let echoUrl: string;
const seenAuth = new Set<string>();
let gitlab: FakeGitLab;

beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 5 });
  echo = http.createServer((req, res) => {
    if (req.headers.authorization) seenAuth.add(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  gitlab = await startFakeGitLab({ token: GITLAB_TOKEN, projectId: '42' });
});
afterAll(async () => {
  await target.close();
  echo.closeAllConnections();
  await new Promise((resolve) => echo.close(resolve));
  await gitlab.close();
});

function expectNoToken(where: string, text: string) {
  for (const token of [MY_TOKEN, AUTH_TOKEN, GITLAB_TOKEN]) {
    expect(text.includes(token), `${token} found in ${where}`).toBe(false);
  }
}

describe('secrets never leave k6', () => {
  it('the CLI in a GitLab job: tokens from --secret-env reach the target and appear in no file, log line, stdout or MR note', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'leaky.js'), LEAKY);
    let stdout = '';
    let stderr = '';
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MY_TOKEN,
      AUTH_TOKEN,
      GITLAB_CI: 'true',
      CI_API_V4_URL: gitlab.apiUrl,
      CI_PROJECT_ID: '42',
      CI_PROJECT_DIR: ws,
      CI_JOB_NAME: 'k6-gate:secrets',
      CI_JOB_URL: 'https://gitlab.example.com/acme/shop/-/jobs/1',
      CI_MERGE_REQUEST_IID: '3',
      K6_GATE_GITLAB_TOKEN: GITLAB_TOKEN,
    };
    const status = await main({
      argv: [
        'run',
        'leaky.js',
        'http-endpoints',
        '--profile',
        'smoke',
        '--target',
        target.url,
        '--k6-path',
        testK6Path(),
        '--secret-env',
        'MY_TOKEN',
        '--secret-env',
        'AUTH_TOKEN',
        '--env',
        `ECHO_URL=${echoUrl}`,
        '--env',
        'VUS=2',
        '--env',
        'DURATION=2s',
        '--raw-output',
        // An MR pipeline: plain `true` would mean auto (default branch only); record it anyway.
        '--update-baseline',
        'always',
        '--fail-on',
        'none',
        '--verbose',
      ],
      cwd: ws,
      env,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    expect(status).toBe(0);
    // The tokens did their job: k6 sent them to the target.
    expect(seenAuth).toContain(`Bearer ${MY_TOKEN}`);
    // The script printed them, and the log shows the line with the token masked.
    expect(stderr).toContain('MY_TOKEN is ***');
    expect(stderr).toContain('token rejected: ***');
    expectNoToken('stderr', stderr);
    expectNoToken('stdout', stdout);

    const files = allFiles(path.join(ws, 'k6-gate-results'));
    const names = files.map((f) => path.basename(f.file));
    // Every kind of file the gate writes is in the search.
    for (const expected of [
      'summary-leaky.json',
      'summary-http-endpoints.json',
      'comparison.json',
      'report.md',
      'gate-report.html',
      'junit.xml',
      'load-performance.json',
      'k6-gate.env',
      'report-leaky.html',
      'report.html',
      'k6-leaky.log',
      'k6-http-endpoints.log',
      'k6-leaky.json.gz',
    ]) {
      expect(names, expected).toContain(expected);
    }
    for (const { file, text } of files) expectNoToken(file, text);
    expect(files.find((f) => f.file.endsWith('k6-leaky.log'))?.text).toContain('MY_TOKEN is ***');
    expectNoToken('the baseline', allFiles(ws).find((f) => f.file.endsWith('k6-baseline.json'))!.text);

    const notes = gitlab.notes.get('42!3') ?? [];
    expect(notes).toHaveLength(1);
    expectNoToken('the MR note', notes[0].body);
  });

  it('the action inputs: auth-token becomes AUTH_TOKEN and, like secret-env, is masked in the log and every file', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'leaky.js'), LEAKY);
    const inputs: Record<string, string> = {
      scenarios: 'leaky.js',
      target: target.url,
      'auth-token': AUTH_TOKEN,
      'secret-env': 'MY_TOKEN',
      env: `ECHO_URL=${echoUrl}`,
      'k6-path': testK6Path(),
      'raw-output': 'true',
    };
    const config = await configFromInputs((name) => inputs[name], { workspace: ws, env: { MY_TOKEN } });
    expect(config.env.AUTH_TOKEN).toBe(AUTH_TOKEN);
    const log = recordingLogger();
    const result = await runGate(config, log);
    expect(exitStatusFor(result)).toBe(0);
    expect(log.text()).toContain('sending Authorization: Bearer ***');
    expectNoToken('the log', log.text());
    const files = allFiles(config.resultsDir);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const { file, text } of files) expectNoToken(file, text);
  });
});
