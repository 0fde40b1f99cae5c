#!/usr/bin/env node
// Detection benchmark for the baseline engine (npm run bench:detection; not a CI test).
//
// Runs a real k6 repeatedly against the bundled demo target: one discarded warm-up run, HISTORY
// unchanged runs that build a baseline, then RUNS rounds. Each round tests every latency shift
// (0%, +10%, +20%, +30%) against the current baseline and then records one more unchanged run, as
// a default branch with update-baseline: auto would; so machine load drifting over time hits every
// shift alike. Each test run is judged by k6-gate's own compare code and by a plain "p95 more than
// 20% above the accepted baseline" rule. Prints false-alarm and detection rates side by side.
// Method and measured figures: docs/baseline.md.
//
//   node bench/detection.mjs [--duration 30s] [--history 10] [--runs 20] [--vus 2]
//                            [--latency 40] [--jitter 20] [--think 0.05] [--shifts 0,10,20,30]
//                            [--json results.json] [--k6 /path/to/k6]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSources } from './sources.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '30s' },
    history: { type: 'string', default: '10' },
    runs: { type: 'string', default: '20' },
    vus: { type: 'string', default: '2' },
    latency: { type: 'string', default: '40' },
    jitter: { type: 'string', default: '20' },
    think: { type: 'string', default: '0.05' },
    shifts: { type: 'string', default: '0,10,20,30' },
    json: { type: 'string' },
    k6: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log(usage());
  process.exit(0);
}

function usage() {
  return 'node bench/detection.mjs [--duration 30s] [--history 10] [--runs 20] [--vus 2] [--latency 40] [--jitter 20] [--think 0.05] [--shifts 0,10,20,30] [--json out.json] [--k6 PATH]';
}

function positive(name, text, integer = false) {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} ${JSON.stringify(text)} is not valid; expected ${integer ? 'a whole number' : 'a number'} ≥ 0`);
  }
  return value;
}

const settings = {
  duration: flags.duration,
  history: positive('history', flags.history, true),
  runs: positive('runs', flags.runs, true),
  vus: positive('vus', flags.vus, true),
  latencyMs: positive('latency', flags.latency),
  jitterMs: positive('jitter', flags.jitter),
  think: positive('think', flags.think),
  shifts: flags.shifts.split(',').map((s) => positive('shifts', s.trim()) / 100),
};
if (settings.vus > 5) throw new Error('--vus above 5 is more than this shared machine should take; expected 1-5');

function findK6() {
  const candidates = [flags.k6, process.env.K6_GATE_TEST_K6, path.join(os.homedir(), '.cache', 'k6-gate', 'go-bin', 'v2.2.0', 'k6')];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) throw new Error('no k6 found: pass --k6 PATH or set K6_GATE_TEST_K6 (bash .ci/run installs one)');
  return found;
}

/** The stand-in target when the demo target is not available: same latency model. */
async function startFallbackTarget(knobs) {
  let current = { ...knobs };
  const server = http.createServer((req, res) => {
    const delay = (current.latencyMs + Math.random() * current.jitterMs) * (1 + current.slowdown);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: [{ id: 1 }], path: req.url }));
    }, delay);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    setKnobs: (k) => (current = { ...current, ...k }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const K6_SCRIPT = `
