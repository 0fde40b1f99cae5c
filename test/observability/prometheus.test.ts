// metrics-output against a REAL Prometheus (remote-write receiver on): k6's own series and k6-gate's
// verdict series arrive labelled with the run, the shipped Grafana dashboard queries only series that
// exist, and a receiver that is down or answers 500 changes nothing but a warning.
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import { pushGateSeries } from '../../src/observability/push.js';
import { exitStatusFor, runGate } from '../../src/gate/gate.js';
import { resolveScenario } from '../../src/scenarios.js';
import { recordingLogger, tempWorkspace, testConfig } from '../helpers/gate.js';
import { gateResult, printedResult, runArgs } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { testK6Path, testK6V1Path } from '../helpers/k6.js';
import { freePort, startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';

const SECRET = 'rw-pass-7Qz!k2';
const ROOT = path.resolve(import.meta.dirname, '../..');

let prometheus: TestPrometheus;
let target: DemoTarget;
beforeAll(async () => {
  [prometheus, target] = await Promise.all([startPrometheus(), startDemoTarget({ port: 0, latencyMs: 5, jitterMs: 2, seed: 3 })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([prometheus?.close(), target?.close()]);
});

/** Every file the gate wrote, as text (binary files are read as latin1 so any byte sequence is searched). */
function allFilesText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'latin1'))
    .join('\n');
}

let testId = '';
let nativeTestId = '';

