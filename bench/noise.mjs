#!/usr/bin/env node
// Noise lab (npm run bench:noise; a benchmark, not a CI test). What a shared CI runner does to a
// load test, on this machine, with the real k6 and the demo target; every decision method judged
// side by side on the same runs. docs/verdicts.md has the method and the measured table.
//
// Two phases:
//   --record DIR   live: runs k6 (raw samples `--out json`) under each noise profile and keeps every
//                  run's samples in DIR (index.json + one .json.gz per run), with `uptime` per run.
//   --replay DIR   offline: thousands of decisions by resampling the recorded runs (seconds, no k6).
// Without either, records into build/bench-noise and replays it.
//   --duet N       live duets (A and B at the same time, src/verdict/duet/run.ts, the real k6): N decisions
//                  per profile and shift (--duet-shifts), each decision's per-window histograms of both
//                  sides saved in --duet-dir (default build/bench-duet), then replayed.
//   --duet-replay DIR  offline: --decisions virtual duets per recorded cell, built from blocks of
//                  --duet-replay-block paired windows of the recorded decisions (seconds, no k6); the
//                  unchanged recordings are also replayed with B's latencies × (1 + s) for each
//                  --duet-replay-shifts s (default 2,5,10,20).
//   --demo N [--slowdown 50%]  the bundled `k6-gate demo` (dist/cli.js, 10 s) N times with the CPU-burning
//                  neighbour running; counts passes and failures (the demo must pass unchanged, and fail
//                  with --slowdown 50%, every time).
//
// Profiles (combinable with +): quiet (nothing added), shared-runner (a CPU-burning neighbour
// process on the load generator, busy `--duty` of every 100 ms, started and stopped by the bench),
// drift (the target's base latency wanders ±10 % from run to run, a slow sine).
// Machine shift: the history is drawn from --history-profile runs, the tested runs from
// --test-profile runs. Shifts: latency × (1 + shift) applied to the test run's samples at replay
// (the demo target's `slowdown` knob scales its own latency only; scaling the measured samples also
// scales the client-side part, so a replayed +10 % is a little easier to see than a live one).
//
//   node bench/noise.mjs [--record DIR | --replay DIR] [--profiles quiet,shared-runner,drift]
//                        [--runs 8] [--duration 10s] [--vus 2] [--duty 0.5]
//                        [--history-profile quiet] [--test-profile shared-runner]
//                        [--shifts 0,5,10,20,30] [--decisions 500] [--watch p(95),p(99)] [--ab-round 0.333] [--seed 1] [--json out.json] [--k6 PATH]
//   node bench/noise.mjs --duet N [--duet-dir DIR] [--profiles shared-runner] [--duet-shifts 0,2,5,10,20] [--duet-vus 4]
//                        [--duet-block 20] [--duet-max 60] [--duty 0.5] [--decisions 1000] [--json out.json]
//   node bench/noise.mjs --duet-replay DIR [--decisions 1000] [--duet-replay-block 10] [--duet-replay-shifts 2,5,10,20] [--seed 1]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSources } from './sources.mjs';
import { median, random } from './common.mjs';
import {
  analyseRecorded,
  decideRecorded,
  liveDuetRows,
  printAutocorrelation,
  printRuleComparison,
  printSimulation,
  simulateDuets,
  printDuetTable,
  recordDuets,
  replayDuets,
  startNeighbour,
} from './duet.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    record: { type: 'string' },
    replay: { type: 'string' },
    demo: { type: 'string' },
    duet: { type: 'string' },
    'duet-dir': { type: 'string' },
    'duet-replay': { type: 'string' },
    'duet-replay-block': { type: 'string', default: '10' },
    'duet-replay-shifts': { type: 'string', default: '2,5,10,20' },
    'duet-shifts': { type: 'string', default: '0,2,5,10,20' },
    'duet-cells': { type: 'string' },
    'duet-analyse': { type: 'string' },
    'duet-sim': { type: 'boolean', default: false },
    'duet-sim-rho': { type: 'string', default: '-0.2,-0.1,0,0.15,0.3,0.5' },
    'duet-full': { type: 'boolean', default: false },
    'duet-vus': { type: 'string', default: '4' },
    'duet-block': { type: 'string', default: '20' },
    'duet-max': { type: 'string', default: '60' },
    slowdown: { type: 'string', default: '0' },
    profiles: { type: 'string', default: 'quiet,shared-runner,drift' },
    runs: { type: 'string', default: '8' },
    duration: { type: 'string', default: '10s' },
    vus: { type: 'string', default: '2' },
    duty: { type: 'string', default: '0.5' },
    'history-profile': { type: 'string', default: 'quiet' },
    'test-profile': { type: 'string', default: 'shared-runner' },
    shifts: { type: 'string', default: '0,5,10,20,30' },
    decisions: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    'ab-round': { type: 'string', default: '0.333' },
    watch: { type: 'string', default: 'p(95),p(99)' },
    json: { type: 'string' },
    k6: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log(fileURLToPathHeader());
  process.exit(0);
}
function fileURLToPathHeader() {
  return [
    'node bench/noise.mjs [--record DIR | --replay DIR] [--profiles quiet,shared-runner,drift] [--runs 8] [--duration 10s] [--vus 2] [--duty 0.5] [--history-profile quiet] [--test-profile shared-runner] [--shifts 0,5,10,20,30] [--decisions 500] [--json out.json] [--k6 PATH]',
    'node bench/noise.mjs --duet N [--duet-dir DIR] [--profiles shared-runner] [--duet-shifts 0,2,5,10,20] [--duet-vus 4] [--duet-block 20] [--duet-max 60] [--duty 0.5] [--decisions 1000] [--json out.json] [--k6 PATH]',
    'node bench/noise.mjs --duet-replay DIR [--decisions 1000] [--duet-replay-block 10] [--duet-replay-shifts 2,5,10,20] [--seed 1]',
    'node bench/noise.mjs --demo N [--slowdown 50%]',
  ].join('\n');
}
const number = (name, text, { integer = false, min = 0, max = Infinity } = {}) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(
      `--${name} ${JSON.stringify(text)} is not valid; expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`,
    );
  }
  return value;
};
const settings = {
  profiles: flags.profiles.split(',').map((p) => p.trim()),
  runs: number('runs', flags.runs, { integer: true, min: 2 }),
  duration: flags.duration,
  vus: number('vus', flags.vus, { integer: true, min: 1, max: 5 }),
  duty: number('duty', flags.duty, { max: 1 }),
  historyProfile: flags['history-profile'],
  testProfile: flags['test-profile'],
  shifts: flags.shifts.split(',').map((s) => number('shifts', s.trim(), { max: 500 }) / 100),
  decisions: number('decisions', flags.decisions, { integer: true, min: 1 }),
  seed: number('seed', flags.seed, { integer: true }),
  abRound: number('ab-round', flags['ab-round'], { min: 0.01, max: 1 }),
};
const KNOWN_PARTS = ['quiet', 'shared-runner', 'drift'];
for (const profile of settings.profiles) {
  for (const part of profile.split('+')) {
    if (!KNOWN_PARTS.includes(part))
      throw new Error(`unknown noise profile ${JSON.stringify(part)}; expected ${KNOWN_PARTS.join(', ')} (combine with +)`);
  }
}

