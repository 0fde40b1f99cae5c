// Benchmark (not a CI test): the gate's own overhead = wall time of `k6-gate run` minus the time
// k6 itself ran (spawn to exit), with k6 already cached. Uses the built CLI and the demo target.
//
//   node bench/overhead.mjs [runs=5] [duration=5s]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const runs = Number(process.argv[2] ?? 5);
const duration = process.argv[3] ?? '5s';
const cli = path.resolve('dist/cli.js');

const k6 = spawnSync(process.execPath, [cli, 'install'], { encoding: 'utf8' });
if (k6.status !== 0) {
  console.error(k6.stderr);
  process.exit(1);
}
const k6Path = k6.stdout.trim();

const target = spawn(process.execPath, [cli, 'demo-target', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => createInterface({ input: target.stdout }).once('line', resolve));

const rows = [];
for (let i = 0; i < runs; i++) {
  const ws = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-bench-'));
  const started = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [
      cli,
      'run',
      'http-endpoints',
      '--profile',
      'smoke',
      '--target',
      url,
      '--k6-path',
      k6Path,
      '--env',
      'VUS=2',
      '--env',
      `DURATION=${duration}`,
      '--env',
      'THINK_TIME=0.1',
      '--fail-on',
      'none',
    ],
    { cwd: ws, encoding: 'utf8' },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) {
    console.error(run.stderr);
    process.exit(1);
  }
  const result = JSON.parse(readFileSync(path.join(ws, 'k6-gate-results', 'comparison.json'), 'utf8'));
  const k6Ms = result.scenarios[0].k6WallMs;
  rows.push({ wallMs, k6Ms, overheadMs: wallMs - k6Ms });
  rmSync(ws, { recursive: true, force: true });
  console.log(`run ${i + 1}: wall ${wallMs.toFixed(0)} ms, k6 ${k6Ms} ms, gate overhead ${(wallMs - k6Ms).toFixed(0)} ms`);
}
target.kill('SIGINT');
const sorted = rows.map((r) => r.overheadMs).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(
  `\ngate overhead over ${runs} runs (k6 ${duration} smoke, k6 cached): median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms`,
);
console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
