#!/usr/bin/env node
// Merge throughput and peak memory on a large raw-samples file, against zcat and jq reading the
// same file as the floor. Not part of CI: it takes minutes and one core.
//
//   node bench/merge.mjs [--samples 5000000] [--shards 1] [--keep DIR [--reuse]] [--skip-jq]
//
// --keep DIR keeps the generated file(s) in DIR; --reuse takes them from there instead of
// generating them again.
//
// The file is k6-shaped: per iteration the Metric/Point lines k6 v2 writes for one HTTP request
// (http_reqs, eight http_req_* trends, http_req_failed, checks, data_sent/received,
// iteration_duration, iterations) with k6's tag set, nanosecond timestamps shared by the points
// of one request, and a log-normal latency.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    samples: { type: 'string', default: '5000000' },
    shards: { type: 'string', default: '1' },
    keep: { type: 'string' },
    reuse: { type: 'boolean' },
    'skip-jq': { type: 'boolean' },
  },
});
const wantedSamples = Number(flags.samples);
const shards = Number(flags.shards);
const work = flags.keep ?? mkdtempSync(path.join(os.tmpdir(), 'k6-gate-bench-merge-'));
mkdirSync(work, { recursive: true });

function compile() {
  // The bench runs the TypeScript sources as they are, compiled into a scratch folder.
  const out = path.join(work, 'build');
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '--outDir',
      out,
      '--rootDir',
      path.join(root, 'src'),
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      path.join(root, 'src/shard/merge.ts'),
    ],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error('tsc failed');
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  return path.join(out, 'shard/merge.js');
}

const TRENDS = [
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
];

