// Nothing measured is lost: the results, report and comparison.json are on disk before the failure
// is reported, the exit status is the worst of all scenarios, and a results dir that cannot be
// written stops the gate before k6 runs (once, not twice).
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import type { GateResult } from '../../src/model.js';
import { resolveScenario } from '../../src/scenarios.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';
import { gate, readText, script } from './support.js';

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 10, jitterMs: 2, seed: 9 });
});
afterAll(() => target.close());

const cli = runCli;

const PASSING = `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 1, duration: '1s' };
export default function () { http.get(__ENV.BASE_URL + '/api/products'); sleep(0.05); }
`;
const STRICT = PASSING.replace("duration: '1s'", "duration: '1s', thresholds: { http_req_duration: ['p(95)<0.001'] }");
const BROKEN = `export default function () {}\nthrow new Error('broken on purpose');\n`;

describe('results are written before the failure is reported', () => {
  it('a regression: summary, comparison.json and report.md name the regressed metric when the CLI exits 1', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'api.js'), PASSING);
    const common = ['run', 'api.js', '--target', target.url, '--k6-path', testK6Path(), '--no-html-report'];
    expect((await cli([...common, '--update-baseline'], ws)).status).toBe(0);
    target.setKnobs({ slowdown: 3 });
    let failed;
    try {
      failed = await cli(common, ws);
    } finally {
      target.setKnobs({ slowdown: 0 });
    }
    expect(failed.status).toBe(1);
    const dir = path.join(ws, 'k6-gate-results');
    const comparison = JSON.parse(readText(dir, 'comparison.json')) as GateResult;
    expect(comparison.outcome).toBe('regressed');
    expect(comparison.scenarios[0].metrics.some((m) => m.metric === 'http_req_duration' && m.verdict === 'regressed')).toBe(true);
    expect(readText(dir, 'report.md')).toContain('performance regressed');
    expect(JSON.parse(readText(dir, 'summary-api.json')).metrics.http_reqs.count).toBeGreaterThan(3);
    expect(readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toMatch(/<failure/);
    // The report a user reads in the job log is the one on disk.
    expect(failed.stdout).toBe(readText(dir, 'report.md'));
  });

  it('a k6 error: the log, comparison.json and report.md carry the cause when the CLI exits 2', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'broken.js'), BROKEN);
    const run = await cli(['run', 'broken.js', '--k6-path', testK6Path(), '--no-html-report'], ws);
    expect(run.status).toBe(2);
    const dir = path.join(ws, 'k6-gate-results');
    expect(JSON.parse(readText(dir, 'comparison.json')).scenarios[0]).toMatchObject({ outcome: 'error', exitCode: 107 });
    expect(readText(dir, 'report.md')).toContain('the load test could not run');
    expect(readText(dir, 'k6-broken.log')).toContain('broken on purpose');
    expect(readText(dir, 'junit.xml')).toMatch(/<error/);
  });
});

describe('the exit status is the worst outcome of all scenarios', () => {
  it('passed + thresholds-failed + error → outcome error, exit 2, and every scenario’s results are kept', async () => {
    const ws = await tempWorkspace();
    const scenarios = [await script(ws, 'ok.js', PASSING), await script(ws, 'strict.js', STRICT), await script(ws, 'broken.js', BROKEN)];
    const run = await gate(ws, { scenarios, target: target.url });
    expect(run.result.scenarios.map((s) => s.outcome)).toEqual(['passed', 'thresholds-failed', 'error']);
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    // The error of the last scenario does not hide what the first two measured.
    for (const name of ['summary-ok.json', 'summary-strict.json', 'k6-broken.log', 'comparison.json', 'report.md']) {
      expect(existsSync(path.join(run.config.resultsDir, name)), name).toBe(true);
    }
    expect(run.result.thresholdsFailed).toBe(1);
    const report = readText(run.config.resultsDir, 'report.md');
    expect(report).toMatch(/^### .* ok — passed$/m);
    expect(report).toMatch(/^### .* strict — thresholds crossed$/m);
    expect(report).toMatch(/^### .* broken — error$/m);
    expect(report).toContain('p(95)<0.001');
  });

  it('passed + thresholds-failed → exit 1; with fail-on regression only → exit 0 and the report says not blocking', async () => {
    const ws = await tempWorkspace();
    const scenarios = [await script(ws, 'ok.js', PASSING), await script(ws, 'strict.js', STRICT)];
    const blocking = await gate(ws, { scenarios, target: target.url });
    expect(blocking.result.outcome).toBe('thresholds-failed');
    expect(blocking.status).toBe(1);
    const reportOnly = await gate(ws, { scenarios, target: target.url, failOn: ['regression'] });
    expect(reportOnly.result.outcome).toBe('thresholds-failed');
    expect(reportOnly.status).toBe(0);
    expect(readText(reportOnly.config.resultsDir, 'report.md')).toContain('**not blocking** (policy)');
  });
});

describe('a results dir that cannot be written', () => {
  it('whose parent is a file (ENOTDIR): a clear error, exit 2, and k6 never starts', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'file.txt'), 'not a folder');
    const run = await gate(ws, {
      scenarios: [await resolveScenario('http-endpoints', ws)],
      profile: 'smoke',
      target: target.url,
      resultsDir: path.join(ws, 'file.txt', 'results'),
    });
    expect(run.result.outcome).toBe('error');
    expect(run.status).toBe(2);
    expect(run.result.scenarios[0].error).toMatch(
      /results dir .*file\.txt\/results is not writable \(ENOTDIR\); expected a folder k6-gate can create and write/,
    );
    expect(run.log).not.toMatch(/\$ k6 run/);
    expect(run.log).not.toMatch(/k6 finished/);
    expect(run.result.scenarios[0].exitCode).toBeUndefined();
  });

  it('that is a file: the CLI exits 2 with the reason and still prints the report on stdout', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'results'), 'a file, not a folder');
    const run = await cli(['run', 'http-endpoints', '--target', target.url, '--k6-path', testK6Path(), '--results-dir', 'results'], ws);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/results dir .*results is not writable \((EEXIST|ENOTDIR)\)/);
    expect(run.stderr).not.toMatch(/\$ k6 run/);
    expect(run.stdout).toContain('the load test could not run');
    expect(readFileSync(path.join(ws, 'results'), 'utf8')).toBe('a file, not a folder');
  });

  it('k6 runs once per scenario: a gate never starts k6 twice for the same scenario', async () => {
    const ws = await tempWorkspace();
    const run = await gate(ws, { scenarios: [await script(ws, 'once.js', PASSING)], target: target.url });
    expect(run.status).toBe(0);
    expect(run.log.match(/^\$ k6 run /gm)).toHaveLength(1);
    expect(run.log.match(/k6 finished in/g)).toHaveLength(1);
  });
});
