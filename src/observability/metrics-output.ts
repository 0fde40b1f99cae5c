// The `metrics-output` input: where k6 streams its samples while the gate runs (Prometheus remote
// write, InfluxDB, OpenTelemetry, a JSON file), the labels every series carries, and the few series
// k6-gate itself pushes after the verdict. Pure: text and data in, arguments/env/series out.
import { ConfigError } from '../errors.js';
import { isRegression } from '../baseline/compare.js';
import type { GateResult } from '../model.js';
import type { TimeSeries } from './remote-write.js';

export type MetricsOutputKind = 'prometheus' | 'influxdb' | 'otlp' | 'json';

export interface MetricsOutput {
  kind: MetricsOutputKind;
  /** URL for the network outputs; a file path for `json` (resolved by the entry). */
  target: string;
  /** `prometheus-native=`: k6 sends Trends as Prometheus native histograms instead of fixed stats. */
  nativeHistograms?: boolean;
}

/** `prometheus-native` is the prometheus output with Trends as native histograms. */
const KINDS: readonly string[] = ['prometheus', 'prometheus-native', 'influxdb', 'otlp', 'json'];

/** Where each output's credentials go instead of the URL (given with `secret-env`). */
const CREDENTIAL_VARIABLES: Record<Exclude<MetricsOutputKind, 'json'>, string> = {
  prometheus: 'K6_PROMETHEUS_RW_USERNAME and K6_PROMETHEUS_RW_PASSWORD, or K6_PROMETHEUS_RW_BEARER_TOKEN',
  influxdb: 'K6_INFLUXDB_USERNAME and K6_INFLUXDB_PASSWORD',
  otlp: 'K6_OTEL_HEADERS',
};

/**
 * Trend stats k6 sends for every Trend with `prometheus=`. Percentiles of one run are what the gate
 * compares; avg, max and count/sum let a dashboard weight and combine series (sum/count is an exact
 * mean across series; per-series p95s are not averaged into a p95). `prometheus-native=` sends native
 * histograms instead, whose percentiles aggregate exactly across runs and runners
 * (histogram_quantile); the receiver must accept them (Prometheus: --enable-feature=native-histograms).
 */
export const PROMETHEUS_TREND_STATS = 'p(90),p(95),p(99),avg,max,count,sum';
/** Short runs need short pushes, or a 3 s test sends one batch at the very end. */
export const PROMETHEUS_PUSH_INTERVAL = '1s';
/** k6's name for its Prometheus remote-write output. */
const REMOTE_WRITE_OUTPUT = 'experimental-prometheus-rw';

/** `prometheus=https://…/api/v1/write, json=samples.json` (comma or one per line) → outputs. */
export function parseMetricsOutput(text: string | undefined): MetricsOutput[] {
  const outputs: MetricsOutput[] = [];
  for (const part of (text ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const given = eq > 0 ? part.slice(0, eq).trim() : part;
    const target = eq > 0 ? part.slice(eq + 1).trim() : '';
    const example = 'e.g. "prometheus=https://prometheus.example.com/api/v1/write"';
    if (!KINDS.includes(given)) {
      throw new ConfigError(
        `metrics-output ${JSON.stringify(shorten(part))}: unknown output ${JSON.stringify(given)}; expected one of ${KINDS.join(', ')} as KIND=TARGET, ${example}`,
      );
    }
    const kind = (given === 'prometheus-native' ? 'prometheus' : given) as MetricsOutputKind;
    if (target === '') {
      throw new ConfigError(
        `metrics-output ${JSON.stringify(given)} has no target; expected ${given}=${kind === 'json' ? 'FILE' : 'URL'}, ${example}`,
      );
    }
    if (outputs.some((o) => o.kind === kind)) {
      throw new ConfigError(
        `metrics-output names ${kind} twice; expected each kind at most once (k6 configures them through one set of variables; prometheus-native is a prometheus output)`,
      );
    }
    if (kind !== 'json') checkUrl(kind, target);
    outputs.push(given === 'prometheus-native' ? { kind, target, nativeHistograms: true } : { kind, target });
  }
  return outputs;
}

function checkUrl(kind: Exclude<MetricsOutputKind, 'json'>, target: string): void {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ConfigError(
      `metrics-output ${kind} target ${JSON.stringify(shorten(target))} is not a URL; expected e.g. "${kind}=http://host:port/…"`,
    );
  }
  const schemes = kind === 'otlp' ? ['http:', 'https:', 'grpc:'] : ['http:', 'https:'];
  if (!schemes.includes(url.protocol)) {
    throw new ConfigError(`metrics-output ${kind} URL uses ${url.protocol}; expected ${schemes.map((s) => s + '//').join(' or ')}`);
  }
  if (url.username || url.password) {
    // The value would reach logs and k6's command line; credentials go by variable name instead.
    throw new ConfigError(
      `metrics-output ${kind} URL carries credentials; expected a URL without user:password and the credentials in secret-env variables (${CREDENTIAL_VARIABLES[kind]})`,
    );
  }
}