async function generate(file, samples, shardIndex) {
  const gzip = spawn('gzip', ['-1', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const done = new Promise((resolve, reject) => gzip.stdout.pipe(createWriteStream(file)).on('finish', resolve).on('error', reject));
  let seed = 12345 + shardIndex;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
  const normal = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  const metric = (name, type, contains, thresholds = [], submetrics = null) =>
    `{"type":"Metric","data":{"name":"${name}","type":"${type}","contains":"${contains}","thresholds":${JSON.stringify(thresholds)},"submetrics":${JSON.stringify(submetrics)}},"metric":"${name}"}\n`;
  const defined = new Set();
  const define = (name, ...rest) => {
    if (defined.has(name)) return '';
    defined.add(name);
    return metric(name, ...rest);
  };
  let t = Date.UTC(2026, 0, 1) * 1e6 + shardIndex * 1e3;
  const stamp = () => {
    const ms = Math.floor(t / 1e6);
    return (
      new Date(ms).toISOString().slice(0, 19) +
      '.' +
      String(t % 1e9)
        .padStart(9, '0')
        .replace(/0+$/, '') +
      'Z'
    );
  };
  let written = 0;
  let batch = '';
  let iteration = 0;
  while (written < samples) {
    t += 1_700_000 + Math.floor(rand() * 600_000); // ~500 requests/s per shard
    const name = iteration % 3 === 0 ? 'login' : 'home';
    const status = rand() < 0.01 ? '500' : '200';
    const ok = status === '200' ? 'true' : 'false';
    const httpTags = `{"expected_response":"${ok}","group":"","method":"GET","name":"${name}","proto":"HTTP/1.1","scenario":"load","status":"${status}","url":"http://127.0.0.1:8080/${name}"}`;
    const at = stamp();
    const duration = Math.exp(3 + 0.5 * normal());
    batch += define('http_reqs', 'counter', 'default', ['count>100']);
    batch += `{"metric":"http_reqs","type":"Point","data":{"time":"${at}","value":1,"tags":${httpTags}}}\n`;
    batch += define(
      'http_req_duration',
      'trend',
      'time',
      ['p(95)<200', 'p(99)<400'],
      [
        { name: 'http_req_duration{expected_response:true}', suffix: 'expected_response:true', tags: { expected_response: 'true' } },
        { name: 'http_req_duration{name:login}', suffix: 'name:login', tags: { name: 'login' } },
      ],
    );
    for (const trend of TRENDS) {
      if (trend !== 'http_req_duration') batch += define(trend, 'trend', 'time');
      const value = trend === 'http_req_duration' ? duration : trend === 'http_req_waiting' ? duration * 0.95 : rand() * 0.2;
      batch += `{"metric":"${trend}","type":"Point","data":{"time":"${at}","value":${value.toFixed(6)},"tags":${httpTags}}}\n`;
    }
    batch += define('http_req_failed', 'rate', 'default', ['rate<0.02']);
    batch += `{"metric":"http_req_failed","type":"Point","data":{"time":"${at}","value":${ok === 'true' ? 0 : 1},"tags":${httpTags}}}\n`;
    t += 50_000;
    const after = stamp();
    const plain = `{"group":"","scenario":"load"}`;
    batch += define('checks', 'rate', 'default', ['rate>0.95']);
    batch += `{"metric":"checks","type":"Point","data":{"time":"${after}","value":${ok === 'true' ? 1 : 0},"tags":{"check":"status is 200","group":"","scenario":"load"}}}\n`;
    batch += define('data_sent', 'counter', 'data');
    batch += `{"metric":"data_sent","type":"Point","data":{"time":"${after}","value":72,"tags":${plain}}}\n`;
    batch += define('data_received', 'counter', 'data');
    batch += `{"metric":"data_received","type":"Point","data":{"time":"${after}","value":143,"tags":${plain}}}\n`;
    batch += define('iteration_duration', 'trend', 'time');
    batch += `{"metric":"iteration_duration","type":"Point","data":{"time":"${after}","value":${(duration + 0.3).toFixed(6)},"tags":${plain}}}\n`;
    batch += define('iterations', 'counter', 'default');
    batch += `{"metric":"iterations","type":"Point","data":{"time":"${after}","value":1,"tags":${plain}}}\n`;
    written += 14;
    iteration++;
    if (iteration % 1000 === 0) {
      batch += define('vus', 'gauge', 'default');
      batch += `{"metric":"vus","type":"Point","data":{"time":"${after}","value":10,"tags":{}}}\n`;
      written++;
    }
    if (batch.length > 1 << 20) {
      if (!gzip.stdin.write(batch)) await new Promise((resolve) => gzip.stdin.once('drain', resolve));
      batch = '';
    }
  }
  gzip.stdin.end(batch);
  await done;
  return written;
}

/** Runs argv under /usr/bin/time; returns wall seconds, peak RSS (MiB) and stdout. */
function measure(argv, stdinFile) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'K6GATE_RSS_KB=%M', ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    if (stdinFile) {
      // zcat feeds the measured process, like `zcat file | jq …`; zcat's own cost is measured apart.
      const zcat = spawn('zcat', [stdinFile], { stdio: ['ignore', 'pipe', 'inherit'] });
      zcat.stdout.pipe(child.stdin);
    } else child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rss = Number(/K6GATE_RSS_KB=(\d+)/.exec(err)?.[1] ?? NaN) / 1024;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited ${code}: ${err.slice(-500)}`));
      resolve({ seconds, rssMiB: rss, out: out.trim() });
    });
  });
}

const fmt = (n) => Math.round(n).toLocaleString('en');

async function main() {
  const mergeModule = compile();
  const files = [];
  let samples = 0;
  console.error(`generating ${fmt(wantedSamples)} samples in ${shards} file(s) under ${work} …`);
  for (let i = 1; i <= shards; i++) {
    const file = path.join(work, `k6-bench.shard-${i}-of-${shards}.json.gz`);
    if (flags.reuse) {
      samples += Number((await measure(['bash', '-c', 'zcat "$1" | grep -c \'"type":"Point"\'', 'zcat', file])).out);
    } else {
      samples += await generate(file, Math.ceil(wantedSamples / shards), i);
    }
    files.push(file);
  }
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const lines = await measure(['bash', '-c', 'zcat "$@" | wc -l', 'zcat', ...files]);
  console.error(`file: ${fmt(samples)} samples, ${fmt(Number(lines.out))} lines, ${(bytes / 2 ** 20).toFixed(1)} MiB gzip`);

  const results = [];
  results.push({ tool: 'zcat \\| wc -l (decompress only)', ...lines });
  if (shards === 1 && !flags['skip-jq']) {
    const jq = await measure(['jq', '-c', 'select(.type == "Point") | .data.value'], files[0]);
    results.push({ tool: 'zcat \\| jq (parse every line, print the value)', ...jq });
    const jqMetric = await measure(
      [
        'jq',
        '-n',
        'reduce (inputs | select(.type == "Point" and .metric == "http_req_duration") | .data.value) as $v ({n: 0, s: 0}; .n += 1 | .s += $v) | .s / .n',
      ],
      files[0],
    );
    results.push({ tool: 'zcat \\| jq (avg of http_req_duration, streaming reduce)', ...jqMetric });
  }
  // The merge runs in a child so its peak RSS is its own. With K6_GATE_BENCH_GC it also records
  // the V8 heap in use right after a full GC (what the merge state really holds) every 1M samples.
  const script = `
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    const { mergeShardResults } = await import(${JSON.stringify(mergeModule)});
    const started = Date.now();
    let retained = 0;
    let checks = 0;
    const r = await mergeShardResults({
      files: ${JSON.stringify(files)},
      onProgress: (n) => {
        if (process.env.K6_GATE_BENCH_GC && n % 1000000 === 0) { gc(); checks++; retained = Math.max(retained, process.memoryUsage().heapUsed); }
      },
    });
    const d = r.summary.metrics.http_req_duration.values;
    console.log(JSON.stringify({ samples: r.samples, ms: Date.now() - started, percentiles: r.percentiles, p95: d['p(95)'], p99: d['p(99)'], reqs: r.summary.metrics.http_reqs.values.count, retainedMiB: retained / 2 ** 20, checks }));
  `;
  const merge = await measure([process.execPath, '--input-type=module', '-e', script]);
  const detail = JSON.parse(merge.out);
  results.push({ tool: 'k6-gate mergeShardResults (whole summary, thresholds, submetrics)', ...merge });
  // Bounded memory shown directly: the same merge with V8's old space capped at 24 MiB.
  const capped = await measure([process.execPath, '--max-old-space-size=24', '--input-type=module', '-e', script]);
  results.push({ tool: 'same, old space capped: --max-old-space-size=24', ...capped });
  const gcRun = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, K6_GATE_BENCH_GC: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out)));
  });

  console.log(
    `\n${fmt(samples)} samples (${(bytes / 2 ** 20).toFixed(1)} MiB gzip, ${shards} file(s)), node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}\n`,
  );
  console.log('| reader | wall s | samples/s | peak RSS MiB |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results) console.log(`| ${r.tool} | ${r.seconds.toFixed(1)} | ${fmt(samples / r.seconds)} | ${r.rssMiB.toFixed(0)} |`);
  console.log(
    `\nmerge: ${fmt(detail.samples)} samples, percentiles ${detail.percentiles}, http_reqs ${fmt(detail.reqs)}, p(95) ${detail.p95.toFixed(2)} ms, p(99) ${detail.p99.toFixed(2)} ms`,
  );
  console.log(`heap in use after a full GC, every 1,000,000 samples (max of ${gcRun.checks}): ${gcRun.retainedMiB.toFixed(1)} MiB`);
  if (!flags.keep) rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
