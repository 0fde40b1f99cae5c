// The whole gate with a real k6 against the bundled demo target.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import type { GateResult } from '../../src/model.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import { resolveScenario } from '../../src/scenarios.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({ port: 0, latencyMs: 20, jitterMs: 10, seed: 7 });
});
afterAll(async () => {
  await target.close();
});

const read = (dir: string, name: string) => readFileSync(path.join(dir, name), 'utf8');

describe('runGate with a real k6', () => {
  it('runs a bundled scenario against the demo target, writes every result file and passes', async () => {
    const ws = await tempWorkspace();
    const scenario = await resolveScenario('http-endpoints', ws);
    const log = recordingLogger();
    const config = testConfig(ws, {
      scenarios: [scenario],
      target: target.url,
      healthUrl: `${target.url}/health`,
      htmlReport: true,
      env: { VUS: '2', DURATION: '5s', THINK_TIME: '0.05' },
    });
    const result = await runGate(config, log);

    expect(result.outcome).toBe('passed');
    expect(exitStatusFor(result)).toBe(0);
    expect(result.k6?.version).toBe('2.2.0');
    const s = result.scenarios[0];
    expect(s.exitCode).toBe(0);
    expect(s.summary?.metrics.http_reqs.values.count).toBeGreaterThan(20);
    // No baseline yet: every watched metric is new, and the report says how to create one.
    expect(s.metrics.length).toBeGreaterThanOrEqual(5);
    expect(s.metrics.every((m) => m.verdict === 'new')).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/no baseline at k6-baseline.json/);
    for (const file of [
      'summary-http-endpoints.json',
      'comparison.json',
      'report.md',
      'k6-http-endpoints.log',
      'report-http-endpoints.html',
    ]) {
      expect(existsSync(path.join(config.resultsDir, file)), file).toBe(true);
    }
    const comparison = JSON.parse(read(config.resultsDir, 'comparison.json')) as GateResult;
    expect(comparison.outcome).toBe('passed');
    expect(comparison.scenarios[0].files).toMatchObject({
      summary: 'summary-http-endpoints.json',
      log: 'k6-http-endpoints.log',
      html: 'report-http-endpoints.html',
    });
    expect(read(config.resultsDir, 'report.md')).toContain('## ✅ k6-gate: passed');
    expect(read(config.resultsDir, 'k6-http-endpoints.log')).toMatch(/http_req_duration/);
    expect(read(config.resultsDir, 'report-http-endpoints.html')).toMatch(/<html/i);
    // Progress a user can follow in the log.
    expect(log.text()).toMatch(/preflight: .*\/health answered 200/);
    expect(log.text()).toMatch(/\[1\/1\] http-endpoints \(profile smoke\) against http:\/\/127\.0\.0\.1:/);
    expect(log.text()).toMatch(/k6 finished in .*: exit 0/);
  });

  it('records a baseline, then fails the gate and names the metrics when the target slows down', async () => {
    const ws = await tempWorkspace();
    const scenario = await resolveScenario('http-endpoints', ws);
    // A 40 ms floor, then 6 × 40 ms: the target's latency only grows on a busy machine, so the first
    // run's p(95) would need ~180 ms of inflation to hide the slowdown. The thresholds are set far
    // above both, so the slow run reads as a regression rather than as crossed thresholds.
    target.setKnobs({ latencyMs: 40, jitterMs: 4 });
    try {
      const env = { VUS: '2', DURATION: '3s', THINK_TIME: '0.05', P95_MS: '5000', P99_MS: '10000' };
      const first = await runGate(
        testConfig(ws, { scenarios: [scenario], target: target.url, updateBaseline: 'always', env }),
        recordingLogger(),
      );
      expect(first.outcome).toBe('passed');
      expect(first.baselineUpdated).toBe(true);
      const baseline = JSON.parse(read(ws, 'k6-baseline.json'));
      expect(JSON.stringify(baseline)).toContain('http-endpoints@smoke');

      target.setKnobs({ slowdown: 5 });
      const second = await runGate(testConfig(ws, { scenarios: [scenario], target: target.url, env }), recordingLogger());
      expect(second.outcome).toBe('regressed');
      expect(second.failed).toBe(true);
      expect(exitStatusFor(second)).toBe(1);
      const regressed = second.scenarios[0].metrics.filter((m) => m.verdict === 'regressed').map((m) => `${m.metric} ${m.stat}`);
      expect(regressed).toContain('http_req_duration p(95)');
      const report = read(path.join(ws, 'results'), 'report.md');
      expect(report).toContain('## ❌ k6-gate: performance regressed');
      expect(report).toMatch(/\| `http_req_duration` +\| p\(95\) .*🔴 regressed/);
    } finally {
      target.setKnobs({ latencyMs: 20, jitterMs: 10, slowdown: 0 });
    }
  });

  it('reports crossed k6 thresholds as thresholds-failed, and the policy decides whether that fails the job', async () => {
    const ws = await tempWorkspace();
    const script = path.join(ws, 'strict.js');
    await writeFile(
      script,
      `import http from 'k6/http';
export const options = { vus: 1, duration: '2s', thresholds: { http_req_duration: ['p(95)<0.001'] } };
export default function () { http.get(__ENV.BASE_URL + '/health'); }
`,
    );
    const scenarios = [await resolveScenario('strict.js', ws)];
    const blocking = await runGate(testConfig(ws, { scenarios, target: target.url, profile: undefined }), recordingLogger());
    expect(blocking.scenarios[0].exitCode).toBe(99);
    expect(blocking.outcome).toBe('thresholds-failed');
    expect(blocking.thresholdsFailed).toBe(1);
    expect(blocking.scenarios[0].thresholds).toEqual([{ metric: 'http_req_duration', expression: 'p(95)<0.001', ok: false }]);
    expect(exitStatusFor(blocking)).toBe(1);

    const reportOnly = await runGate(
      testConfig(ws, { scenarios, target: target.url, profile: undefined, failOn: ['regression'] }),
      recordingLogger(),
    );
    expect(reportOnly.outcome).toBe('thresholds-failed');
    expect(reportOnly.failed).toBe(false);
    expect(exitStatusFor(reportOnly)).toBe(0);
    expect(read(path.join(ws, 'results'), 'report.md')).toContain('**not blocking** (policy)');
  });

  it('stops before k6 when the target never answers, with the reason', async () => {
    const ws = await tempWorkspace();
    const port = await closedPort();
    const log = recordingLogger();
    const result = await runGate(
      testConfig(ws, {
        scenarios: [await resolveScenario('http-endpoints', ws)],
        target: `http://127.0.0.1:${port}`,
        healthUrl: `http://127.0.0.1:${port}/health`,
        preflightTimeoutMs: 1500,
      }),
      log,
    );
    expect(result.outcome).toBe('error');
    expect(exitStatusFor(result)).toBe(2);
    expect(result.scenarios[0].error).toMatch(/did not succeed within 2 s .*connection refused/);
    expect(existsSync(path.join(ws, 'results', 'k6-http-endpoints.log'))).toBe(false);
    expect(read(path.join(ws, 'results'), 'report.md')).toContain('💥 k6-gate: the load test could not run');
  });

  it('maps a script exception (k6 exit 107) to an error with the meaning, and the report shows the exception', async () => {
    const ws = await tempWorkspace();
    await writeFile(path.join(ws, 'broken.js'), `throw new Error('the script is broken on purpose');\nexport default function () {}\n`);
    const result = await runGate(
      testConfig(ws, { scenarios: [await resolveScenario('broken.js', ws)], profile: undefined }),
      recordingLogger(),
    );
    expect(result.outcome).toBe('error');
    expect(result.scenarios[0].exitCode).toBe(107);
    expect(result.scenarios[0].error).toMatch(/k6 exit 107: the script threw an exception/);
    expect(read(path.join(ws, 'results'), 'k6-broken.log')).toContain('the script is broken on purpose');
    expect(result.scenarios[0].exception).toMatch(/^Error: the script is broken on purpose\n\tat .*broken\.js:1:/);
    const report = read(path.join(ws, 'results'), 'report.md');
    expect(report).toContain(
      '**Error:** k6 exit 107: the script threw an exception; k6 wrote no summary (summary-broken.json). The script threw `Error: the script is broken on purpose`. An error fails the job',
    );
    expect(report).toMatch(/The script threw:\n\n```text\nError: the script is broken on purpose\n\tat /);
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