function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' })
      .trim()
      .replace(/^.*load average/, 'load average');
  } catch {
    return `load average: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`;
  }
}

function findK6() {
  const candidates = [
    flags.k6,
    process.env.K6_GATE_TEST_K6,
    path.join(os.homedir(), '.cache', 'k6-gate', 'tool-cache', 'k6', '2.2.0', 'x64', 'k6'),
  ];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) throw new Error('no k6 found: pass --k6 PATH or set K6_GATE_TEST_K6');
  return found;
}

const K6_SCRIPT = `
import http from 'k6/http';
import { check, sleep } from 'k6';
const BASE = __ENV.BASE_URL;
export const options = { vus: Number(__ENV.VUS), duration: __ENV.DURATION };
export default function () {
  const id = 1 + Math.floor(Math.random() * 20);
  const res = Math.random() < 0.3 ? http.get(BASE + '/api/products?limit=5') : http.get(BASE + '/api/products/' + id);
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(0.05);
}
`;

function runK6(k6, script, url, rawFile) {
  const args = [
    'run',
    '--quiet',
    '--no-color',
    '--out',
    `json=${rawFile}`,
    '-e',
    `BASE_URL=${url}`,
    '-e',
    `VUS=${settings.vus}`,
    '-e',
    `DURATION=${settings.duration}`,
    script,
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(k6, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve((Date.now() - started) / 1000) : reject(new Error(`k6 exited with ${code}: ${stderr.slice(-500)}`)),
    );
  });
}