/** Bad input as it may be quoted: a password-like `user:…@` part is masked, long text cut. */
function shorten(text: string): string {
  const masked = text.replace(/\/\/([^/@:\s]*):[^/@\s]*@/g, '//$1:***@');
  return masked.length > 60 ? `${masked.slice(0, 57)}...` : masked;
}

/** The labels of one run, as k6 tags (`--tag`) and on k6-gate's own series. Empty values are left out. */
export interface RunLabels {
  /** Unique per gate run: picks the run in a dashboard. */
  testid: string;
  /**
   * k6-gate's scenario name. Not `scenario`: k6 sets its own `scenario` tag (the k6 executor
   * scenario, usually "default") on every sample and that one wins.
   */
  gate_scenario?: string;
  profile?: string;
  environment?: string;
  commit?: string;
  ref?: string;
  /** `I/N` for a shard of a sharded run. */
  shard?: string;
}

/** `20261125T230512Z-3f9a1c`: sortable, and unique enough for runs that start in the same second. */
export function newTestId(now: Date, random: string): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${random}`;
}

function labelEntries(labels: RunLabels): [string, string][] {
  return Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
}

/** k6 arguments for the outputs and the run's labels (placed before the script). */
export function metricsOutputArgs(outputs: readonly MetricsOutput[], labels: RunLabels): string[] {
  if (outputs.length === 0) return [];
  const args: string[] = [];
  for (const output of outputs) {
    if (output.kind === 'prometheus') args.push('--out', REMOTE_WRITE_OUTPUT);
    else if (output.kind === 'otlp') args.push('--out', 'opentelemetry');
    else args.push('--out', `${output.kind}=${output.target}`);
  }
  for (const [name, value] of labelEntries(labels)) args.push('--tag', `${name}=${value}`);
  return args;
}

/**
 * k6's environment for the outputs: k6-gate's choices, then the user's own `env` (which wins), so
 * e.g. `K6_PROMETHEUS_RW_PUSH_INTERVAL=10s` in `env` replaces the default. Native histograms are a
 * k6 feature flag from k6 2 on (`K6_FEATURES`, merged with the user's) and a variable before.
 */
export function metricsOutputEnv(
  outputs: readonly MetricsOutput[],
  k6Version: string,
  userEnv: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  const features: string[] = [];
  for (const output of outputs) {
    if (output.kind === 'prometheus') {
      env.K6_PROMETHEUS_RW_SERVER_URL = output.target;
      env.K6_PROMETHEUS_RW_PUSH_INTERVAL = PROMETHEUS_PUSH_INTERVAL;
      if (!output.nativeHistograms) env.K6_PROMETHEUS_RW_TREND_STATS = PROMETHEUS_TREND_STATS;
      else if (Number(k6Version.split('.')[0]) >= 2) features.push('native-histograms');
      else env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM = 'true';
    } else if (output.kind === 'otlp') {
      const url = new URL(output.target);
      if (url.protocol === 'grpc:') {
        env.K6_OTEL_EXPORTER_PROTOCOL = 'grpc';
        env.K6_OTEL_GRPC_EXPORTER_ENDPOINT = url.host;
      } else {
        env.K6_OTEL_EXPORTER_PROTOCOL = 'http/protobuf';
        env.K6_OTEL_HTTP_EXPORTER_ENDPOINT = url.host;
        env.K6_OTEL_HTTP_EXPORTER_INSECURE = String(url.protocol === 'http:');
        if (url.pathname !== '/') env.K6_OTEL_HTTP_EXPORTER_URL_PATH = url.pathname;
      }
      env.K6_OTEL_METRIC_PREFIX = 'k6_';
    }
  }
  const merged = { ...env, ...userEnv };
  if (features.length > 0) {
    const given = (userEnv.K6_FEATURES ?? '').split(',').map((f) => f.trim());
    merged.K6_FEATURES = [...new Set([...given, ...features])].filter(Boolean).join(',');
  }
  return merged;
}

/** The remote-write URL of the `prometheus` output, if any: k6-gate pushes its verdict there too. */
export function prometheusTarget(outputs: readonly MetricsOutput[] | undefined): string | undefined {
  return outputs?.find((o) => o.kind === 'prometheus')?.target;
}

/**
 * Headers for k6-gate's own push, from the variables k6's remote-write output reads, so one set of
 * secrets serves both: `K6_PROMETHEUS_RW_HEADERS_<NAME>`, `K6_PROMETHEUS_RW_HTTP_HEADERS`
 * (`name:value,name:value`), and Authorization from the bearer token or, else, user and password.
 */
export function remoteWriteHeaders(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const headers: Record<string, string> = {};
  const prefix = 'K6_PROMETHEUS_RW_HEADERS_';
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(prefix) && name.length > prefix.length && value !== undefined) headers[name.slice(prefix.length)] = value;
  }
  for (const pair of (env.K6_PROMETHEUS_RW_HTTP_HEADERS ?? '').split(',')) {
    const parts = pair.split(':');
    if (parts.length === 2 && parts[0].trim() !== '') headers[parts[0].trim()] = parts[1].trim();
  }
  if (env.K6_PROMETHEUS_RW_BEARER_TOKEN) headers.Authorization = `Bearer ${env.K6_PROMETHEUS_RW_BEARER_TOKEN}`;
  else if (env.K6_PROMETHEUS_RW_USERNAME || env.K6_PROMETHEUS_RW_PASSWORD) {
    const pair = `${env.K6_PROMETHEUS_RW_USERNAME ?? ''}:${env.K6_PROMETHEUS_RW_PASSWORD ?? ''}`;
    headers.Authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  return headers;
}

/** Names of k6-gate's own series (documented in docs/observability.md, drawn by dashboards/k6-gate.json). */
export const GATE_SERIES = {
  failed: 'k6gate_gate_failed',
  outcome: 'k6gate_gate_outcome',
  regressions: 'k6gate_regressions',
  thresholdsFailed: 'k6gate_thresholds_failed',
  scenarioOutcome: 'k6gate_scenario_outcome',
  current: 'k6gate_metric_current',
  accepted: 'k6gate_metric_accepted',
  limit: 'k6gate_metric_limit',
  regressed: 'k6gate_metric_regressed',
} as const;

/**
 * k6-gate's verdict as series at one instant: the gate's outcome, each scenario's outcome, and per
 * watched metric its current value, accepted (baseline) value, limit and whether it regressed.
 */
export function gateSeries(result: GateResult, labels: Omit<RunLabels, 'gate_scenario'>, timestampMs: number): TimeSeries[] {
  const base = Object.fromEntries(labelEntries(labels));
  const series: TimeSeries[] = [];
  const add = (name: string, extra: Record<string, string>, value: number | undefined) => {
    if (value === undefined || !Number.isFinite(value)) return;
    series.push({ labels: { ...base, ...extra, __name__: name }, samples: [{ value, timestampMs }] });
  };
  add(GATE_SERIES.failed, {}, result.failed ? 1 : 0);
  add(GATE_SERIES.outcome, { outcome: result.outcome }, 1);
  add(GATE_SERIES.regressions, {}, result.regressions);
  add(GATE_SERIES.thresholdsFailed, {}, result.thresholdsFailed);
  for (const scenario of result.scenarios) {
    const s = { gate_scenario: scenario.scenario };
    add(GATE_SERIES.scenarioOutcome, { ...s, outcome: scenario.outcome }, 1);
    for (const row of scenario.metrics) {
      const m = { ...s, metric: row.metric, stat: row.stat, unit: row.unit };
      const limit = row.band ? (row.direction === 'higher-is-better' ? row.band.low : row.band.high) : undefined;
      add(GATE_SERIES.current, m, row.current);
      add(GATE_SERIES.accepted, m, row.baseline);
      add(GATE_SERIES.limit, m, limit);
      add(GATE_SERIES.regressed, m, isRegression(row) ? 1 : 0);
    }
  }
  return series;
}

/**
 * Why k6's one remote-write output is already taken, if it is: k6-gate's live analysis then reads
 * `--out json` instead (k6 configures remote write through one set of variables, so it cannot
 * push to the user's Prometheus and to k6-gate's receiver in the same run).
 */
export function remoteWriteTakenBy(
  outputs: readonly MetricsOutput[] | undefined,
  k6Args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (outputs?.some((o) => o.kind === 'prometheus')) return 'metrics-output sends to Prometheus';
  if (k6Args.some((a) => a.includes(REMOTE_WRITE_OUTPUT)) || (env.K6_OUT ?? '').includes(REMOTE_WRITE_OUTPUT)) {
    return 'the k6 arguments already use experimental-prometheus-rw';
  }
  if (env.K6_PROMETHEUS_RW_SERVER_URL) return 'K6_PROMETHEUS_RW_SERVER_URL is set';
  return undefined;
}

/** k6 arguments and variables that point its remote-write output at k6-gate's live-analysis receiver. */
export function liveRemoteWriteSetup(
  url: string,
  k6Version: string,
  env: Readonly<Record<string, string>>,
): { args: string[]; env: Record<string, string> } {
  const own: MetricsOutput = { kind: 'prometheus', target: url, nativeHistograms: true };
  // The user's K6_FEATURES are kept; the receiver's address and native histograms are not theirs to change.
  const merged = metricsOutputEnv([own], k6Version, { ...(env.K6_FEATURES ? { K6_FEATURES: env.K6_FEATURES } : {}) });
  return { args: ['--out', REMOTE_WRITE_OUTPUT], env: merged };
}
