#!/usr/bin/env node
// Sharded runs with state files (src/shard/state.ts) instead of raw samples. Not part of CI.
//
//   node bench/shards.mjs [--part rate,merge,accuracy] [--k6 PATH] [--vus 20] [--duration 10s] [--pairs 3]
//                         [--files 100] [--endpoints 60] [--merges 5] [--samples 1000000]
//
// rate:     one shard (segment 0:1/2 of a closed-model test) against the demo target in its own
//           process, run in turn with no output at all (off), with the shard's state receiver
//           (state: k6's remote-write output to k6-gate's loopback receiver, the default of a shard)
//           and with raw samples (raw: `--out json=….json.gz`, what `--raw-output` does);
//           off state raw off state raw …, so drift of a shared machine hits all three. Reported:
//           k6's own http_reqs rate per run and the per-pair ratios state/off and raw/off.
// merge:    `--files` state files of a one-hour-like test, synthesised: per file `--endpoints` tag sets
//           × the 7 http_req_* trends (native histograms at schema 3, ~36,000 samples each, so about
//           a hundred occupied buckets) + counters, rates, checks and gauges; then mergeStateFiles
//           (read, schema check, add, summary with thresholds) in a fresh process, `--merges` times:
//           wall time and peak RSS of that process.
// accuracy: `--samples` latencies (a 95/5 mixture of two log-normals) spread at random over `--files`
//           shards; each shard's native histogram as k6 fills it (schema 3), merged; the merged
//           percentiles next to k6's rule on every sample, in buckets (×2^(1/8)) off.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAverage, median, random } from './common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    part: { type: 'string', default: 'rate,merge,accuracy' },
    k6: { type: 'string' },
    vus: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10s' },
    pairs: { type: 'string', default: '3' },
    files: { type: 'string', default: '100' },
    endpoints: { type: 'string', default: '60' },
    merges: { type: 'string', default: '5' },
    samples: { type: 'string', default: '1000000' },
  },
});
const parts = new Set(flags.part.split(','));
const work = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-bench-shards-'));

