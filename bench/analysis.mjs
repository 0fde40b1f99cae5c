#!/usr/bin/env node
// Live sample analysis against k6 at full speed: does k6-gate keep up, and does it cost k6 any
// request rate? Not part of CI: it takes a few minutes and both cores.
//
//   node bench/analysis.mjs [--k6 PATH] [--vus 20] [--duration 10s] [--pairs 3] [--rate 5000]
//
// Without --rate, k6 runs a closed model (VUs loop as fast as they can: the highest rate k6 and
// the target reach together); with --rate N an open model (constant-arrival-rate, N requests/s).
// The demo target runs in its own process with no latency, so the request rate is what k6 and
// the target manage on this machine. Each round runs k6 three times, in turn:
//   off  = k6 alone;
//   on   = the default: k6's remote-write output pushes native histograms to k6-gate's receiver,
//          which runs in a separate process (docs/adr/0004-remote-write-analysis.md);
//   json = the fallback when the user's Prometheus holds the remote-write output: k6 writes
//          `--out json=<file>` and k6-gate follows the file live (docs/adr/0003-live-samples.md);
// off on json off on json … so drift of a shared machine hits all three. Reported per run: k6's
// achieved req/s (its own http_reqs rate), and for on/json the analysis process's CPU seconds and
// peak RSS. The last round also runs k6 once with both outputs, to show how close the pushed
// per-endpoint p(95)s are to the exact ones from every sample.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAverage, median } from './common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    k6: { type: 'string' },
    vus: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10s' },
    pairs: { type: 'string', default: '3' },
    rate: { type: 'string' },
  },
});
const work = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-bench-analysis-'));
const k6 =
  flags.k6 ??
  process.env.K6_GATE_TEST_K6 ??
  spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'install', '--k6-version', '2.2.0', '--method', 'auto'], {
    encoding: 'utf8',
  }).stdout.trim();

function compile() {
  const out = path.join(work, 'build');
  // The compiled demo target needs its dependencies (ws).
  symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      ...['--outDir', out, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext'],
      ...['--target', 'es2022', '--skipLibCheck', '--types', 'node'],
      path.join(root, 'src/samples/live.ts'),
      path.join(root, 'src/samples/remote-write.ts'),
      path.join(root, 'src/observability/metrics-output.ts'),
      path.join(root, 'src/samples/analysis.ts'),
      path.join(root, 'demo/target.ts'),
    ],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error('tsc failed');
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  return out;
}

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err, child }));
  });
}

async function main() {
  const build = compile();
  // The target in its own process: its CPU is not k6-gate's.
  const target = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startDemoTarget } = await import(${JSON.stringify(path.join(build, 'demo/target.js'))});
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
export const options = ${
      flags.rate
        ? `{ scenarios: { open: { executor: 'constant-arrival-rate', rate: ${Number(flags.rate)}, timeUnit: '1s', duration: '${flags.duration}', preAllocatedVUs: ${Number(flags.vus)}, maxVUs: ${Number(flags.vus) * 4} } } }`
        : `{ vus: ${Number(flags.vus)}, duration: '${flags.duration}' }`
    };
