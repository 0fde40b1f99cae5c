#!/usr/bin/env node
// Live sample analysis against k6 at full speed: does k6-gate keep up, and does it cost k6 any
// request rate? Not part of CI: it takes a minute or two and both cores.
//
//   node bench/analysis.mjs [--k6 PATH] [--vus 20] [--duration 10s] [--pairs 2] [--rate 5000]
//
// Without --rate, k6 runs a closed model (VUs loop as fast as they can: the highest rate k6 and
// the target reach together); with --rate N an open model (constant-arrival-rate, N requests/s).
// The demo target runs in its own process with no latency, so the request rate is what k6 and
// the target manage on this machine. Each pair runs k6 twice, A = k6 alone (no JSON output),
// J = k6 with `--out json=<file>` that nobody reads (what k6's own JSON output costs k6),
// B = the same file followed live by k6-gate's analysis in a separate process;
// A J B A J B … so drift of a shared machine hits all three. Reported per run: k6's achieved req/s
// (its own http_reqs rate), and for B the analysis process's CPU seconds and peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    k6: { type: 'string' },
    vus: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10s' },
    pairs: { type: 'string', default: '2' },
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
      ...['--outDir', out, '--rootDir', path.join(root, 'src'), '--module', 'nodenext', '--moduleResolution', 'nodenext'],
      ...['--target', 'es2022', '--skipLibCheck', '--types', 'node'],
      path.join(root, 'src/samples/live.ts'),
      path.join(root, 'src/samples/analysis.ts'),
      path.join(root, 'src/demo/target.ts'),
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

const uptime = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

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
export default function () { http.get('${url}/api/products/' + (1 + (__ITER % 20))); }
`,
  );
  const analyser = `
    const { startLiveAnalysis } = await import(${JSON.stringify(path.join(build, 'samples/live.js'))});
    const { analyseSamples } = await import(${JSON.stringify(path.join(build, 'samples/analysis.js'))});
    const live = startLiveAnalysis({ file: process.argv[1], pollMs: 200 });
    process.stdin.once('data', async () => {
      const r = await live.stop();
      const a = analyseSamples(r.aggregator);
      const cpu = process.cpuUsage();
      console.log(JSON.stringify({ samples: r.samples, bytes: r.bytes, cpuS: (cpu.user + cpu.system) / 1e6, endpoints: a.endpoints.map((e) => e.endpoint), problem: r.problem }));
      process.exit(0);
    });
  `;
  const results = [];
  for (let pair = 0; pair < Number(flags.pairs); pair++) {
    for (const mode of ['off', 'json', 'on']) {
      const summary = path.join(work, `summary-${pair}-${mode}.json`);
      const raw = path.join(work, `live-${pair}.json`);
      const args = ['run', '--quiet', '--no-color', '--summary-export', summary];
      let analysis;
      if (mode !== 'off') args.push('--out', `json=${raw}`);
      if (mode === 'on') {
        analysis = spawn('/usr/bin/time', ['-f', 'K6GATE_RSS_KB=%M', process.execPath, '--input-type=module', '-e', analyser, raw], {
          stdio: ['pipe', 'pipe', 'pipe'],
        });
      }
      const load = uptime();
      const k6run = await run(k6, [...args, script], { env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } });
      if (k6run.code !== 0) throw new Error(`k6 exited ${k6run.code}: ${k6run.err.slice(-400)}`);
      const metrics = JSON.parse(readFileSync(summary, 'utf8')).metrics;
      const row = { pair, mode, rate: metrics.http_reqs.rate, dropped: metrics.dropped_iterations?.count ?? 0, load };
      if (analysis) {
        let out = '';
        let err = '';
        analysis.stdout.on('data', (d) => (out += d));
        analysis.stderr.on('data', (d) => (err += d));
        const closed = new Promise((resolve) => analysis.on('close', resolve));
        analysis.stdin.write('stop\n');
        await closed;
        const detail = JSON.parse(out);
        Object.assign(row, detail, { rssMiB: Number(/K6GATE_RSS_KB=(\d+)/.exec(err)?.[1]) / 1024 });
      }
      rmSync(raw, { force: true });
      results.push(row);
      console.error(JSON.stringify(row));
    }
  }
  target.kill();
  const off = results.filter((r) => r.mode === 'off').map((r) => r.rate);
  const on = results.filter((r) => r.mode === 'on');
  const json = results.filter((r) => r.mode === 'json').map((r) => r.rate);
  const model = flags.rate
    ? `open model, ${flags.rate} req/s asked, ${flags.vus}-${Number(flags.vus) * 4} VUs`
    : `closed model, ${flags.vus} VUs`;
  console.log(`\nnode ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}; k6 ${model} for ${flags.duration}\n`);
  console.log(
    '| pair | mode | k6 req/s | dropped iterations | load avg (1/5/15 min) | samples | MiB read | analysis CPU s | analysis peak RSS MiB |',
  );
  console.log('| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.pair + 1} | ${r.mode} | ${Math.round(r.rate)} | ${r.dropped} | ${r.load} | ${r.samples ?? '—'} | ${r.bytes ? (r.bytes / 2 ** 20).toFixed(0) : '—'} | ${r.cpuS?.toFixed(2) ?? '—'} | ${r.rssMiB?.toFixed(0) ?? '—'} |`,
    );
  }
  const onRate = median(on.map((r) => r.rate));
  console.log(
    `\nmedian req/s: off ${Math.round(median(off))}, json only ${Math.round(median(json))}, on ${Math.round(onRate)} → on/off ${(onRate / median(off)).toFixed(3)}, on/json ${(onRate / median(json)).toFixed(3)}; analysis peak RSS ${Math.max(...on.map((r) => r.rssMiB)).toFixed(0)} MiB`,
  );
  rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