/** The modules the bench needs, bundled from src with esbuild (the generated validator is plain JS). */
async function bundle() {
  const { build } = await import('esbuild');
  const entry = path.join(work, 'entry.ts');
  writeFileSync(
    entry,
    [
      `export * from ${JSON.stringify(path.join(root, 'src/shard/state.ts'))};`,
      `export { mergeStates } from ${JSON.stringify(path.join(root, 'src/shard/state-merge.ts'))};`,
      `export { summarizeState } from ${JSON.stringify(path.join(root, 'src/shard/state-summary.ts'))};`,
      `export * from ${JSON.stringify(path.join(root, 'src/shard/state-files.ts'))};`,
      `export { shardArgs } from ${JSON.stringify(path.join(root, 'src/shard/shard.ts'))};`,
      `export { startDemoTarget } from ${JSON.stringify(path.join(root, 'demo/target.ts'))};`,
    ].join('\n'),
  );
  const out = path.join(work, 'bench-bundle.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'error',
    // CommonJS dependencies of the demo target need a require in an ES module.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return out;
}

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const log = {
  info() {},
  warning: (m) => console.error(m),
  error: (m) => console.error(m),
  debug() {},
  group: (_t, f) => f(),
  addSecret() {},
};

// ---------------------------------------------------------------------------------------------
async function benchRate(lib) {
  const k6 =
    flags.k6 ??
    process.env.K6_GATE_TEST_K6 ??
    spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'install', '--k6-version', '2.2.0', '--method', 'auto'], {
      encoding: 'utf8',
    }).stdout.trim();
  const version = spawnSync(k6, ['version'], { encoding: 'utf8' }).stdout.match(/v(\d+\.\d+\.\d+)/)?.[1] ?? '2.2.0';
  // The target in its own process: its CPU is not the bench's.
  const target = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startDemoTarget } = await import(${JSON.stringify(lib)});
       const t = await startDemoTarget({ port: 0, latencyMs: 0, jitterMs: 0 });
       console.log(t.url);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise((resolve) => target.stdout.once('data', (d) => resolve(String(d).trim())));
  const script = path.join(work, 'bench.js');
  writeFileSync(
    script,
    `import http from 'k6/http';
export const options = { vus: ${Number(flags.vus)}, duration: '${flags.duration}' };
export default function () {
  const i = __ITER % 3;
  if (i === 0) http.get('${url}/api/products/' + (1 + (__ITER % 20)));
  else if (i === 1) http.get('${url}/api/products');
  else http.get('${url}/api/feed');
}
`,
  );
  const { startShardStateRun, shardArgs } = await import(lib);
  const shard = { index: 1, count: 2 };
  async function once(mode, n) {
    const summary = path.join(work, `summary-${mode}-${n}.json`);
    const env = { K6_NO_USAGE_REPORT: 'true' };
    const args = ['run', '--quiet', '--no-color', '--summary-export', summary, ...shardArgs(1, 2)];
    let state;
    if (mode === 'state') {
      state = await startShardStateRun({ scenario: 'bench', shard, resultsDir: work, k6Version: version, k6Args: [], env, log });
      args.push(...state.args);
    }
    if (mode === 'raw') args.push('--out', `json=${path.join(work, `raw-${n}.json.gz`)}`);
    const load = loadAverage();
    const r = await run(k6, [...args, script], { env: { ...process.env, ...env } });
    if (r.code !== 0) throw new Error(`k6 exited ${r.code}: ${r.err.slice(-400)}`);
    const rate = JSON.parse(readFileSync(summary, 'utf8')).metrics.http_reqs.rate;
    let bytes;
    if (state) {
      const written = await state.finish({ summaryFile: summary });
      if (!written.file) throw new Error(`no state file: ${written.problem}`);
      bytes = readFileSync(path.join(work, written.file)).length;
    }
    if (mode === 'raw') {
      bytes = readFileSync(path.join(work, `raw-${n}.json.gz`)).length;
      rmSync(path.join(work, `raw-${n}.json.gz`));
    }
    return { mode, rate, bytes, load };
  }
  const rows = [];
  for (let pair = 0; pair < Number(flags.pairs); pair++) {
    const row = { pair };
    for (const mode of ['off', 'state', 'raw']) {
      row[mode] = await once(mode, pair);
      console.error(JSON.stringify({ pair, ...row[mode] }));
    }
    rows.push(row);
  }
  target.kill();
  const ratio = (mode) => rows.map((r) => r[mode].rate / r.off.rate);
  return {
    k6: version,
    vus: `${flags.vus} (the shard runs half)`,
    duration: flags.duration,
    pairs: rows.length,
    medianRate: Object.fromEntries(['off', 'state', 'raw'].map((m) => [m, Math.round(median(rows.map((r) => r[m].rate)))])),
    stateOverOff: { median: +median(ratio('state')).toFixed(3), pairs: ratio('state').map((x) => +x.toFixed(3)) },
    rawOverOff: { median: +median(ratio('raw')).toFixed(3), pairs: ratio('raw').map((x) => +x.toFixed(3)) },
    artifactBytes: { state: median(rows.map((r) => r.state.bytes)), raw: median(rows.map((r) => r.raw.bytes)) },
    loads: rows.flatMap((r) => ['off', 'state', 'raw'].map((m) => r[m].load)),
  };
}