describe('metrics-output prometheus against a real Prometheus', () => {
  it("streams k6's request series and pushes k6-gate's verdict series, every series labelled with the run", async () => {
    const ws = await tempWorkspace();
    const scenario = await resolveScenario('http-endpoints', ws);
    const over = {
      scenarios: [scenario],
      target: target.url,
      env: { VUS: '1', DURATION: '2s', THINK_TIME: '0.02' },
      metricsOutputs: [{ kind: 'prometheus' as const, target: prometheus.writeUrl }],
      // The same baseline key as the CLI run below (scenario@profile@environment).
      profile: 'smoke',
      environment: 'staging',
    };
    // First run records the baseline, so the second has accepted values and limits to push.
    const first = await runGate(testConfig(ws, { ...over, updateBaseline: 'always' }), recordingLogger());
    expect(first.baselineUpdated).toBe(true);

    // The second run as a user starts it: the CLI, credentials named with --secret-env.
    const cli = await runCli(
      runArgs(
        'http-endpoints',
        {
          k6: testK6Path(),
          target: target.url,
          profile: 'smoke',
          environment: 'staging',
          // A noisy machine may call this run a regression against the first: only errors fail it here.
          failOn: 'none',
          env: { VUS: '1', DURATION: '2s', THINK_TIME: '0.02' },
          json: true,
        },
        ...['--metrics-output', `prometheus=${prometheus.writeUrl}`],
        ...['--secret-env', 'K6_PROMETHEUS_RW_USERNAME', '--secret-env', 'K6_PROMETHEUS_RW_PASSWORD'],
      ),
      ws,
      { GIT_COMMIT: '0123abc', GIT_BRANCH: 'refs/heads/main', K6_PROMETHEUS_RW_USERNAME: 'gate', K6_PROMETHEUS_RW_PASSWORD: SECRET },
    );
    expect(cli.status, cli.stderr).toBe(0);
    const gated = printedResult(cli);
    const resultsDir = path.join(ws, 'k6-gate-results');
    testId = gated.testId!;
    expect(testId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(testId).not.toBe(first.testId);
    expect(cli.stderr).toContain(`pushed`);

    // k6's request series, with the run's labels.
    const requests = await prometheus.series(`k6_http_reqs_total{testid="${testId}"}`);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]).toMatchObject({
      gate_scenario: 'http-endpoints',
      profile: 'smoke',
      environment: 'staging',
      commit: '0123abc',
      ref: 'refs/heads/main',
    });
    expect(requests.map((s) => s.name)).toContain('list products');
    expect(await prometheus.series(`k6_http_req_duration_p95{testid="${testId}"}`)).not.toEqual([]);

    // k6-gate's own series: outcome, and per watched metric current / accepted / limit.
    const outcome = await prometheus.series(`k6gate_gate_outcome{testid="${testId}"}`);
    expect(outcome).toEqual([expect.objectContaining({ outcome: gated.outcome, environment: 'staging', commit: '0123abc' })]);
    const row = gated.scenarios[0].metrics.find((m) => m.metric === 'http_req_duration' && m.stat === 'p(95)')!;
    const selector = `{testid="${testId}", gate_scenario="http-endpoints", metric="http_req_duration", stat="p(95)"}`;
    const value = async (name: string) => Number((await prometheus.query(name + selector))[0]?.value[1]);
    expect(await value('k6gate_metric_current')).toBeCloseTo(row.current!, 6);
    expect(await value('k6gate_metric_accepted')).toBeCloseTo(row.baseline!, 6);
    expect(await value('k6gate_metric_limit')).toBeCloseTo(row.band!.high, 6);
    expect(await value('k6gate_metric_regressed')).toBe(row.verdict === 'regressed' ? 1 : 0);
    expect(await value('k6gate_gate_failed')).toBeNaN(); // gate-level series carry no metric labels
    expect(Number((await prometheus.query(`k6gate_gate_failed{testid="${testId}"}`))[0].value[1])).toBe(gated.failed ? 1 : 0);

    // The remote-write password never shows: not on stdout/stderr, not in any file of the results dir.
    const basic = Buffer.from(`gate:${SECRET}`).toString('base64');
    for (const text of [cli.stdout, cli.stderr, allFilesText(resultsDir)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(basic);
    }
  }, 90_000);

  it('prometheus-native: k6 sends Trends as native histograms whose percentiles aggregate with histogram_quantile', async () => {
    const ws = await tempWorkspace();
    const result = await runGate(
      testConfig(ws, {
        scenarios: [await resolveScenario('http-endpoints', ws)],
        target: target.url,
        environment: 'staging',
        env: { VUS: '1', DURATION: '2s', THINK_TIME: '0.02' },
        metricsOutputs: [{ kind: 'prometheus', target: prometheus.writeUrl, nativeHistograms: true }],
      }),
      recordingLogger(),
    );
    expect(result.outcome).not.toBe('error');
    nativeTestId = result.testId!;
    expect(await prometheus.series(`k6_http_req_duration_seconds{testid="${nativeTestId}"}`)).not.toEqual([]);
    expect(await prometheus.series(`k6_http_req_duration_p95{testid="${nativeTestId}"}`)).toEqual([]);
    const p95 = await prometheus.query(
      `histogram_quantile(0.95, sum by (name) (rate(k6_http_req_duration_seconds{testid="${nativeTestId}"}[5m])))`,
    );
    expect(p95.map((r) => r.metric.name)).toContain('list products');
    // Seconds, as the demo target answers in a few ms.
    expect(Number(p95[0].value[1])).toBeGreaterThan(0);
    expect(Number(p95[0].value[1])).toBeLessThan(1);
  }, 60_000);

  it('every panel, variable and annotation of dashboards/k6-gate.json queries series the run produced', async () => {
    expect(testId, 'the streaming test ran first').not.toBe('');
    expect(nativeTestId, 'the native-histogram test ran first').not.toBe('');
    // The dashboard serves both kinds of runs: fixed trend stats and native histograms.
    const runs = `${testId}|${nativeTestId}`;
    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'dashboards/k6-gate.json'), 'utf8'));
    // The dashboard JSON model's required shape (what Grafana's import checks).
    expect(dashboard).toMatchObject({ title: expect.any(String), uid: expect.any(String), schemaVersion: expect.any(Number) });
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(6);
    const ids = new Set<number>();
    const queries: { where: string; expr: string }[] = [];
    for (const panel of dashboard.panels) {
      expect(panel, `panel ${panel.title}`).toMatchObject({ id: expect.any(Number), type: expect.any(String), title: expect.any(String) });
      expect(panel.gridPos).toMatchObject({ x: expect.any(Number), y: expect.any(Number), w: expect.any(Number), h: expect.any(Number) });
      expect(ids.has(panel.id), `duplicate panel id ${panel.id}`).toBe(false);
      ids.add(panel.id);
      if (panel.type === 'row' || panel.type === 'text') continue;
      expect(panel.targets.length, `panel ${panel.title} has queries`).toBeGreaterThan(0);
      for (const t of panel.targets) queries.push({ where: `panel ${JSON.stringify(panel.title)} ${t.refId}`, expr: t.expr });
    }
    for (const v of dashboard.templating.list.filter((v: { type: string }) => v.type === 'query'))
      queries.push({ where: `variable ${v.name}`, expr: typeof v.query === 'string' ? v.query : v.query.query });
    for (const a of dashboard.annotations.list.filter((a: { expr?: string }) => a.expr))
      queries.push({ where: `annotation ${a.name}`, expr: a.expr });
    const titles = dashboard.panels.map((p: { title: string }) => p.title.toLowerCase()).join('\n');
    for (const wanted of ['request rate', 'p95', 'p99', 'failure', 'checks', 'limit', 'verdict']) expect(titles).toContain(wanted);
    expect(dashboard.templating.list.map((v: { name: string }) => v.name)).toContain('testid');

    for (const { where, expr } of queries) {
      const names = [...new Set(expr.match(/\bk6(?:gate)?_[a-z0-9_]+\b/g) ?? [])];
      expect(names.length, `${where} names a k6 or k6-gate series: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        const found = await prometheus.series(`${name}{testid=~"${runs}"}`);
        expect(found.length, `${where}: ${name} has no series for the runs ${runs}`).toBeGreaterThan(0);
      }
      // The query itself is valid PromQL and returns data once Grafana's variables are filled in.
      if (!expr.startsWith('label_values(')) {
        const promql = expr
          .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
          .replace(/\$\{?testid\}?/g, runs)
          .replace(/\$\{?environment\}?/g, 'staging')
          .replace(/\$\{?gate_scenario\}?/g, 'http-endpoints');
        expect((await prometheus.query(promql)).length, `${where} returns data: ${promql}`).toBeGreaterThan(0);
      }
    }
  }, 60_000);
});

describe('k6 v1 (1.8.1)', () => {
  it('streams to Prometheus with the same output, variables and labels', async () => {
    const ws = await tempWorkspace();
    const config = testConfig(ws, {
      scenarios: [await resolveScenario('http-endpoints', ws)],
      target: target.url,
      k6: { version: '1.8.1', install: 'path', path: testK6V1Path() },
      env: { VUS: '1', DURATION: '1s', THINK_TIME: '0.02' },
      metricsOutputs: [{ kind: 'prometheus', target: prometheus.writeUrl }],
    });
    const result = await runGate(config, recordingLogger());
    expect(result.k6?.version).toBe('1.8.1');
    const series = await prometheus.series(`k6_http_req_duration_p99{testid="${result.testId}"}`);
    expect(series.length).toBeGreaterThan(0);
    expect(series[0]).toMatchObject({ gate_scenario: 'http-endpoints', profile: 'smoke' });
    expect(await prometheus.series(`k6gate_gate_outcome{testid="${result.testId}"}`)).toHaveLength(1);
  }, 60_000);
});

describe('a metrics endpoint that is down or failing', () => {
  it("a push answered with 500 is a warning; the verdict, exit status and files are the gate's own, and no credential is echoed", async () => {
    let pushes = 0;
    const seen: { agent?: string; authorization?: string }[] = [];
    const failing = http.createServer((req, res) => {
      pushes++;
      seen.push({ agent: req.headers['user-agent'], authorization: req.headers.authorization });
      req.resume();
      // A receiver that echoes the request's credentials back in its error must not leak them.
      res.writeHead(500).end(`internal error for ${req.headers.authorization}`);
    });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(failing.address() as { port: number }).port}/api/v1/write`;
      const ws = await tempWorkspace();
      const log = recordingLogger();
      const config = testConfig(ws, {
        scenarios: [await resolveScenario('http-endpoints', ws)],
        target: target.url,
        env: { VUS: '1', DURATION: '1s', THINK_TIME: '0.02', K6_PROMETHEUS_RW_USERNAME: 'gate', K6_PROMETHEUS_RW_PASSWORD: SECRET },
        secrets: [SECRET],
        metricsOutputs: [{ kind: 'prometheus', target: url }],
      });
      const result = await runGate(config, log);
      expect(pushes).toBeGreaterThan(0);
      // Both k6's remote write and k6-gate's push authenticated with the secret-env credentials.
      const basic = `Basic ${Buffer.from(`gate:${SECRET}`).toString('base64')}`;
      expect(seen.filter((s) => s.agent?.startsWith('k6-gate/')).map((s) => s.authorization)).toEqual([basic]);
      expect(seen.some((s) => !s.agent?.startsWith('k6-gate/') && s.authorization === basic)).toBe(true);
      expect(result.outcome).toBe('passed');
      expect(exitStatusFor(result)).toBe(0);
      expect(log.text()).toMatch(/warning: k6-gate: could not push the verdict series to .* \(HTTP 500: internal error for Basic \*\*\*\)/);
      // The files are exactly the verdict: nothing about the push was added or changed.
      expect(JSON.parse(readFileSync(path.join(config.resultsDir, 'comparison.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(result)));
      expect(result.warnings.join('\n')).not.toMatch(/push/);
      // comparison.json with its testId is still what schemas/comparison.schema.json describes.
      const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/comparison.schema.json'), 'utf8'));
      const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
      expect(result.testId).toBeDefined();
      expect(
        validate(JSON.parse(readFileSync(path.join(config.resultsDir, 'comparison.json'), 'utf8'))),
        JSON.stringify(validate.errors),
      ).toBe(true);
      expect(log.text()).not.toContain(SECRET);
      expect(log.text()).not.toContain(Buffer.from(`gate:${SECRET}`).toString('base64'));
    } finally {
      await new Promise((r) => failing.close(r));
    }
  }, 60_000);

  it('a receiver that cannot be reached is a warning and returns within the time limit', async () => {
    const port = await freePort(); // nothing listens there any more
    const ws = await tempWorkspace();
    const log = recordingLogger();
    const config = testConfig(ws, { metricsOutputs: [{ kind: 'prometheus', target: `http://127.0.0.1:${port}/api/v1/write` }] });
    const result = gateResult({ failOn: [], scenarios: [], testId: 'down-1' });
    const before = JSON.stringify(result);
    expect(await pushGateSeries(config, result, log, 3000)).toBe(false);
    expect(log.text()).toMatch(
      /warning: k6-gate: could not push the verdict series to http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write \(.*ECONNREFUSED.*\)/,
    );
    expect(JSON.stringify(result)).toBe(before);
  });
});
