// The metrics-output input: parsing and its messages, the k6 arguments and variables it becomes, the
// verdict series, and InfluxDB / OpenTelemetry / JSON passthrough with a real k6 against local fakes.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../demo/target.js';
import type { MetricComparison } from '../../src/model.js';
import {
  gateSeries,
  metricsOutputArgs,
  metricsOutputEnv,
  parseMetricsOutput,
  remoteWriteHeaders,
} from '../../src/observability/metrics-output.js';
import { gateResult, printedResult, runArgs, scenarioResult } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { tempWorkspace } from '../helpers/gate.js';
import { testK6Path } from '../helpers/k6.js';

describe('parseMetricsOutput', () => {
  it('reads KIND=TARGET pairs, comma or newline separated', () => {
    expect(parseMetricsOutput('prometheus=http://p:9090/api/v1/write,\n json=out/samples.json ')).toEqual([
      { kind: 'prometheus', target: 'http://p:9090/api/v1/write' },
      { kind: 'json', target: 'out/samples.json' },
    ]);
    expect(parseMetricsOutput('')).toEqual([]);
    expect(parseMetricsOutput(undefined)).toEqual([]);
  });
});

describe('bad metrics-output is exit 2 with what was wrong and what was expected, before anything runs', () => {
  it.each([
    [
      ['statsd=udp://x:8125'],
      /metrics-output "statsd=udp:\/\/x:8125": unknown output "statsd"; expected one of prometheus, prometheus-native, influxdb, otlp, json/,
    ],
    [['prometheus'], /metrics-output "prometheus" has no target; expected prometheus=URL/],
    [['prometheus=prom:9090'], /metrics-output prometheus URL uses prom:; expected http:\/\/ or https:\/\//],
    [['influxdb=not a url'], /metrics-output influxdb target "not a url" is not a URL/],
    [['prometheus=http://a/w', 'prometheus=http://b/w'], /metrics-output names prometheus twice/],
    [
      ['prometheus=http://a/w', 'prometheus-native=http://c/w'],
      /metrics-output names prometheus twice; .*prometheus-native is a prometheus output/,
    ],
    [
      ['prometheus=https://gate:hunter2-secret@prom.example.com/api/v1/write'],
      /metrics-output prometheus URL carries credentials; expected a URL without user:password and the credentials in secret-env variables \(K6_PROMETHEUS_RW_USERNAME and K6_PROMETHEUS_RW_PASSWORD/,
    ],
    [
      ['promethus=https://gate:hunter2-secret@prom.example.com/w'],
      /metrics-output "promethus=https:\/\/gate:\*\*\*@prom.example.com\/w": unknown output "promethus"/,
    ],
    [['otlp=http//gate:hunter2-secret@collector'], /metrics-output otlp target "http\/\/gate:\*\*\*@collector" is not a URL/],
    [['json=../../outside.json'], /metrics-output json "..\/..\/outside.json" resolves to .*, outside the workspace/],
  ])('%j', async (outputs, message) => {
    const ws = await tempWorkspace();
    const argv = ['run', 'http-endpoints', '--k6-path', testK6Path(), ...outputs.flatMap((o) => ['--metrics-output', o])];
    const result = await runCli(argv, ws);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/); // a message, not a stack
    expect(result.stderr).not.toContain('hunter2-secret');
  });
});

describe('what k6 is given', () => {
  const labels = { testid: 'T1', gate_scenario: 'checkout', profile: 'smoke', environment: '', commit: 'abc', shard: '2/3' };

  it('one --out per output and one --tag per non-empty label', () => {
    expect(
      metricsOutputArgs(
        parseMetricsOutput('prometheus=http://p/api/v1/write, influxdb=http://i:8086/k6, otlp=grpc://o:4317, json=/w/s.json'),
        labels,
      ),
    ).toEqual([
      '--out',
      'experimental-prometheus-rw',
      '--out',
      'influxdb=http://i:8086/k6',
      '--out',
      'opentelemetry',
      '--out',
      'json=/w/s.json',
      '--tag',
      'testid=T1',
      '--tag',
      'gate_scenario=checkout',
      '--tag',
      'profile=smoke',
      '--tag',
      'commit=abc',
      '--tag',
      'shard=2/3',
    ]);
    expect(metricsOutputArgs([], labels)).toEqual([]);
  });

  it("k6's variables for remote write (trend stats, push interval) and for OTLP over HTTP or gRPC", () => {
    expect(metricsOutputEnv(parseMetricsOutput('prometheus=https://p/api/v1/write'), '2.2.0')).toEqual({
      K6_PROMETHEUS_RW_SERVER_URL: 'https://p/api/v1/write',
      K6_PROMETHEUS_RW_TREND_STATS: 'p(90),p(95),p(99),avg,max,count,sum',
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
    });
    expect(metricsOutputEnv(parseMetricsOutput('otlp=http://collector:4318'), '2.2.0')).toEqual({
      K6_OTEL_EXPORTER_PROTOCOL: 'http/protobuf',
      K6_OTEL_HTTP_EXPORTER_ENDPOINT: 'collector:4318',
      K6_OTEL_HTTP_EXPORTER_INSECURE: 'true',
      K6_OTEL_METRIC_PREFIX: 'k6_',
    });
    expect(metricsOutputEnv(parseMetricsOutput('otlp=https://collector/otlp/v1/metrics'), '2.2.0')).toMatchObject({
      K6_OTEL_HTTP_EXPORTER_INSECURE: 'false',
      K6_OTEL_HTTP_EXPORTER_URL_PATH: '/otlp/v1/metrics',
    });
    expect(metricsOutputEnv(parseMetricsOutput('otlp=grpc://collector:4317'), '2.2.0')).toEqual({
      K6_OTEL_EXPORTER_PROTOCOL: 'grpc',
      K6_OTEL_GRPC_EXPORTER_ENDPOINT: 'collector:4317',
      K6_OTEL_METRIC_PREFIX: 'k6_',
    });
  });

  it("prometheus-native: Trends as native histograms, through K6_FEATURES on k6 2 (merged with the user's) and the variable on k6 1", () => {
    const native = parseMetricsOutput('prometheus-native=http://p/api/v1/write');
    expect(native).toEqual([{ kind: 'prometheus', target: 'http://p/api/v1/write', nativeHistograms: true }]);
    expect(metricsOutputEnv(native, '2.2.0')).toEqual({
      K6_PROMETHEUS_RW_SERVER_URL: 'http://p/api/v1/write',
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
      K6_FEATURES: 'native-histograms',
    });
    expect(metricsOutputEnv(native, '2.2.0', { K6_FEATURES: 'other-flag' }).K6_FEATURES).toBe('other-flag,native-histograms');
    expect(metricsOutputEnv(native, '1.8.1')).toMatchObject({ K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true' });
    expect(metricsOutputEnv(native, '1.8.1')).not.toHaveProperty('K6_FEATURES');
  });

  it("the user's own env wins over k6-gate's choices", () => {
    const env = metricsOutputEnv(parseMetricsOutput('prometheus=http://p/w'), '2.2.0', { K6_PROMETHEUS_RW_PUSH_INTERVAL: '10s', VUS: '2' });
    expect(env).toMatchObject({ K6_PROMETHEUS_RW_PUSH_INTERVAL: '10s', VUS: '2', K6_PROMETHEUS_RW_SERVER_URL: 'http://p/w' });
  });

  it("k6-gate's own push authenticates like k6's remote-write output: bearer token first, else basic; extra headers", () => {
    expect(remoteWriteHeaders({})).toEqual({});
    expect(remoteWriteHeaders({ K6_PROMETHEUS_RW_USERNAME: 'u', K6_PROMETHEUS_RW_PASSWORD: 'p' })).toEqual({
      Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    expect(remoteWriteHeaders({ K6_PROMETHEUS_RW_BEARER_TOKEN: 't', K6_PROMETHEUS_RW_PASSWORD: 'p' })).toEqual({
      Authorization: 'Bearer t',
    });
    expect(
      remoteWriteHeaders({ K6_PROMETHEUS_RW_HEADERS_X_Scope_OrgID: 'team-a', K6_PROMETHEUS_RW_HTTP_HEADERS: 'X-Tenant:b,bad' }),
    ).toEqual({
      X_Scope_OrgID: 'team-a',
      'X-Tenant': 'b',
    });
  });
});

describe('gateSeries', () => {
  const row = (over: Partial<MetricComparison>): MetricComparison => ({
    metric: 'http_req_duration',
    stat: 'p(95)',
    unit: 'ms',
    direction: 'lower-is-better',
    verdict: 'unchanged',
    method: 'tolerance',
    samples: 3,
    tolerance: 0.1,
    note: '',
    ...over,
  });
  const result = gateResult({
    outcome: 'regressed',
    failed: true,
    regressions: 1,
    thresholdsFailed: 0,
    scenarios: [
      scenarioResult({
        scenario: 'checkout',
        outcome: 'regressed',
        metrics: [
          row({ baseline: 100, current: 130, band: { low: 90, high: 115 }, verdict: 'regressed' }),
          row({
            metric: 'checks',
            stat: 'rate',
            unit: 'ratio',
            direction: 'higher-is-better',
            baseline: 1,
            current: 0.99,
            band: { low: 0.98, high: 1 },
          }),
          row({ metric: 'iterations', stat: 'rate', verdict: 'new', current: 12 }),
        ],
      }),
    ],
  });
  const series = gateSeries(result, { testid: 'T', environment: 'prod', commit: '', ref: 'main' }, 1000);
  const find = (name: string, metric?: string) =>
    series.filter((s) => s.labels.__name__ === name && (metric === undefined || s.labels.metric === metric)).map((s) => s.samples[0].value);

  it('the gate, each scenario, and current / accepted / limit / regressed per watched metric, labelled with the run', () => {
    expect(find('k6gate_gate_failed')).toEqual([1]);
    expect(series.find((s) => s.labels.__name__ === 'k6gate_gate_outcome')!.labels).toEqual({
      __name__: 'k6gate_gate_outcome',
      outcome: 'regressed',
      testid: 'T',
      environment: 'prod',
      ref: 'main',
    });
    expect(series.find((s) => s.labels.__name__ === 'k6gate_scenario_outcome')!.labels).toMatchObject({
      gate_scenario: 'checkout',
      outcome: 'regressed',
    });
    expect(find('k6gate_metric_current', 'http_req_duration')).toEqual([130]);
    expect(find('k6gate_metric_accepted', 'http_req_duration')).toEqual([100]);
    expect(find('k6gate_metric_regressed', 'http_req_duration')).toEqual([1]);
    expect(series.every((s) => s.samples[0].timestampMs === 1000)).toBe(true);
  });

  it('the limit is the upper edge for lower-is-better metrics and the lower edge for higher-is-better ones', () => {
    expect(find('k6gate_metric_limit', 'http_req_duration')).toEqual([115]);
    expect(find('k6gate_metric_limit', 'checks')).toEqual([0.98]);
  });

  it('a new metric has a current value but no accepted value or limit', () => {
    expect(find('k6gate_metric_current', 'iterations')).toEqual([12]);
    expect(find('k6gate_metric_accepted', 'iterations')).toEqual([]);
    expect(find('k6gate_metric_limit', 'iterations')).toEqual([]);
  });
});

describe('InfluxDB, OpenTelemetry and JSON passthrough with a real k6', () => {
  let target: DemoTarget;
  const received: { path: string; contentType?: string; body: Buffer }[] = [];
  let fake: http.Server;
  let fakeUrl = '';
  beforeAll(async () => {
    target = await startDemoTarget({ port: 0, latencyMs: 2, jitterMs: 1, seed: 5 });
    // One local receiver for both: InfluxDB 1.x (/query, /write) and OTLP/HTTP (/v1/metrics).
    fake = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
        if (req.url?.startsWith('/query'))
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"results":[{"statement_id":0}]}');
        else if (req.url?.startsWith('/write')) res.writeHead(204).end();
        else res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await target.close();
    await new Promise((r) => fake.close(r));
  });

  it('the CLI streams to InfluxDB and an OTLP collector and writes the JSON file, each sample tagged with the run', async () => {
    const ws = await tempWorkspace();
    const result = await runCli(
      runArgs(
        'http-endpoints',
        { k6: testK6Path(), target: target.url, profile: 'smoke', environment: 'ci', env: { VUS: '1', DURATION: '1s' }, json: true },
        ...['--metrics-output', `influxdb=${fakeUrl}/k6db, otlp=${fakeUrl}`, '--metrics-output', 'json=samples.json.gz'],
      ),
      ws,
    );
    expect(result.status, result.stderr).toBe(0);
    const comparison = printedResult(result);
    const testid = comparison.testId!;
    expect(testid).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);

    const influx = received
      .filter((r) => r.path.startsWith('/write'))
      .map((r) => r.body.toString())
      .join('\n');
    expect(received.some((r) => r.path.includes('db=k6db'))).toBe(true);
    expect(influx).toMatch(new RegExp(`^http_reqs,.*testid=${testid}`, 'm'));
    expect(influx).toMatch(/gate_scenario=http-endpoints/);

    const otlp = received.filter((r) => r.path === '/v1/metrics');
    expect(otlp.length).toBeGreaterThan(0);
    expect(otlp[0].contentType).toBe('application/x-protobuf');
    const otlpBytes = Buffer.concat(otlp.map((r) => r.body)).toString('latin1');
    expect(otlpBytes).toContain('k6_http_reqs');
    expect(otlpBytes).toContain(testid);

    const samples = gunzipSync(readFileSync(path.join(ws, 'samples.json.gz')))
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const request = samples.find((s) => s.type === 'Point' && s.metric === 'http_reqs');
    expect(request.data.tags).toMatchObject({ testid, gate_scenario: 'http-endpoints', profile: 'smoke', environment: 'ci' });
  }, 60_000);
});
