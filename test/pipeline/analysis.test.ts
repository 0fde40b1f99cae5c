// Live sample analysis inside the gate, with a real k6: what comparison.json and report.md show.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import type { GateResult } from '../../src/model.js';
import { runGate } from '../../src/gate/gate.js';
import { resolveScenario } from '../../src/scenarios.js';
import { configFromInputs } from '../../src/inputs.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';

let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget({
    port: 0,
    latencyMs: 5,
    jitterMs: 5,
    seed: 3,
    endpointFault: { path: '/api/orders', slowdown: 4, errorRate: 0.3 },
  });
});
afterAll(async () => {
  await target.close();
});

describe('live sample analysis in the gate', () => {
  it('puts the per-endpoint table and the error mix into comparison.json and report.md, and leaves no live file behind', async () => {
    const ws = await tempWorkspace();
    const config = testConfig(ws, {
      scenarios: [await resolveScenario('http-endpoints', ws)],
      target: target.url,
      env: { VUS: '2', DURATION: '2s', THINK_TIME: '0.01' },
    });
    const log = recordingLogger();
    const result = await runGate(config, log);
    const comparison = JSON.parse(readFileSync(path.join(config.resultsDir, 'comparison.json'), 'utf8')) as GateResult;
    const schema = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../schemas/comparison.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(comparison), JSON.stringify(validate.errors)).toBe(true);
    const analysis = comparison.scenarios[0].analysis!;
    expect(analysis.endpoints[0]).toMatchObject({ endpoint: 'POST create order' });
    expect(analysis.endpoints[0].failed).toBeGreaterThan(0);
    expect(analysis.endpoints.map((e) => e.endpoint)).toEqual(expect.arrayContaining(['GET get product', 'GET list products']));
    const requests = analysis.endpoints.reduce((s, e) => s + e.requests, 0);
    expect(requests).toBe(result.scenarios[0].summary!.metrics.http_reqs.values.count);
    expect(analysis.errors[0]).toMatchObject({ endpoint: 'POST create order', status: '503' });
    expect(analysis.loadGenerator).toMatchObject({ droppedIterations: 0 });
    expect(analysis.loadGenerator!.k6CpuAvgCores).toBeGreaterThan(0);
    const report = readFileSync(path.join(config.resultsDir, 'report.md'), 'utf8');
    expect(report).toMatch(/<details><summary>Per-endpoint breakdown/);
    expect(report).toMatch(/\| `POST create order` +\| 503 +\|/);
    // The default source: k6 aggregates and pushes to k6-gate's receiver; no JSON file at all.
    expect(log.text()).toMatch(/live analysis read [\d,]+ samples from k6's remote-write pushes \(\d+ KiB\)/);
    expect(log.text()).toMatch(/\$ k6 run .*--out experimental-prometheus-rw/);
    expect(log.text()).not.toMatch(/--out json=/);
    // Failed checks by name, with counts from k6's summary.
    expect(analysis.failedChecks).toEqual([
      expect.objectContaining({
        name: 'the endpoint answers with the expected status',
        fails: analysis.errors.reduce((n, e) => n + e.count, 0),
      }),
    ]);
    expect(readdirSync(config.resultsDir).filter((f) => f.startsWith('.k6-live'))).toEqual([]);
  });

  it("follows k6's JSON output instead when the user's Prometheus holds k6's remote-write output, and both get the run", async () => {
    let pushes = 0;
    const prometheus = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        pushes++;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    try {
      const ws = await tempWorkspace();
      const config = testConfig(ws, {
        scenarios: [await resolveScenario('http-endpoints', ws)],
        target: target.url,
        env: { VUS: '2', DURATION: '2s', THINK_TIME: '0.01' },
        metricsOutputs: [{ kind: 'prometheus', target: `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}/api/v1/write` }],
      });
      const log = recordingLogger();
      const result = await runGate(config, log);
      expect(log.text()).toContain("live analysis follows k6's JSON output (metrics-output sends to Prometheus");
      expect(log.text()).toMatch(/live analysis read [\d,]+ samples \([\d.]+ MiB\)/);
      const analysis = result.scenarios[0].analysis!;
      expect(analysis.errors[0]).toMatchObject({ endpoint: 'POST create order', status: '503' });
      expect(analysis.endpoints.reduce((s, e) => s + e.requests, 0)).toBe(result.scenarios[0].summary!.metrics.http_reqs.values.count);
      expect(pushes).toBeGreaterThan(0);
      expect(readdirSync(config.resultsDir).filter((f) => f.startsWith('.k6-live'))).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => prometheus.close(() => resolve()));
    }
  });

  it('the baseline keeps the top endpoints; a slowed endpoint then leads the table with its change against the baseline', async () => {
    const healthy = await startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 5, seed: 4 });
    try {
      const ws = await tempWorkspace();
      const scenarios = [await resolveScenario('http-endpoints', ws)];
      const env = { VUS: '2', DURATION: '2s', THINK_TIME: '0.01' };
      await runGate(testConfig(ws, { scenarios, target: healthy.url, env, updateBaseline: 'always', failOn: [] }), recordingLogger());
      const baseline = JSON.parse(readFileSync(path.join(ws, 'k6-baseline.json'), 'utf8'));
      const key = Object.keys(baseline.scenarios)[0];
      expect(Object.keys(baseline.scenarios[key].endpoints)).toEqual(
        expect.arrayContaining(['GET get product', 'GET list products', 'POST create order']),
      );
      expect(baseline.scenarios[key].trend.runs).toHaveLength(1);
      const result = await runGate(testConfig(ws, { scenarios, target: target.url, env }), recordingLogger());
      const lead = result.scenarios[0].analysis!.endpoints[0];
      expect(lead.endpoint).toBe('POST create order');
      expect(lead.p95Change).toBeGreaterThan(1);
      expect(readFileSync(path.join(ws, 'results', 'report.md'), 'utf8')).toMatch(
        /\| `POST create order` +\| +\d+ \| +\d+ \([\d.]+%\) \| +[\d.]+ ms \| +\+\d+\.\d% \|/,
      );
      expect(result.scenarios[0].trend?.find((t) => t.metric === 'http_req_duration' && t.stat === 'p(95)')?.values).toHaveLength(2);
      expect(readFileSync(path.join(ws, 'results', 'report.md'), 'utf8')).toMatch(
        /^\| `http_req_duration` +\| p\(95\) +\|.*\| [▁▂▃▄▅▆▇█]{2} \(1 run \+ this\) +\|$/m,
      );
    } finally {
      await healthy.close();
    }
  });

  it('analysis off: no breakdown, and k6 gets no second output', async () => {
    const ws = await tempWorkspace();
    const config = testConfig(ws, {
      scenarios: [await resolveScenario('http-endpoints', ws)],
      target: target.url,
      env: { VUS: '1', DURATION: '1s', THINK_TIME: '0.05' },
      analysis: { enabled: false, top: 10 },
    });
    const log = recordingLogger();
    const result = await runGate(config, log);
    expect(result.scenarios[0].analysis).toBeUndefined();
    expect(log.text()).not.toMatch(/--out json=|experimental-prometheus-rw/);
  });

  it('warns that the load generator is not trustworthy when k6 is starved of CPU', async () => {
    const ws = await tempWorkspace();
    const script = path.join(ws, 'busy.js');
    // A CPU-bound script on one Go thread, while another process spins on the same machine.
    await writeFile(
      script,
      'export const options = { vus: 2, duration: "2s" };\nexport default function () { let x = 0; for (let i = 0; i < 2e6; i++) x += i; }\n',
    );
    const hogs = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    try {
      const config = testConfig(ws, { scenarios: [{ name: 'busy', script }], env: { GOMAXPROCS: '1' } });
      const log = recordingLogger();
      const result = await runGate(config, log);
      const health = result.scenarios[0].analysis!.loadGenerator!;
      expect(health.warnings.join('\n')).toMatch(/load generator was saturated|CPU was contended/);
      expect(log.text()).toMatch(/k6-gate: busy: .*(load generator was saturated|CPU was contended)/);
      expect(readFileSync(path.join(config.resultsDir, 'report.md'), 'utf8')).toContain(
        '**⚠️ Load generator:** the numbers may not be trustworthy',
      );
    } finally {
      for (const hog of hogs) hog.kill('SIGKILL');
    }
  });

  it('endpoints-top must be a whole number from 1 to 100', async () => {
    const ws = await tempWorkspace();
    const read = (top: string) =>
      configFromInputs((name) => ({ scenarios: 'http-endpoints', 'endpoints-top': top })[name], { workspace: ws, env: {} });
    await expect(read('0')).rejects.toThrow('endpoints-top "0" is not valid; expected a whole number of endpoints from 1 to 100, e.g. 10');
    expect((await read('3')).analysis).toEqual({ enabled: true, top: 3 });
  });

  it('warns when the executor model differs from the baseline (closed VUs recorded, open arrival-rate now)', async () => {
    const ws = await tempWorkspace();
    const script = path.join(ws, 'load.js');
    const write = (options: string) =>
      writeFile(
        script,
        `import http from 'k6/http';\nexport const options = ${options};\nexport default function () { http.get('${target.url}/api/products'); }\n`,
      );
    await write(`{ vus: 1, duration: '1s' }`);
    const scenarios = [{ name: 'load', script }];
    await runGate(testConfig(ws, { scenarios, env: {}, updateBaseline: 'always', failOn: [] }), recordingLogger());
    expect(JSON.parse(readFileSync(path.join(ws, 'k6-baseline.json'), 'utf8')).scenarios['load@smoke'].executorModel).toBe('closed');
    await write(
      `{ scenarios: { open: { executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2 } } }`,
    );
    const log = recordingLogger();
    const result = await runGate(testConfig(ws, { scenarios, env: {}, failOn: [] }), log);
    expect(result.scenarios[0].executorModel).toBe('open');
    expect(result.scenarios[0].analysis!.loadGenerator!.warnings.join('\n')).toMatch(
      /this run's executor model is open \(arrival-rate\) but the baseline was recorded with closed \(VU-based\): latencies and rates of the two are not comparable/,
    );
  });
});
