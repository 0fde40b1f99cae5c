// Secrets in the shapes real ones have (a multi-line PEM key, a password with `"` and `\`) and in
// the encodings output gives them (k6's escaped log lines, JSON, URL encoding, base64 in an
// Authorization header): none may reach a file, stdout, stderr, the MR note or the PR comment.
// And k6 itself never sees the CI's tokens: a script that prints `__ENV` finds none of them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { secretForms } from '../../src/log.js';
import type { GateResult } from '../../src/model.js';
import { renderCommentBody } from '../../src/platform/github/publish.js';
import { startFakeGitLab, type FakeGitLab } from '../gitlab/fake-gitlab.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';
import { allFiles, readText } from './support.js';

const PEM_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7k6gate0Secret1',
  'Zq9wX2uT5rL8mN3bV6cF1hJ4kP7sD0aG9eR2yU5iO8lQ3wE6tY1nM4bC7vX0zS5fA',
  '-----END PRIVATE KEY-----',
].join('\n');
const PASSWORD = 'pa"ss\\word-Qx7!k6gate';
const GITLAB_TOKEN = 'glpat-Enc0dings-gitlab-5d6e';

/** Everything a script can do to print a secret, short of putting it in metric names or tags. */
const PRINTER = `import http from 'k6/http';
import encoding from 'k6/encoding';
export const options = { vus: 1, iterations: 2 };
export default function () {
  const pem = __ENV.PEM_KEY;
  const pw = __ENV.DB_PASSWORD;
  console.log('key: ' + pem);
  console.log('password: ' + pw);
  console.log(JSON.stringify({ pem, pw }));
  console.warn('url: ' + encodeURIComponent(pw) + ' / ' + encodeURIComponent(pem));
  const basic = 'Basic ' + encoding.b64encode('admin:' + pw);
  console.log('header: ' + basic + ' and ' + encoding.b64encode(pw) + ' and ' + encoding.b64encode(pem));
  http.get(__ENV.ECHO_URL, { headers: { Authorization: basic } });
  if (__ITER === 0) throw new Error('login failed for ' + pw + ' with ' + pem);
}
`;

/** The forms a reader could recognise the secrets by. */
function encodings(secret: string): string[] {
  const lines = secret.split('\n').filter((line) => line.length >= 20);
  return [
    secret,
    ...lines,
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
  ];
}
const FORBIDDEN = [
  ...encodings(PEM_KEY),
  ...encodings(PASSWORD),
  Buffer.from(`admin:${PASSWORD}`).toString('base64').slice(8, -4),
  GITLAB_TOKEN,
];

function expectNoSecret(where: string, text: string) {
  for (const form of FORBIDDEN) expect(text.includes(form), `${JSON.stringify(form)} found in ${where}`).toBe(false);
}

let echo: http.Server;
let echoUrl: string;
const seenAuth: string[] = [];
let gitlab: FakeGitLab;