// ---------------------------------------------------------------------------------------------
// Synthetic histograms: bucket i (schema 3) holds (2^((i-1)/8), 2^(i/8)] seconds.

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error below 1.5e-7). */
function phi(x) {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** P(X ≤ x seconds) for the latency mixture: 95 % log-normal around `median`, 5 % a slow tail 8× that. */
function mixtureCdf(x, medianS) {
  if (x <= 0) return 0;
  const a = phi((Math.log(x) - Math.log(medianS)) / 0.5);
  const b = phi((Math.log(x) - Math.log(medianS * 8)) / 1.0);
  return 0.95 * a + 0.05 * b;
}

function synthHistogram(samples, medianS, rand) {
  const positive = new Map();
  let count = 0;
  let sum = 0;
  for (let i = -120; i <= 60; i++) {
    const lo = 2 ** ((i - 1) / 8);
    const hi = 2 ** (i / 8);
    const n = Math.round(samples * (mixtureCdf(hi, medianS) - mixtureCdf(lo, medianS)) * (0.9 + 0.2 * rand()));
    if (n > 0) {
      positive.set(i, n);
      count += n;
      sum += n * Math.sqrt(lo * hi);
    }
  }
  return { schema: 3, count, sum, zeroThreshold: 2 ** -128, zeroCount: 0, positive, negative: new Map(), timestampMs: 0 };
}

const HTTP_TRENDS = ['duration', 'blocked', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving'];

function synthState(lib, index, count, endpoints) {
  const rand = random(1000 + index);
  const series = [];
  const metrics = {};
  let requests = 0;
  for (let e = 0; e < endpoints; e++) {
    const status = e % 6 === 5 ? '500' : '200';
    const labels = {
      name: `/api/endpoint-${e}`,
      method: e % 4 === 0 ? 'POST' : 'GET',
      status,
      url: `https://shop.example/api/endpoint-${e}`,
      proto: 'HTTP/1.1',
      scenario: 'default',
      expected_response: status === '200' ? 'true' : 'false',
    };
    const perSeries = 36_000;
    for (const [k, trend] of HTTP_TRENDS.entries()) {
      series.push({
        labels: { __name__: `k6_http_req_${trend}_seconds`, ...labels },
        histogram: synthHistogram(perSeries, 0.002 * (k + 1) * (1 + (e % 10)), rand),
      });
    }
    series.push({ labels: { __name__: 'k6_http_reqs_total', ...labels }, value: perSeries });
    series.push({ labels: { __name__: 'k6_http_req_failed_rate', ...labels }, value: status === '500' ? 1 : 0 });
    requests += perSeries;
  }
  series.push({
    labels: { __name__: 'k6_iteration_duration_seconds', scenario: 'default' },
    histogram: synthHistogram(requests, 0.3, rand),
  });
  for (const name of ['data_sent', 'data_received', 'iterations'])
    series.push({ labels: { __name__: `k6_${name}_total`, scenario: 'default' }, value: requests * 100 });
  for (let c = 0; c < 5; c++)
    series.push({ labels: { __name__: 'k6_checks_rate', check: `check ${c}`, group: '', scenario: 'default' }, value: 0.99 });
  series.push({ labels: { __name__: 'k6_vus' }, value: 10 }, { labels: { __name__: 'k6_vus_max' }, value: 10 });
  metrics.http_reqs = { name: 'http_reqs', type: 'counter', contains: 'default', values: { count: requests, rate: requests / 3600 } };
  metrics.http_req_duration = { name: 'http_req_duration', type: 'trend', contains: 'time', values: { min: 0.4, max: 9000 } };
  metrics.http_req_failed = {
    name: 'http_req_failed',
    type: 'rate',
    contains: 'default',
    values: { rate: 1 / 6, passes: requests / 6, fails: (requests * 5) / 6 },
  };
  const point = (i) => (i === 0 ? '0' : i === count ? '1' : `${i}/${count}`);
  return lib.shardStateOf({
    series,
    summary: {
      format: 'legacy',
      metrics,
      thresholds: [
        { metric: 'http_req_duration', expression: 'p(95)<500', ok: true },
        { metric: 'http_req_duration{name:/api/endpoint-3}', expression: 'p(99)<1500', ok: true },
        { metric: 'http_req_failed', expression: 'rate<0.01', ok: false },
      ],
      checks: Array.from({ length: 5 }, (_, c) => ({ name: `check ${c}`, path: `::check ${c}`, passes: 1000, fails: 10 })),
      durationMs: 3_600_000,
    },
    scenario: 'checkout',
    shard: { index, count },
    segment: `${point(index - 1)}:${point(index)}`,
    sequence: Array.from({ length: count + 1 }, (_, i) => point(i)).join(','),
    k6Version: '2.2.0',
    span: { startMs: 0, endMs: 3_600_000 + index },
  });
}

async function benchMerge(lib, libFile) {
  const files = Number(flags.files);
  const dir = path.join(work, 'states');
  spawnSync('mkdir', ['-p', dir]);
  const paths = [];
  let bytes = 0;
  let buckets = 0;
  let seriesCount = 0;
  for (let i = 1; i <= files; i++) {
    const state = synthState(lib, i, files, Number(flags.endpoints));
    const text = lib.shardStateText(state);
    const file = path.join(dir, `state-checkout.shard-${i}-of-${files}.json`);
    writeFileSync(file, text);
    paths.push(file);
    bytes += text.length;
    if (i === 1) {
      seriesCount = state.series.length;
      buckets = state.series.reduce((n, s) => n + (s.histogram?.positive.counts.length ?? 0), 0);
    }
  }
  const merger = `
    const { mergeStateFiles } = await import(${JSON.stringify(libFile)});
    const files = JSON.parse(process.argv[1]);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const { summary } = await mergeStateFiles({ files, trendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], submetrics: ['http_req_duration{name:/api/endpoint-7}'] });
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024, p95: summary.metrics.http_req_duration.values['p(95)'], requests: summary.metrics.http_reqs.values.count, thresholds: summary.thresholds.length }));
  `;
  const baseline = `console.log(JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024 }))`;
  const runs = [];
  for (let m = 0; m < Number(flags.merges); m++) {
    const load = loadAverage();
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
    const r = await run(process.execPath, [...prof, '--input-type=module', '-e', merger, JSON.stringify(paths)]);
    if (r.code !== 0) throw new Error(r.err);
    runs.push({ ...JSON.parse(r.out.trim().split('\n').at(-1)), load });
    console.error(JSON.stringify(runs.at(-1)));
  }
  const empty = JSON.parse((await run(process.execPath, ['--input-type=module', '-e', baseline])).out);
  return {
    files,
    perFile: { series: seriesCount, histogramBuckets: buckets, KiB: Math.round(bytes / files / 1024) },
    medianMs: Math.round(median(runs.map((r) => r.ms))),
    medianCpuMs: Math.round(median(runs.map((r) => r.cpuMs))),
    medianPeakRssMiB: Math.round(median(runs.map((r) => r.maxRssMiB))),
    emptyNodeRssMiB: Math.round(empty.maxRssMiB),
    runs: runs.map((r) => ({ ms: Math.round(r.ms), cpuMs: Math.round(r.cpuMs), rssMiB: Math.round(r.maxRssMiB), load: r.load })),
    requests: runs[0].requests,
  };
}

// ---------------------------------------------------------------------------------------------
async function benchAccuracy(lib) {
  const total = Number(flags.samples);
  const shards = Number(flags.files);
  const rand = random(7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const values = new Float64Array(total);
  const perShard = Array.from({ length: shards }, () => new Map());
  const sums = new Float64Array(shards);
  const counts = new Float64Array(shards);
  for (let i = 0; i < total; i++) {
    const slow = rand() < 0.05;
    const v = slow ? 0.4 * Math.exp(1.0 * gauss()) : 0.05 * Math.exp(0.5 * gauss()); // seconds
    values[i] = v;
    const s = Math.floor(rand() * shards);
    const index = Math.ceil(Math.log2(v) * 8);
    perShard[s].set(index, (perShard[s].get(index) ?? 0) + 1);
    sums[s] += v;
    counts[s]++;
  }
  const point = (i) => (i === 0 ? '0' : i === shards ? '1' : `${i}/${shards}`);
  const states = perShard.map((positive, s) =>
    lib.shardStateOf({
      series: [
        {
          labels: { __name__: 'k6_http_req_duration_seconds' },
          histogram: {
            schema: 3,
            count: counts[s],
            sum: sums[s],
            zeroThreshold: 0,
            zeroCount: 0,
            positive,
            negative: new Map(),
            timestampMs: 0,
          },
        },
      ],
      scenario: 'accuracy',
      shard: { index: s + 1, count: shards },
      segment: `${point(s)}:${point(s + 1)}`,
      sequence: Array.from({ length: shards + 1 }, (_, i) => point(i)).join(','),
      span: { startMs: 0, endMs: 1 },
    }),
  );
  const merged = lib.mergeStates(states);
  const stats = ['med', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)'];
  const { summary } = lib.summarizeState(merged, { trendStats: stats });
  const sorted = Float64Array.from(values).sort();
  const k6Percentile = (p) => {
    const i = p * (sorted.length - 1);
    const low = sorted[Math.floor(i)];
    return (low + (sorted[Math.ceil(i)] - low) * (i - Math.floor(i))) * 1000;
  };
  const rows = stats.map((stat) => {
    const p = stat === 'med' ? 0.5 : Number(/\(([\d.]+)\)/.exec(stat)[1]) / 100;
    const exact = k6Percentile(p);
    const fromState = summary.metrics.http_req_duration.values[stat];
    return {
      stat,
      everySampleMs: +exact.toFixed(3),
      mergedMs: +fromState.toFixed(3),
      bucketsOff: +(Math.log(fromState / exact) / Math.log(2 ** (1 / 8))).toFixed(3),
    };
  });
  return { samples: total, shards, rows };
}

async function main() {
  const lib = await bundle();
  const lib_ = await import(lib);
  const out = {
    machine: `${os.cpus().length} CPUs, node ${process.version}`,
    uptimeBefore: spawnSync('uptime', { encoding: 'utf8' }).stdout.trim(),
  };
  if (parts.has('accuracy')) out.accuracy = await benchAccuracy(lib_);
  if (parts.has('merge')) out.merge = await benchMerge(lib_, lib);
  if (parts.has('rate')) out.rate = await benchRate(lib);
  out.uptimeAfter = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  console.log(JSON.stringify(out, null, 2));
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
