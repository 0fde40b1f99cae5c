// k6 ending badly, with the real k6: every exit code the issue names, the job time limit, and a
// summary that is missing, empty or left over from an earlier run.
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { RESULTS_MARKER_FILE } from '../../src/gate/results-dir.js';
import { runK6 } from '../../src/k6/run.js';
import { resolveScenario } from '../../src/scenarios.js';
import { recordingLogger, tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';
import { stopsWithin } from '../helpers/processes.js';
import { gate, readText, script } from './support.js';

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 3 });
});
afterAll(() => target.close());

const LOOP = `import http from 'k6/http';
import { sleep } from 'k6';
export default function () { http.get(__ENV.BASE_URL + '/health'); sleep(0.1); }
`;

describe('k6 exit codes through the whole gate', () => {
  it('exit 104 (invalid options, vus: -1) is an error naming the code and k6’s own reason, with no summary', async () => {
    const ws = await tempWorkspace();
    const spec = await script(ws, 'bad-options.js', `export const options = { vus: -1, duration: '1s' };\nexport default function () {}\n`);
    const run = await gate(ws, { scenarios: [spec], target: target.url });
    expect(run.result.scenarios[0].exitCode).toBe(104);
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    expect(run.result.scenarios[0].error).toMatch(
      /k6 exit 104: the k6 configuration is invalid; k6 wrote no summary \(summary-bad-options\.json\)/,
    );
    expect(run.log).toContain('the number of VUs must be more than 0');
    expect(readText(run.config.resultsDir, 'report.md')).toContain('k6 exit 104');
  });

  it('exit 104 from a bad duration string quotes the value in the k6 log', async () => {
    const ws = await tempWorkspace();
    const spec = await script(ws, 'bad-duration.js', `export const options = { duration: 'banana' };\nexport default function () {}\n`);
    const run = await gate(ws, { scenarios: [spec] });
    expect(run.result.scenarios[0].exitCode).toBe(104);
    expect(run.status).toBe(2);
    expect(readText(run.config.resultsDir, 'k6-bad-duration.log')).toContain('invalid duration \\"banana\\"');
  });

  it('exit 108 (test.abort) is an error; the summary k6 still wrote is parsed and reported', async () => {
    const ws = await tempWorkspace();
    const spec = await script(
      ws,
      'aborts.js',
      `import http from 'k6/http';
import exec from 'k6/execution';
export const options = { vus: 1, duration: '3s' };
export default function () { http.get(__ENV.BASE_URL + '/health'); if (exec.scenario.iterationInTest >= 2) exec.test.abort('stopping on purpose'); }
`,
    );
    const run = await gate(ws, { scenarios: [spec], target: target.url });
    const s = run.result.scenarios[0];
    expect(s.exitCode).toBe(108);
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    expect(s.error).toBe('k6 exit 108: the script called test.abort()');
    expect(s.summary?.metrics.http_reqs.values.count).toBeGreaterThanOrEqual(3);
    expect(s.files.summary).toBe('summary-aborts.json');
    expect(run.log).toContain('stopping on purpose');
  });

  it('exit 110 (test.fail) is an error, not a pass, although every iteration ran', async () => {
    const ws = await tempWorkspace();
    const spec = await script(
      ws,
      'fails.js',
      `import exec from 'k6/execution';
export const options = { vus: 1, iterations: 2 };
export default function () { exec.test.fail('marking the run failed on purpose'); }
`,
    );
    const run = await gate(ws, { scenarios: [spec] });
    const s = run.result.scenarios[0];
    expect(s.exitCode).toBe(110);
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    expect(s.error).toBe('k6 exit 110: the script called test.fail()');
    expect(s.summary?.metrics.iterations.values.count).toBe(2);
  });

  it('exit 255 (an unknown flag in k6-args) is an error with k6’s message in the log', async () => {
    const ws = await tempWorkspace();
    const spec = await script(ws, 'plain.js', LOOP);
    const run = await gate(ws, { scenarios: [spec], target: target.url, k6Args: ['--no-such-flag'] });
    expect(run.result.scenarios[0].exitCode).toBe(255);
    expect(run.status).toBe(2);
    expect(run.result.scenarios[0].error).toMatch(/^k6 exit 255: k6 failed for an unspecified reason/);
    expect(run.log).toContain('unknown flag: --no-such-flag');
  });

  it('an unknown profile of a bundled scenario stops k6 in its init stage with the valid profiles listed', async () => {
    const ws = await tempWorkspace();
    const run = await gate(ws, { scenarios: [await resolveScenario('http-endpoints', ws)], profile: 'turbo', target: target.url });
    expect(run.result.scenarios[0].exitCode).toBe(107);
    expect(run.status).toBe(2);
    expect(run.result.scenarios[0].error).toBe(
      'k6 exit 107: the script threw an exception; k6 wrote no summary (summary-http-endpoints.json)',
    );
    expect(run.log).toMatch(/unknown PROFILE .*turbo.*; valid profiles are: smoke, load, stress, spike, soak, breakpoint/);
  });
});