beforeAll(async () => {
  echo = http.createServer((req, res) => {
    if (req.headers.authorization) seenAuth.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  gitlab = await startFakeGitLab({ token: GITLAB_TOKEN, projectId: '7' });
});
afterAll(async () => {
  echo.closeAllConnections();
  await new Promise((resolve) => echo.close(resolve));
  await gitlab.close();
});

describe('secretForms', () => {
  it('covers the raw value, its escaped, URL-encoded and base64 forms, and each long line of a multi-line value', () => {
    const forms = secretForms(PEM_KEY);
    expect(forms).toContain(PEM_KEY);
    expect(forms).toContain(JSON.stringify(PEM_KEY).slice(1, -1));
    expect(forms).toContain(PEM_KEY.split('\n')[1]);
    expect(forms).toContain(encodeURIComponent(PEM_KEY));
    // Short structural lines of a JSON blob are not masked on their own.
    expect(secretForms('{\n  "a": 1\n}')).not.toContain('}');
  });
});

describe('secrets in every encoding', () => {
  it('a multi-line PEM key and a password with " and \\ appear in no encoding in any file, stdout, stderr, MR note or PR comment', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'printer.js'), PRINTER);
    let stdout = '';
    let stderr = '';
    const status = await main({
      argv: [
        'run',
        'printer.js',
        '--k6-path',
        testK6Path(),
        '--no-preflight',
        '--secret-env',
        'PEM_KEY',
        '--secret-env',
        'DB_PASSWORD',
        '--env',
        `ECHO_URL=${echoUrl}`,
        '--raw-output',
        '--fail-on',
        'none',
        '--json',
        '--verbose',
      ],
      cwd: ws,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PEM_KEY,
        DB_PASSWORD: PASSWORD,
        GITLAB_CI: 'true',
        CI_API_V4_URL: gitlab.apiUrl,
        CI_PROJECT_ID: '7',
        CI_PROJECT_DIR: ws,
        CI_JOB_NAME: 'k6-gate:encodings',
        CI_MERGE_REQUEST_IID: '4',
        K6_GATE_GITLAB_TOKEN: GITLAB_TOKEN,
      },
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    // The script threw in one iteration: k6 still ends normally.
    expect(status, stderr).toBe(0);
    // The header did its job, and the script did print (masked) what it was told to.
    expect(seenAuth).toContain(`Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`);
    expect(stderr).toContain('password: ***');
    expect(stderr).toContain('login failed for ***');
    expectNoSecret('stderr', stderr);
    expectNoSecret('stdout', stdout);
    const files = allFiles(path.join(ws, 'k6-gate-results'));
    expect(files.map((f) => path.basename(f.file))).toEqual(
      expect.arrayContaining(['k6-printer.log', 'comparison.json', 'k6-printer.json.gz']),
    );
    for (const { file, text } of files) expectNoSecret(file, text);
    expect(readText(path.join(ws, 'k6-gate-results'), 'k6-printer.log')).toContain('key: ***');

    const notes = gitlab.notes.get('7!4') ?? [];
    expect(notes).toHaveLength(1);
    expectNoSecret('the MR note', notes[0].body);
    const result = JSON.parse(stdout) as GateResult;
    expectNoSecret('the PR comment', renderCommentBody(result, '<!-- k6-gate:test -->', []));
  });
});

describe("k6's environment", () => {
  it('a k6 script that prints __ENV finds none of the CI tokens, but PATH, K6_* settings and the secret-env it was given', async () => {
    const tokens = {
      GITHUB_TOKEN: 'ghs_EnvAllowList0github',
      INPUT_TOKEN: 'ghs_EnvAllowList1input',
      CI_JOB_TOKEN: 'cijob-EnvAllowList2',
      ACTIONS_RUNTIME_TOKEN: 'runtime-EnvAllowList3',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-EnvAllowList4',
      K6_GATE_GITLAB_TOKEN: 'glpat-EnvAllowList5',
      CI_REGISTRY_PASSWORD: 'registry-EnvAllowList6',
      AWS_SECRET_ACCESS_KEY: 'aws-EnvAllowList7',
    };
    for (const [name, value] of Object.entries(tokens)) vi.stubEnv(name, value);
    vi.stubEnv('K6_GATE_TEST_SETTING', 'k6-gate-own');
    vi.stubEnv('K6_SETUP_TIMEOUT', '30s');
    try {
      const ws = await tempWorkspace();
      await writeFile(
        path.join(ws, 'env.js'),
        `export const options = { vus: 1, iterations: 1 };
export default function () { console.log('ENV ' + JSON.stringify(Object.keys(__ENV).sort())); }
`,
      );
      let stderr = '';
      const status = await main({
        argv: ['run', 'env.js', '--k6-path', testK6Path(), '--no-preflight', '--secret-env', 'MY_SECRET', '--env', 'KNOB=1'],
        cwd: ws,
        env: { ...process.env, MY_SECRET: 'my-secret-value' },
        stdout: () => undefined,
        stderr: (t) => (stderr += t),
      });
      expect(status, stderr).toBe(0);
      const line = readText(path.join(ws, 'k6-gate-results'), 'k6-env.log')
        .split('\n')
        .find((l) => l.includes('ENV '));
      const names = JSON.parse(JSON.parse(`"${/msg="ENV (.*?)" source=/.exec(line!)![1]}"`)) as string[];
      for (const name of [...Object.keys(tokens), 'K6_GATE_TEST_SETTING']) expect(names, name).not.toContain(name);
      expect(names).toEqual(expect.arrayContaining(['PATH', 'K6_SETUP_TIMEOUT', 'MY_SECRET', 'KNOB']));
      for (const value of Object.values(tokens)) expect(stderr).not.toContain(value);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