async function record(dir, lib) {
  const k6 = findK6();
  await mkdir(dir, { recursive: true });
  const script = path.join(dir, 'smoke.js');
  await writeFile(script, K6_SCRIPT);
  const base = { latencyMs: 20, jitterMs: 10, errorRate: 0, slowdown: 0 };
  const target = await lib.demo.startDemoTarget({ port: 0, seed: settings.seed, ...base });
  const index = { settings, k6, started: new Date().toISOString(), uptimeAtStart: uptime(), runs: [] };
  let n = 0;
  const total = settings.profiles.length * settings.runs;
  try {
    // Warm-up (JIT, connections): not recorded.
    await runK6(k6, script, target.url, path.join(dir, 'warmup.json.gz'));
    // Profiles interleaved run by run, so load from the other users of the machine hits all alike.
    for (let i = 0; i < settings.runs; i++) {
      for (const profile of settings.profiles) {
        const parts = profile.split('+');
        const drift = parts.includes('drift') ? 0.1 * Math.sin((2 * Math.PI * i) / settings.runs) : 0;
        target.setKnobs({ latencyMs: base.latencyMs * (1 + drift) });
        const stop = parts.includes('shared-runner') ? startNeighbour(settings.duty) : () => undefined;
        const file = `${profile}-${i}.json.gz`;
        let seconds;
        try {
          seconds = await runK6(k6, script, target.url, path.join(dir, file));
        } finally {
          stop();
        }
        index.runs.push({ profile, file, k6Seconds: seconds, drift, uptime: uptime() });
        process.stderr.write(`\r  recorded ${++n}/${total} (${profile}, ${seconds.toFixed(1)} s of k6)   `);
      }
    }
  } finally {
    await target.close();
  }
  process.stderr.write('\n');
  index.uptimeAtEnd = uptime();
  await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

/** A sorted sample set with the interface the sampling module reads. */
function sorted(values) {
  const data = Float64Array.from(values).sort();
  return { count: data.length, valueAtRank: (r) => data[Math.min(Math.max(0, r), data.length - 1)], data };
}

function percentileOf(set, percent) {
  // k6's way: rank p·(n−1), linear interpolation.
  const position = (percent / 100) * (set.count - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return set.data[lo] + (set.data[hi] - set.data[lo]) * (position - lo);
}

async function replay(dir, lib, index) {
  index ??= JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
  const runsByProfile = new Map();
  for (const run of index.runs) {
    const samples = await lib.samples.collectRunSamples(path.join(dir, run.file), ['http_req_duration']);
    const trend = samples.get('http_req_duration');
    const values = Array.from({ length: trend.count }, (_, r) => trend.valueAtRank(r));
    const list = runsByProfile.get(run.profile) ?? [];
    list.push({ ...run, values });
    runsByProfile.set(run.profile, list);
  }
  const historyRuns = runsByProfile.get(settings.historyProfile);
  const testRuns = runsByProfile.get(settings.testProfile);
  if (!historyRuns || !testRuns) {
    throw new Error(
      `the recording has no runs of ${!historyRuns ? settings.historyProfile : settings.testProfile}; it has: ${[...runsByProfile.keys()].join(', ')}`,
    );
  }
  const rand = random(settings.seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  /** One virtual run: a recorded run chosen at random, its requests bootstrapped, latency × (1 + shift). */
  const virtualRun = (list, shift, run = pick(list), fraction = 1) => {
    const n = run.values.length;
    const size = Math.max(1, Math.round(n * fraction));
    const values = new Array(size);
    for (let i = 0; i < size; i++) values[i] = run.values[Math.floor(rand() * n)] * (1 + shift);
    return { set: sorted(values), k6Seconds: run.k6Seconds * fraction };
  };
  /**
   * One A/B pair: A and B come from two recorded runs ADJACENT in time (same profile), so whatever
   * the machine did then hits both, as in a live ABBA pair; each is cut to --ab-round of a run
   * (a third of a 30 s run = a 10 s round) by drawing that share of its requests.
   */
  const abPair = (list, shift, sameRun) => {
    const j = Math.floor(rand() * (list.length - 1));
    const [first, second] = sameRun ? [list[j], list[j]] : rand() < 0.5 ? [list[j], list[j + 1]] : [list[j + 1], list[j]];
    return { a: virtualRun(list, 0, first, settings.abRound), b: virtualRun(list, shift, second, settings.abRound) };
  };
  const rules = lib.rules.DEFAULT_RULES;
  const stats = flags.watch.split(',').map((stat) => {
    const percent = lib.sampling.percentOfStat(stat.trim());
    if (percent === undefined) throw new Error(`--watch ${JSON.stringify(stat)} is not a percentile; expected e.g. p(95),p(99)`);
    return [stat.trim(), percent];
  });
  const methods = [
    'fixed +20%',
    'history',
    'history + sample bands',
    'sample bands + confirm 1',
    'sample bands + confirm 2',
    'A/B, adjacent runs',
    'A/B, same-run pairs',
  ];
  const table = [];
  for (const shift of settings.shifts) {
    const counts = Object.fromEntries(
      methods.map((m) => [m, { flagged: 0, inconclusive: 0, k6Seconds: 0, byStat: { 'p(95)': 0, 'p(99)': 0 } }]),
    );
    for (let d = 0; d < settings.decisions; d++) {
      // A fresh history of historyLimit runs for each decision, recorded under the history profile.
      const history = Array.from({ length: rules.historyLimit }, () => virtualRun(historyRuns, 0).set);
      const judge = (set, stat, percent, withBands) => {
        const values = history.map((h) => percentileOf(h, percent));
        const accepted = lib.sampling ? median(values) : values[0];
        const interval = withBands ? lib.sampling.percentileInterval(set, percent, 0.95) : undefined;
        return lib.compare.decide({
          accepted,
          current: percentileOf(set, percent),
          history: values,
          direction: 'lower-is-better',
          unit: 'ms',
          tolerance: rules.tolerance,
          noiseFloor: rules.noiseFloorMs,
          confidence: rules.confidence,
          minHistory: rules.minHistory,
          sampling: interval ? { n: set.count, low: interval.low, high: interval.high, confidence: 0.95 } : undefined,
        }).verdict;
      };
      const firedStats = (set, withBands) =>
        stats.filter(([stat, percent]) => judge(set, stat, percent, withBands) === 'regressed').map(([s]) => s);
      const note = (method, fired, seconds) => {
        const c = counts[method];
        c.k6Seconds += seconds;
        if (fired.length > 0) c.flagged++;
        for (const s of fired) c.byStat[s]++;
      };
      const first = virtualRun(testRuns, shift);
      // Fixed rule: p95 more than 20 % above the accepted (median of the history).
      const accepted95 = median(history.map((h) => percentileOf(h, 95)));
      note('fixed +20%', percentileOf(first.set, 95) > 1.2 * accepted95 ? ['p(95)'] : [], first.k6Seconds);
      note('history', firedStats(first.set, false), first.k6Seconds);
      // Inconclusive: nothing regressed and some watched statistic's verdict is `inconclusive`.
      for (const [method, withBands] of [
        ['history', false],
        ['history + sample bands', true],
      ]) {
        const verdicts = stats.map(([stat, percent]) => judge(first.set, stat, percent, withBands));
        if (!verdicts.includes('regressed') && verdicts.includes('inconclusive')) counts[method].inconclusive++;
      }
      const banded = firedStats(first.set, true);
      note('history + sample bands', banded, first.k6Seconds);
      for (const [method, reruns] of [
        ['sample bands + confirm 1', 1],
        ['sample bands + confirm 2', 2],
      ]) {
        let persisting = banded;
        let seconds = first.k6Seconds;
        for (let k = 0; k < reruns && persisting.length > 0; k++) {
          const again = virtualRun(testRuns, shift);
          seconds += again.k6Seconds;
          const fired = firedStats(again.set, true);
          persisting = persisting.filter((s) => fired.includes(s));
        }
        note(method, persisting, seconds);
      }
      // A/B: both sides on the test runner; A unshifted, B shifted; per-round p95 / p99. Two
      // pairings: adjacent recorded runs (conservative: ~1.5 min apart here, live pairs are
      // back to back) and both sides drawn from the same run (ideal pairing, an upper bound).
      for (const [method, sameRun] of [
        ['A/B, adjacent runs', false],
        ['A/B, same-run pairs', true],
      ]) {
        const pairs = Array.from({ length: lib.ab.AB_PAIRS }, () => abPair(testRuns, shift, sameRun));
        const abFired = stats
          .filter(([, percent]) => {
            const decision = lib.ab.decidePaired(
              pairs.map((p) => percentileOf(p.a.set, percent)),
              pairs.map((p) => percentileOf(p.b.set, percent)),
              'lower-is-better',
              'ms',
              rules.noiseFloorMs,
            );
            return decision.verdict === 'regressed';
          })
          .map(([s]) => s);
        note(
          method,
          abFired,
          pairs.reduce((sum, p) => sum + p.a.k6Seconds + p.b.k6Seconds, 0),
        );
      }
    }
    for (const method of methods) {
      const c = counts[method];
      const w = lib.sampling.wilsonInterval(c.flagged, settings.decisions, 0.95);
      table.push({
        shift,
        method,
        decisions: settings.decisions,
        flagged: c.flagged,
        inconclusive: ['history', 'history + sample bands'].includes(method) ? c.inconclusive : undefined,
        rate: c.flagged / settings.decisions,
        wilson: [w.low, w.high],
        k6SecondsPerDecision: c.k6Seconds / settings.decisions,
        byStat: c.byStat,
      });
    }
  }
  const samplesPerRun = (list) => median(list.map((r) => r.values.length));
  return {
    table,
    samplesPerRun: { history: samplesPerRun(historyRuns), test: samplesPerRun(testRuns) },
    runs: Object.fromEntries([...runsByProfile].map(([p, l]) => [p, l.length])),
  };
}

function printTable(result, index) {
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  console.log(
    `replay of ${Object.entries(result.runs)
      .map(([p, n]) => `${n} ${p}`)
      .join(', ')} recorded runs (${index.settings.vus} VUs × ${index.settings.duration});`,
  );
  console.log(
    `history from ${settings.historyProfile} runs (~${result.samplesPerRun.history} requests each), tested runs from ${settings.testProfile} (~${result.samplesPerRun.test}); ${settings.decisions} decisions per cell`,
  );
  console.log(`recorded ${index.started}: ${index.uptimeAtStart} … ${index.uptimeAtEnd}`);
  console.log('');
  console.log('| shift | method | flagged | rate (95% Wilson) | inconclusive | p(95) / p(99) fired | k6 s per decision |');
  console.log('| ---: | --- | ---: | --- | ---: | --- | ---: |');
  for (const row of result.table) {
    console.log(
      `| ${row.shift === 0 ? '0%' : `+${(row.shift * 100).toFixed(0)}%`} | ${row.method} | ${row.flagged}/${row.decisions} | ${pct(row.rate)} (${pct(row.wilson[0])}–${pct(row.wilson[1])}) | ${row.inconclusive === undefined ? '—' : row.inconclusive} | ${row.byStat['p(95)']} / ${row.byStat['p(99)']} | ${row.k6SecondsPerDecision.toFixed(1)} |`,
    );
  }
}

/** `k6-gate demo` N times on a busy machine: exit statuses and what fired. */
async function demoRuns(count) {
  const k6 = findK6();
  const cwd = path.join(root, 'build', 'bench-noise-demo');
  await mkdir(cwd, { recursive: true });
  const stop = startNeighbour(settings.duty);
  const statuses = [];
  const fired = {};
  try {
    for (let i = 0; i < count; i++) {
      const { status, stdout } = await new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          [path.join(root, 'dist', 'cli.js'), 'demo', '--k6-path', k6, '--json', '--no-html-report', '--slowdown', flags.slowdown],
          {
            cwd,
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        );
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('close', (code) => resolve({ status: code, stdout: out }));
      });
      statuses.push(status);
      try {
        for (const s of JSON.parse(stdout).scenarios) {
          for (const m of s.metrics.filter((x) => x.verdict === 'regressed'))
            fired[`${m.metric} ${m.stat}`] = (fired[`${m.metric} ${m.stat}`] ?? 0) + 1;
        }
      } catch {
        // A run without JSON output counts by its status only.
      }
      process.stderr.write(`\r  demo ${i + 1}/${count}: exit ${status}   `);
    }
  } finally {
    stop();
  }
  process.stderr.write('\n');
  const failed = statuses.filter((s) => s !== 0).length;
  const w = (await buildSources(root)).sampling.wilsonInterval(failed, count, 0.95);
  console.log(
    `k6-gate demo --slowdown ${flags.slowdown} × ${count} with a CPU-burning neighbour (duty ${settings.duty}): ${failed}/${count} failed ` +
      `(${(100 * w.low).toFixed(1)}–${(100 * w.high).toFixed(1)} % Wilson 95 %), exits ${statuses.join(' ')}; fired: ${JSON.stringify(fired)}; ${uptime()}`,
  );
}

/**
 * A recording of live duets analysed (--duet-analyse DIR): the windows' autocorrelation per
 * statistic, and the recorded duets decided by the default rule and by the rules it was chosen
 * against, at the looks the live runner made.
 */
async function duetAnalysis(dir) {
  const lib = await buildSources(root);
  const started = Date.now();
  const auto = await analyseRecorded(dir, lib);
  printAutocorrelation(auto);
  const defaults = lib.duetDecision.DEFAULT_DUET_OPTIONS;
  const rule = lib.duetDecision.DUET_BLOCK_RULE;
  const variants = [
    { name: 'defaults', options: defaults },
    { name: 'b = ⌈3·n^(1/3)⌉ (the rule before 2 December 2026)', options: { ...defaults, blockRule: { scale: 3 } } },
    { name: 'b = ⌈n^(1/3)⌉ without the guard', options: { ...defaults, blockRule: { scale: rule.scale } } },
    { name: 'defaults, 2 s windows', options: defaults, windowSeconds: 2 },
    { name: "O'Brien–Fleming spending", options: { ...defaults, spending: 'obrien-fleming' } },
    ...[0.01, 0.02, 0.03, 0.04]
      .filter((m) => m !== defaults.minEffect)
      .map((m) => ({ name: `practical size ${m * 100} %`, options: { ...defaults, minEffect: m } })),
  ];
  const scaledShifts = flags['duet-replay-shifts']
    .split(',')
    .filter((x) => x.trim() !== '')
    .map((x) => number('duet-replay-shifts', x.trim(), { max: 500 }) / 100);
  const decided = await decideRecorded(dir, lib, { variants, scaledShifts });
  const index = decided.index;
  for (const v of variants) {
    const r = decided.variants[v.name];
    printDuetTable(
      `recorded live duets (${index.started}: ${index.uptimeAtStart} … ${index.uptimeAtEnd}) decided by: ${v.name}${r.truncated ? ` (${r.truncated} left out: the recording stopped before the rule did)` : ''}`,
      r.rows,
    );
  }
  printRuleComparison(decided.variants, lib);
  console.log(`\nanalysed at ${uptime()}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify({ autocorrelation: auto.rows, variants: decided.variants }, null, 2)}\n`);
}

/** The duet decision on simulated windows (--duet-sim): false alarms per ρ and rule, power per shift. */
async function duetSimulation() {
  const lib = await buildSources(root);
  const started = Date.now();
  const result = simulateDuets(lib, {
    rhos: flags['duet-sim-rho'].split(',').map((x) => number('duet-sim-rho', x.trim(), { min: -0.9, max: 0.9 })),
    decisions: settings.decisions,
    seed: settings.seed,
    shifts: [0.02, 0.05, 0.1, 0.2],
  });
  printSimulation(result, settings.decisions);
  console.log(`\nsimulated at ${uptime()}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify(result, null, 2)}\n`);
}

/** Live duets (--duet N) and/or their replay (--duet-replay DIR). */
async function duetLab() {
  const lib = await buildSources(root);
  const started = Date.now();
  let dir = flags['duet-replay'];
  const out = {};
  if (flags.duet !== undefined) {
    dir = path.resolve(flags['duet-dir'] ?? path.join(root, 'build', 'bench-duet'));
    const index = await recordDuets(dir, lib, {
      k6: findK6(),
      k6Version: '2.2.0',
      count: number('duet', flags.duet, { integer: true, min: 1 }),
      profiles: settings.profiles,
      shifts: flags['duet-shifts'].split(',').map((s) => number('duet-shifts', s.trim(), { max: 500 }) / 100),
      cells: flags['duet-cells']?.split(',').map((cell) => {
        const [profile, shift] = cell.trim().split(':');
        if (!profile.split('+').every((part) => KNOWN_PARTS.includes(part)) || shift === undefined) {
          throw new Error(`--duet-cells ${JSON.stringify(cell)}; expected profile:shift such as shared-runner:5`);
        }
        return { profile, shift: number('duet-cells', shift, { max: 500 }) / 100 };
      }),
      fullLength: flags['duet-full'],
      vus: number('duet-vus', flags['duet-vus'], { integer: true, min: 1, max: 10 }),
      duty: settings.duty,
      blockMs: 1000 * number('duet-block', flags['duet-block'], { integer: true, min: 12 }),
      maxDurationMs: 1000 * number('duet-max', flags['duet-max'], { integer: true, min: 12 }),
      seed: settings.seed,
      uptime,
    });
    out.live = liveDuetRows(index, lib);
    printDuetTable(
      `live duets (k6 ${index.k6Version}, ${index.settings.vus} VUs per side, blocks of ${index.settings.blockMs / 1000} s up to ${index.settings.maxDurationMs / 1000} s), ${index.started}: ${index.uptimeAtStart} … ${index.uptimeAtEnd}`,
      out.live,
    );
  }
  const replayed = await replayDuets(path.resolve(dir), lib, {
    decisions: settings.decisions,
    seed: settings.seed,
    blockWindows: number('duet-replay-block', flags['duet-replay-block'], { integer: true, min: 1 }),
    scaledShifts: flags['duet-replay-shifts']
      .split(',')
      .filter((x) => x.trim() !== '')
      .map((x) => number('duet-replay-shifts', x.trim(), { max: 500 }) / 100),
  });
  out.replay = replayed.rows;
  printDuetTable(
    `replayed: ${settings.decisions} virtual duets per cell from blocks of ${flags['duet-replay-block']} paired windows of the recorded decisions (${Object.entries(
      replayed.sources,
    )
      .map(([cell, n]) => `${cell}: ${n}`)
      .join(', ')})`,
    out.replay,
  );
  console.log(`\nreplayed at ${uptime()}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify(out, null, 2)}\n`);
}

async function main() {
  if (flags.demo !== undefined) return demoRuns(number('demo', flags.demo, { integer: true, min: 1 }));
  if (flags['duet-sim']) return duetSimulation();
  if (flags['duet-analyse'] !== undefined) return duetAnalysis(path.resolve(flags['duet-analyse']));
  if (flags.duet !== undefined || flags['duet-replay'] !== undefined) return duetLab();
  const lib = await buildSources(root);
  const started = Date.now();
  let dir = flags.replay ?? flags.record ?? path.join(root, 'build', 'bench-noise');
  let index;
  if (!flags.replay) index = await record(dir, lib);
  else dir = path.resolve(dir);
  index ??= JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
  const result = await replay(dir, lib, index);
  printTable(result, index);
  console.log(`\nreplayed at ${uptime()}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (flags.json)
    await writeFile(flags.json, `${JSON.stringify({ settings, recorded: { ...index, runs: index.runs.length }, ...result }, null, 2)}\n`);
}

main().catch((error) => {
  console.error(`\nnoise lab failed: ${error.message}`);
  process.exitCode = 1;
});