import http from 'k6/http';
import { check, sleep } from 'k6';
const BASE = __ENV.BASE_URL;
export const options = {
  vus: Number(__ENV.VUS),
  duration: __ENV.DURATION,
  thresholds: { http_req_failed: ['rate<0.5'] },
};
export default function () {
  const id = 1 + Math.floor(Math.random() * 20);
  const res = Math.random() < 0.3 ? http.get(BASE + '/api/products', { tags: { name: 'list products' } })
                                  : http.get(BASE + '/api/products/' + id, { tags: { name: 'get product' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(Number(__ENV.THINK));
}
`;

function runK6(k6, script, url, summaryFile) {
  const args = [
    'run',
    '--quiet',
    '--no-color',
    '--summary-export',
    summaryFile,
    '--summary-trend-stats',
    'avg,min,med,max,p(90),p(95),p(99)',
    '-e',
    `BASE_URL=${url}`,
    '-e',
    `VUS=${settings.vus}`,
    '-e',
    `DURATION=${settings.duration}`,
    '-e',
    `THINK=${settings.think}`,
    script,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(k6, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`k6 exited with ${code}: ${stderr.slice(-500)}`))));
  });
}

function percent(part, whole) {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(0)}%`;
}

async function main() {
  const k6 = findK6();
  const lib = await buildSources(root);
  const work = path.join(root, 'build', 'bench-detection');
  await mkdir(work, { recursive: true });
  const script = path.join(work, 'smoke.js');
  await writeFile(script, K6_SCRIPT);
  const knobs = { latencyMs: settings.latencyMs, jitterMs: settings.jitterMs, errorRate: 0, slowdown: 0 };
  const target = lib.demo
    ? await lib.demo.startDemoTarget({ port: 0, seed: Date.now() % 100000, ...knobs })
    : await startFallbackTarget(knobs);
  const rules = { ...lib.rules.DEFAULT_RULES, historyLimit: Math.max(lib.rules.DEFAULT_RULES.historyLimit, settings.history) };
  const started = Date.now();
  let runIndex = 0;
  const total = 1 + settings.history + settings.runs * (settings.shifts.length + 1) - 1;

  async function measure(slowdown) {
    target.setKnobs({ slowdown });
    const file = path.join(work, `summary-${runIndex++}.json`);
    await runK6(k6, script, target.url, file);
    const summary = lib.summary.parseSummary(await readFile(file, 'utf8'), file);
    await rm(file, { force: true });
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    process.stderr.write(`\r  run ${runIndex}/${total} (${elapsed} s)   `);
    return summary;
  }

  console.log(
    `detection benchmark: k6 ${path.basename(path.dirname(k6))}, ${settings.vus} VUs × ${settings.duration}, think ${settings.think} s, target ${settings.latencyMs} ms + U(0, ${settings.jitterMs}) ms` +
      ` (${lib.demo ? 'demo target' : 'fallback server'}), history ${settings.history} runs, ${settings.runs} test runs per shift`,
  );
  console.log(
    `rules: tolerance ${rules.tolerance * 100}%, noise floor ${rules.noiseFloorMs} ms, ${rules.confidence * 100}% interval from ${rules.minHistory} runs; fixed rule: p95 > 1.2 × accepted`,
  );

  let baseline;
  const historyP95 = [];
  /** Every measured run in order, so that other decision rules can be replayed from the JSON. */
  const events = [];
  const record = (summary) => {
    historyP95.push(lib.summary.readStat(summary, 'http_req_duration', 'p(95)'));
    events.push({ kind: 'history', p95: historyP95.at(-1) });
    baseline = lib.update.updateBaseline(
      baseline,
      [{ key: 'smoke', scenario: 'smoke', summary, k6Version: 'bench', date: new Date().toISOString() }],
      rules,
    );
  };
  try {
    // The first run after start-up is slower (JIT, connection set-up in the target): not a baseline.
    await measure(0);
    for (let i = 0; i < settings.history; i++) record(await measure(0));
    const results = new Map(
      settings.shifts.map((s) => [s, { runs: 0, p95Flagged: 0, anyFlagged: 0, fixedFlagged: 0, p95: [], flaggedMetrics: {} }]),
    );
    for (let round = 0; round < settings.runs; round++) {
      // Like pull requests between two default-branch runs: every shift is tested against the
      // current baseline, then one more unchanged run is recorded (update-baseline: auto on main).
      for (const shift of settings.shifts) {
        const summary = await measure(shift);
        const comparisons = lib.compare.compareToBaseline({ key: 'smoke', summary, baseline, rules });
        const p95 = comparisons.find((c) => c.metric === 'http_req_duration' && c.stat === 'p(95)');
        const r = results.get(shift);
        r.runs++;
        r.p95.push(p95.current);
        events.push({
          kind: 'test',
          shift,
          p95: p95.current,
          verdict: p95.verdict,
          regressions: comparisons.filter(lib.compare.isRegression).map((c) => `${c.metric} ${c.stat}`),
        });
        if (p95.verdict === 'regressed') r.p95Flagged++;
        const flagged = comparisons.filter(lib.compare.isRegression);
        if (flagged.length > 0) r.anyFlagged++;
        for (const c of flagged) r.flaggedMetrics[`${c.metric} ${c.stat}`] = (r.flaggedMetrics[`${c.metric} ${c.stat}`] ?? 0) + 1;
        if (p95.current > 1.2 * p95.baseline) r.fixedFlagged++;
      }
      if (round < settings.runs - 1) record(await measure(0));
    }
    process.stderr.write('\n');
    const accepted = baseline.scenarios.smoke.metrics.http_req_duration['p(95)'].accepted;
    const logs = historyP95.slice(-rules.historyLimit).map(Math.log);
    const meanLog = logs.reduce((a, b) => a + b, 0) / logs.length;
    const cv = Math.sqrt(logs.reduce((a, b) => a + (b - meanLog) ** 2, 0) / Math.max(1, logs.length - 1));
    console.log(
      `final baseline p95 ${accepted.toFixed(1)} ms (median of the last ${logs.length}); run-to-run spread of p95 ${(cv * 100).toFixed(1)}% (sd of log values)`,
    );
    console.log('');
    console.log('shift   runs  mean p95   k6-gate: p95 flagged   any watched metric   fixed +20% rule: p95 flagged');
    const rows = [];
    for (const [shift, r] of results) {
      const mean = r.p95.reduce((a, b) => a + b, 0) / r.p95.length;
      const label = shift === 0 ? '  0%' : `+${(shift * 100).toFixed(0)}%`;
      const kind = shift === 0 ? 'false alarms' : 'detected';
      console.log(
        `${label.padEnd(6)}  ${String(r.runs).padStart(4)}  ${mean.toFixed(1).padStart(6)} ms   ${`${percent(r.p95Flagged, r.runs)} ${kind}`.padEnd(21)}  ${percent(r.anyFlagged, r.runs).padEnd(19)}  ${percent(r.fixedFlagged, r.runs)} ${kind}`,
      );
      rows.push({
        shift,
        runs: r.runs,
        meanP95: mean,
        p95Flagged: r.p95Flagged,
        anyFlagged: r.anyFlagged,
        fixedFlagged: r.fixedFlagged,
        flaggedMetrics: r.flaggedMetrics,
      });
    }
    for (const row of rows) {
      if (Object.keys(row.flaggedMetrics).length > 0) {
        console.log(
          `  flagged at ${(row.shift * 100).toFixed(0)}%: ${Object.entries(row.flaggedMetrics)
            .map(([m, n]) => `${m} ×${n}`)
            .join(', ')}`,
        );
      }
    }
    console.log(`total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (flags.json) {
      await writeFile(
        flags.json,
        `${JSON.stringify({ settings, rules: { ...rules, watch: rules.watch.map((w) => `${w.metric}:${w.stat}`) }, accepted, rows, events }, null, 2)}\n`,
      );
    }
  } finally {
    await target.close();
  }
}

main().catch((error) => {
  console.error(`\ndetection benchmark failed: ${error.message}`);
  process.exitCode = 1;
});