describe('the job time limit', () => {
  it('stops k6 with SIGINT at the limit; the partial summary is parsed and reported, and the outcome is an error', async () => {
    const ws = await tempWorkspace();
    const spec = await script(
      ws,
      'long.js',
      LOOP.replace('export default', "export const options = { vus: 2, duration: '60s' };\nexport default"),
    );
    const started = Date.now();
    const run = await gate(ws, { scenarios: [spec], target: target.url, timeoutMs: 2000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    const s = run.result.scenarios[0];
    expect(run.log).toMatch(/k6 ran past the time limit of 2 s: stopping it \(SIGINT\)/);
    expect(s.exitCode).toBe(105);
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    expect(s.error).toMatch(/time limit of 2 s/);
    // What was measured before the stop is kept, parsed and shown.
    expect(s.summary?.metrics.http_reqs.values.count).toBeGreaterThan(5);
    expect(s.metrics.find((m) => m.metric === 'http_req_duration' && m.stat === 'p(95)')?.current).toBeGreaterThan(0);
    const report = readText(run.config.resultsDir, 'report.md');
    expect(report).toMatch(/time limit/);
    expect(report).toMatch(/http_req_duration/);
    expect(JSON.parse(readText(run.config.resultsDir, 'comparison.json')).scenarios[0].summary.metrics.http_reqs.values.count).toBe(
      s.summary?.metrics.http_reqs.values.count,
    );
  });

  it('kills a k6 that ignores SIGINT once the grace period is over', async () => {
    const ws = await tempWorkspace();
    // A stand-in for a k6 stuck in teardown: it ignores SIGINT and never exits on its own.
    const stuck = path.join(ws, 'stuck-k6');
    await writeFile(
      stuck,
      `#!/usr/bin/env node\nprocess.on('SIGINT', () => console.log('got SIGINT, ignoring it'));\nconsole.log('running');\nsetInterval(() => {}, 1000);\n`,
    );
    await chmod(stuck, 0o755);
    const log = recordingLogger();
    const resultsDir = path.join(ws, 'results');
    await mkdir(resultsDir);
    const started = Date.now();
    const run = await runK6({
      k6Path: stuck,
      script: 'x.js',
      scenario: 'stuck',
      resultsDir,
      env: {},
      args: [],
      timeoutMs: 800,
      graceMs: 700,
      htmlReport: false,
      log,
      secrets: [],
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.timedOut).toBe(true);
    expect(run.signal).toBe('SIGKILL');
    expect(run.outcome).toBe('error');
    expect(run.meaning).toMatch(/stopped at the time limit of 800 ms \(k6 was killed by SIGKILL/);
    expect(log.text()).toContain('k6 did not stop within the grace period: killing it (SIGKILL)');
    expect(readText(resultsDir, 'k6-stuck.log')).toContain('got SIGINT, ignoring it');
  });
});

describe('a k6 wrapper with a child process', () => {
  it('the time limit stops the whole wrapper: a child that ignores INT/TERM and holds the pipes is killed once, and the run ends', async () => {
    const ws = await tempWorkspace();
    // A shim in front of k6, as some teams keep one; its child ignores INT and TERM and keeps
    // the wrapper's stdout and stderr open.
    const wrapper = path.join(ws, 'k6-shim');
    const childPid = path.join(ws, 'child.pid');
    await writeFile(wrapper, `#!/bin/sh\ntrap '' INT TERM\necho 'shim: starting'\nsleep 3600 &\necho $! > '${childPid}'\nwait\n`);
    await chmod(wrapper, 0o755);
    const log = recordingLogger();
    const resultsDir = path.join(ws, 'results');
    await mkdir(resultsDir);
    const started = Date.now();
    const run = await runK6({
      k6Path: wrapper,
      script: 'x.js',
      scenario: 'shim',
      resultsDir,
      env: {},
      args: [],
      timeoutMs: 800,
      graceMs: 700,
      htmlReport: false,
      log,
      secrets: [],
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run).toMatchObject({ timedOut: true, signal: 'SIGKILL', outcome: 'error' });
    expect(log.text().match(/killing it \(SIGKILL\)/g)).toHaveLength(1);
    expect(readText(resultsDir, 'k6-shim.log')).toContain('shim: starting');
    const pid = Number(readText(ws, 'child.pid'));
    expect(await stopsWithin(pid, 2000), 'the wrapper’s child is gone').toBe(true);
  });
});

describe('the summary file', () => {
  it('missing although k6 exited 0 (k6 could not write it) is an error, never a pass', async () => {
    const ws = await tempWorkspace();
    const spec = await script(
      ws,
      'nosummary.js',
      LOOP.replace('export default', 'export const options = { vus: 1, iterations: 2 };\nexport default'),
    );
    // A folder where the summary file should go: k6 logs that it could not save it and still exits 0.
    await mkdir(path.join(ws, 'results', 'summary-nosummary.json'), { recursive: true });
    const run = await gate(ws, { scenarios: [spec], target: target.url });
    expect(run.result.scenarios[0].exitCode).toBe(0);
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    expect(run.result.scenarios[0].error).toMatch(/k6 wrote no summary \(summary-nosummary\.json\)/);
    expect(run.log).toMatch(/Could not save some summary information/);
  });

  it('empty is an error that says the file is empty', async () => {
    const ws = await tempWorkspace();
    const spec = await script(
      ws,
      'empty.js',
      LOOP.replace('export default', 'export const options = { vus: 1, iterations: 2 };\nexport default'),
    );
    // The real k6, followed by what a full disk does to the file it wrote.
    const wrapper = path.join(ws, 'k6-then-truncate');
    await writeFile(
      wrapper,
      `#!/usr/bin/env node
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const args = process.argv.slice(2);
const r = spawnSync(${JSON.stringify(testK6Path())}, args, { stdio: 'inherit' });
fs.writeFileSync(args[args.indexOf('--summary-export') + 1], '');
process.exit(r.status ?? 1);
`,
    );
    await chmod(wrapper, 0o755);
    await writeFile(path.join(ws, 'package.json'), '{"type": "commonjs"}');
    const run = await gate(ws, { scenarios: [spec], target: target.url, k6: { version: '2.2.0', install: 'path', path: testK6Path() } });
    expect(run.status).toBe(0);
    const broken = await gate(ws, { scenarios: [spec], target: target.url, k6: { version: '2.2.0', install: 'path', path: wrapper } });
    expect(broken.result.scenarios[0].exitCode).toBe(0);
    expect(broken.result.outcome).toBe('error');
    expect(broken.status).toBe(2);
    expect(broken.result.scenarios[0].error).toMatch(/summary-empty\.json.*empty/i);
  });

  it('left over from an earlier run is never reported as this run’s numbers', async () => {
    const ws = await tempWorkspace();
    await mkdir(path.join(ws, 'results'));
    const stale = {
      metrics: {
        http_reqs: { count: 123456, rate: 999 },
        http_req_duration: { avg: 1, min: 1, med: 1, max: 1, 'p(90)': 1, 'p(95)': 1, 'p(99)': 1 },
      },
      root_group: { checks: {}, groups: {} },
    };
    await writeFile(path.join(ws, 'results', 'summary-rerun.json'), JSON.stringify(stale));
    // An earlier run of k6-gate marked the folder as its own.
    await writeFile(path.join(ws, 'results', RESULTS_MARKER_FILE), '');
    const spec = await script(ws, 'rerun.js', `export const options = { vus: -1 };\nexport default function () {}\n`);
    const run = await gate(ws, { scenarios: [spec] });
    expect(run.result.scenarios[0].exitCode).toBe(104);
    expect(run.result.scenarios[0].summary).toBeUndefined();
    expect(run.result.scenarios[0].error).toMatch(/k6 wrote no summary/);
    expect(readText(run.config.resultsDir, 'comparison.json')).not.toContain('123456');
    expect(existsSync(path.join(ws, 'results', 'summary-rerun.json'))).toBe(false);
  });
});