export default function () {
  // Three endpoints, in turn: one request per iteration.
  const i = __ITER % 3;
  if (i === 0) http.get('${url}/api/products/' + (1 + (__ITER % 20)));
  else if (i === 1) http.get('${url}/api/products');
  else http.get('${url}/api/feed');
}
`,
  );
  // The analysis process: `json` follows the file in argv[2]; `on` runs the receiver and prints its URL.
  const analyser = `
    const [mode, file] = process.argv.slice(1);
    const { startLiveAnalysis } = await import(${JSON.stringify(path.join(build, 'src/samples/live.js'))});
    const { startRemoteWriteAnalysis } = await import(${JSON.stringify(path.join(build, 'src/samples/remote-write.js'))});
    const { analyseSamples } = await import(${JSON.stringify(path.join(build, 'src/samples/analysis.js'))});
    const live = mode === 'json' ? startLiveAnalysis({ file, pollMs: 200 }) : await startRemoteWriteAnalysis();
    console.log(JSON.stringify({ url: live.url ?? null }));
    process.stdin.once('data', async () => {
      const r = await live.stop();
      const a = analyseSamples(r.aggregator, { top: 20 });
      const cpu = process.cpuUsage();
      console.log(JSON.stringify({ samples: r.samples, bytes: r.bytes, cpuS: (cpu.user + cpu.system) / 1e6, endpoints: a.endpoints.map((e) => [e.endpoint, e.requests, e.p95]), problem: r.problem }));
      process.exit(0);
    });
  `;
  const { liveRemoteWriteSetup } = await import(path.join(build, 'src/observability/metrics-output.js'));
  const version = spawnSync(k6, ['version'], { encoding: 'utf8' }).stdout.match(/v(\d+\.\d+\.\d+)/)?.[1] ?? '2.0.0';

  function startAnalyser(mode, raw) {
    const child = spawn('/usr/bin/time', ['-f', 'K6GATE_RSS_KB=%M', process.execPath, '--input-type=module', '-e', analyser, mode, raw], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const closed = new Promise((resolve) => child.on('close', resolve));
    const ready = new Promise((resolve) => {
      child.stdout.on('data', (d) => {
        out += d;
        const first = out.indexOf('\n');
        if (first !== -1) resolve(JSON.parse(out.slice(0, first)).url);
      });
    });
    return {
      ready,
      async finish() {
        child.stdin.write('stop\n');
        await closed;
        const lines = out.trim().split('\n');
        return { ...JSON.parse(lines[lines.length - 1]), rssMiB: Number(/K6GATE_RSS_KB=(\d+)/.exec(err)?.[1]) / 1024 };
      },
    };
  }

  async function runMode(label, modes) {
    const summary = path.join(work, `summary-${label}.json`);
    const raw = path.join(work, `live-${label}.json`);
    const args = ['run', '--quiet', '--no-color', '--summary-export', summary];
    const env = { ...process.env, K6_NO_USAGE_REPORT: 'true' };
    const analysers = {};
    if (modes.includes('json')) {
      args.push('--out', `json=${raw}`);
      analysers.json = startAnalyser('json', raw);
    }
    if (modes.includes('on')) {
      analysers.on = startAnalyser('on', raw);
      const setup = liveRemoteWriteSetup(await analysers.on.ready, version, {});
      args.push(...setup.args);
      Object.assign(env, setup.env);
    }
    const load = loadAverage();
    const k6run = await run(k6, [...args, script], { env });
    if (k6run.code !== 0) throw new Error(`k6 exited ${k6run.code}: ${k6run.err.slice(-400)}`);
    const metrics = JSON.parse(readFileSync(summary, 'utf8')).metrics;
    const row = { label, rate: metrics.http_reqs.rate, dropped: metrics.dropped_iterations?.count ?? 0, load };
    for (const [mode, a] of Object.entries(analysers)) row[mode] = await a.finish();
    rmSync(raw, { force: true });
    return row;
  }

  const results = [];
  for (let pair = 0; pair < Number(flags.pairs); pair++) {
    for (const mode of ['off', 'on', 'json']) {
      const row = { pair, mode, ...(await runMode(`${pair}-${mode}`, mode === 'off' ? [] : [mode])) };
      results.push(row);
      console.error(
        JSON.stringify({
          ...row,
          on: row.on && { ...row.on, endpoints: undefined },
          json: row.json && { ...row.json, endpoints: undefined },
        }),
      );
    }
  }
  // One run with both outputs: the pushed per-endpoint p(95) next to the exact one from every sample.
  const both = await runMode('both', ['on', 'json']);
  target.kill();
  const model = flags.rate
    ? `open model, ${flags.rate} req/s asked, ${flags.vus}-${Number(flags.vus) * 4} VUs`
    : `closed model, ${flags.vus} VUs`;
  console.log(
    `\nnode ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}; k6 ${version}, ${model} for ${flags.duration}\n`,
  );
  console.log(
    '| round | mode | k6 req/s | dropped iterations | load avg (1/5/15 min) | samples | data read | analysis CPU s | analysis peak RSS MiB |',
  );
  console.log('| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const a = r[r.mode];
    const data = a ? (r.mode === 'on' ? `${(a.bytes / 2 ** 10).toFixed(0)} KiB` : `${(a.bytes / 2 ** 20).toFixed(0)} MiB`) : '—';
    console.log(
      `| ${r.pair + 1} | ${r.mode} | ${Math.round(r.rate)} | ${r.dropped} | ${r.load} | ${a?.samples ?? '—'} | ${data} | ${a?.cpuS.toFixed(2) ?? '—'} | ${a?.rssMiB.toFixed(0) ?? '—'} |`,
    );
  }
  const rates = (mode) => results.filter((r) => r.mode === mode).map((r) => r.rate);
  const ratios = (mode) =>
    [...new Set(results.map((r) => r.pair))].map(
      (p) => results.find((r) => r.pair === p && r.mode === mode).rate / results.find((r) => r.pair === p && r.mode === 'off').rate,
    );
  console.log(
    `\nmedian req/s: off ${Math.round(median(rates('off')))}, on ${Math.round(median(rates('on')))}, json ${Math.round(median(rates('json')))}; ` +
      `per-round ratios on/off ${ratios('on')
        .map((x) => x.toFixed(3))
        .join(' ')} (median ${median(ratios('on')).toFixed(3)}), ` +
      `json/off ${ratios('json')
        .map((x) => x.toFixed(3))
        .join(' ')} (median ${median(ratios('json')).toFixed(3)}); ` +
      `analysis peak RSS: on ${Math.max(...results.filter((r) => r.on).map((r) => r.on.rssMiB)).toFixed(0)} MiB, json ${Math.max(...results.filter((r) => r.json).map((r) => r.json.rssMiB)).toFixed(0)} MiB`,
  );
  console.log(`\nSame run, both outputs (${Math.round(both.rate)} req/s): per-endpoint p(95), pushed vs exact`);
  console.log('| endpoint | requests pushed | requests exact | p(95) pushed ms | p(95) exact ms | difference |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, requests, p95] of both.on.endpoints) {
    const twin = both.json.endpoints.find((e) => e[0] === name);
    console.log(
      `| ${name} | ${requests} | ${twin?.[1] ?? '—'} | ${p95.toFixed(3)} | ${twin?.[2].toFixed(3) ?? '—'} | ${twin ? `${((p95 / twin[2] - 1) * 100).toFixed(2)} %` : '—'} |`,
    );
  }
  rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
