// A target URL with a user and password (basic auth) works, and the password appears nowhere.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { configFromInputs } from '../../src/inputs.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import { recordingLogger, tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0 });
});
afterAll(() => target.close());

it('a target with credentials passes the preflight and keeps the password out of every file and log line', async () => {
  const ws = await tempWorkspace();
  const password = 'pa55-w0rd-in-url';
  const withCredentials = target.url.replace('http://', `http://tester:${password}@`);
  const inputs: Record<string, string> = {
    scenarios: 'http-endpoints',
    profile: 'smoke',
    target: withCredentials,
    'k6-path': testK6Path(),
    env: 'VUS=1 DURATION=1s',
    'html-report': 'false',
  };
  const config = await configFromInputs((name) => inputs[name], { workspace: ws, env: {} });
  const log = recordingLogger();
  const result = await runGate(config, log);

  expect(exitStatusFor(result)).toBe(0);
  expect(log.text()).toMatch(/preflight: http:\/\/127\.0\.0\.1:\d+\/ answered 200/);
  expect(result.target).toBe(`${target.url}/`);
  expect(log.text()).not.toContain(password);
  for (const name of await readdir(config.resultsDir)) {
    const text = await readFile(path.join(config.resultsDir, name), 'utf8');
    expect(text, name).not.toContain(password);
  }
});
