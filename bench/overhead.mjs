// Benchmark (not a CI test): what the gate costs on top of k6. Paired rounds A B A B …:
//   A = a bare `k6 run` of the bundled http-endpoints scenario (smoke, 2 VUs) against the demo target,
//   B = `k6-gate run` of the same scenario with the same knobs (k6 cached, the gate's defaults).
// Prints the medians of A and B, the median of the per-round ratios B/A, the gate's own time around
// k6 (wall minus k6's spawn-to-exit), and the start time of `k6-gate --version` next to `node -e 0`.
// Load averages are printed at the start and the end: the machine is shared.
//
//   node bench/overhead.mjs [rounds=5] [duration=3s] [--cli dist/cli.js] [--before OTHER/cli.js] [--no-html-report] [--health]
//
// --before adds a second build (e.g. the main branch's dist/cli.js) to every round and to the start
// timings, interleaved with the first, so a before/after comparison sees the same machine load.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadAverage, median } from './common.mjs';

const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv.splice(i, 2)[1];
};
const cli = path.resolve(flag('--cli') ?? 'dist/cli.js');
const beforeFlag = flag('--before');
const before = beforeFlag ? path.resolve(beforeFlag) : undefined;
const noHtml = argv.includes('--no-html-report') ? (argv.splice(argv.indexOf('--no-html-report'), 1), true) : false;
// --health: the gate's preflight asks the demo target's /health (no simulated latency), as a user
// with a health endpoint would configure it; without it the preflight asks the target's root, which
// answers after the demo's simulated 20 ± 10 ms like every other page.
const health = argv.includes('--health') ? (argv.splice(argv.indexOf('--health'), 1), true) : false;
const rounds = Number(argv[0] ?? 5);
const duration = argv[1] ?? '3s';
const scenariosDir = path.resolve('scenarios');
const env = { ...process.env, K6_GATE_SCENARIOS_DIR: scenariosDir };

const timed = (command, args, options) => {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { encoding: 'utf8', env, ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0 && run.status !== 1) {
    console.error(`${command} ${args.join(' ')} exited ${run.status}\n${run.stderr}`);
    process.exit(1);
  }
  return ms;
};

console.log(`load average at start: ${loadAverage()} (${os.cpus().length} cores, node ${process.version})`);
console.log(`cli: ${cli}`);

// Start time: `--version` against node doing nothing.
const startRuns = 15;
const versionMs = [];
const beforeVersionMs = [];
const nodeMs = [];
for (let i = 0; i < startRuns; i++) {
  nodeMs.push(timed(process.execPath, ['-e', '0']));
  versionMs.push(timed(process.execPath, [cli, '--version']));
  if (before) beforeVersionMs.push(timed(process.execPath, [before, '--version']));
}
console.log(
  `start: k6-gate --version median ${median(versionMs).toFixed(0)} ms${before ? ` (before: ${median(beforeVersionMs).toFixed(0)} ms)` : ''}, node -e 0 median ${median(nodeMs).toFixed(0)} ms (${startRuns} interleaved runs)`,
);

const install = spawnSync(process.execPath, [cli, 'install'], { encoding: 'utf8', env });
if (install.status !== 0) {
  console.error(install.stderr);
  process.exit(1);
}
const k6Path = install.stdout.trim();
const target = spawn(process.execPath, [cli, 'demo-target', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env });
const url = await new Promise((resolve) => createInterface({ input: target.stdout }).once('line', resolve));
const knobs = { VUS: '2', DURATION: duration, THINK_TIME: '0.1' };

const bare = () => {
  const ws = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-bench-bare-'));
  const args = ['run', '--quiet', '-e', `BASE_URL=${url}`, '-e', 'PROFILE=smoke'];
  for (const [k, v] of Object.entries(knobs)) args.push('-e', `${k}=${v}`);
  args.push(path.join(scenariosDir, 'http-endpoints.ts'));
  const ms = timed(k6Path, args, { cwd: ws });
  rmSync(ws, { recursive: true, force: true });
  return ms;
};
const gate = (cli) => {
  const ws = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-bench-gate-'));
  const args = [cli, 'run', 'http-endpoints', '--profile', 'smoke', '--target', url, '--k6-path', k6Path, '--fail-on', 'none'];
  for (const [k, v] of Object.entries(knobs)) args.push('--env', `${k}=${v}`);
  if (noHtml) args.push('--no-html-report');
  if (health) args.push('--health-url', `${url}/health`);
  const ms = timed(process.execPath, args, { cwd: ws });
  const result = JSON.parse(readFileSync(path.join(ws, 'k6-gate-results', 'comparison.json'), 'utf8'));
  rmSync(ws, { recursive: true, force: true });
  return { ms, k6Ms: result.scenarios[0].k6WallMs };
};

bare(); // warm-up: k6 compiles the TypeScript scenario, the target warms up
const rows = [];
for (let i = 0; i < rounds; i++) {
  const a = bare();
  const b = gate(cli);
  const c = before ? gate(before) : undefined;
  rows.push({ a, b: b.ms, k6: b.k6Ms, ratio: b.ms / a, ...(c ? { c: c.ms, cK6: c.k6Ms, cRatio: c.ms / a } : {}) });
  console.log(
    `round ${i + 1}: bare k6 ${a.toFixed(0)} ms, k6-gate ${b.ms.toFixed(0)} ms (k6 inside ${b.k6Ms} ms), ratio ${(b.ms / a).toFixed(3)}` +
      (c ? `; before ${c.ms.toFixed(0)} ms, ratio ${(c.ms / a).toFixed(3)}` : ''),
  );
}
target.kill('SIGINT');

console.log(
  `\n${rounds} paired rounds (A B${before ? ' C' : ''}), ${duration} smoke, 2 VUs${noHtml ? ', --no-html-report' : ''}${health ? ', preflight on /health' : ''}:` +
    `\n  bare k6 run    median ${median(rows.map((r) => r.a)).toFixed(0)} ms` +
    `\n  k6-gate run    median ${median(rows.map((r) => r.b)).toFixed(0)} ms (k6 inside it: median ${median(rows.map((r) => r.k6)).toFixed(0)} ms)` +
    `\n  ratio          median ${median(rows.map((r) => r.ratio)).toFixed(3)} (min ${Math.min(...rows.map((r) => r.ratio)).toFixed(3)}, max ${Math.max(...rows.map((r) => r.ratio)).toFixed(3)})` +
    `\n  gate around k6 median ${median(rows.map((r) => r.b - r.k6)).toFixed(0)} ms`,
);
if (before) {
  console.log(
    `  before: k6-gate run median ${median(rows.map((r) => r.c)).toFixed(0)} ms, ratio median ${median(rows.map((r) => r.cRatio)).toFixed(3)}` +
      ` (min ${Math.min(...rows.map((r) => r.cRatio)).toFixed(3)}, max ${Math.max(...rows.map((r) => r.cRatio)).toFixed(3)}),` +
      ` gate around k6 median ${median(rows.map((r) => r.c - r.cK6)).toFixed(0)} ms`,
  );
}
console.log(`load average at end: ${loadAverage()}`);
