// `npm run bench:demo-ab`: does `k6-gate demo --ab` tell an unchanged candidate from one 5 % slower,
// every time, on a busy machine? Runs the built CLI (dist/cli.js) as a user would, `--tries` times
// unchanged and `--tries` times with `--slowdown` (interleaved, so a drift of the machine falls on
// both), while a CPU-burning neighbour (`sh -c 'while :; do :; done'`, started and killed here) takes
// a core. Prints each try (outcome, looks, k6 seconds per side, wall seconds, load average) and then
// the counts of passed / regressed / inconclusive per case with Wilson 95 % intervals, the median k6
// and wall seconds per try, and what the duet's watched statistics showed at their last look.
//
//   npm run build && npm run bench:demo-ab -- [--tries 10] [--slowdown 5%] [--k6 PATH] [--json out.json] [--dir DIR]
//   npm run bench:demo-ab -- --summarise out.json     (the tables again from an earlier --json file)
//   npm run bench:demo-ab -- --looks [--dir DIR]      (each kept try look by look, from its windows)
//
// Without --k6 the demo finds (or installs) k6 itself, as on a fresh machine. Each try runs in its own
// folder under --dir (default build/bench-demo-ab/) and its results folder is kept: the duet's windows
// (k6-gate-results/duet-windows-*/) replay every look with the noise lab (bench/noise.mjs --duet-replay).
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { loadAverage, median } from './common.mjs';
import { decodeWindow } from './duet.mjs';
import { buildSources } from './sources.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: {
    tries: { type: 'string', default: '10' },
    slowdown: { type: 'string', default: '5%' },
    k6: { type: 'string' },
    json: { type: 'string' },
    summarise: { type: 'string' },
    dir: { type: 'string' },
    looks: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log(
    'node bench/demo-ab.mjs [--tries 10] [--slowdown 5%] [--k6 PATH] [--json out.json] [--dir DIR]   (needs dist/: npm run build)',
  );
  console.log('node bench/demo-ab.mjs --summarise out.json   (the tables again from an earlier run)');
  console.log('node bench/demo-ab.mjs --looks [--dir DIR]   (each kept try, look by look, replayed from its windows)');
  process.exit(0);
}
const tries = Number(flags.tries);
if (!Number.isInteger(tries) || tries < 1) throw new Error(`--tries ${JSON.stringify(flags.tries)}; expected a whole number ≥ 1`);
const cli = path.join(root, 'dist', 'cli.js');
const keepDir = path.resolve(flags.dir ?? path.join(root, 'build', 'bench-demo-ab'));

/** `uptime` as the machine prints it (load averages over 1, 5 and 15 minutes). */
function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadAverage()}`;
  }
}

/** The neighbour: one shell busy loop, the same on every machine with a POSIX shell. */
function startNeighbour() {
  const child = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  return () => child.kill('SIGKILL');
}

/** The demo running now, stopped with the bench (it then stops its k6 and writes what it measured). */
let current;

/** One `k6-gate demo --ab` in a fresh folder: its exit status, outcome, duet record and times. */
async function demoTry(slowdown, folder) {
  // Each try's results folder is kept (k6's files, the duet's windows for a replay of every look).
  const cwd = path.join(keepDir, folder);
  await rm(cwd, { recursive: true, force: true });
  await mkdir(cwd, { recursive: true });
  const args = [cli, 'demo', '--ab', '--json', '--no-html-report'];
  if (slowdown) args.push('--slowdown', slowdown);
  if (flags.k6) args.push('--k6-path', flags.k6);
  const started = Date.now();
  try {
    const { status, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      current = child;
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stdout: out, stderr: err }));
    });
    const wallSeconds = (Date.now() - started) / 1000;
    let result;
    try {
      result = JSON.parse(stdout);
    } catch {
      result = undefined;
    }
    const scenario = result?.scenarios?.[0];
    const duet = scenario?.duet;
    return {
      slowdown: slowdown ?? '0%',
      status,
      outcome: result?.outcome ?? 'error',
      duetOutcome: duet?.outcome,
      looks: duet?.looks ?? [],
      stats: duet?.stats ?? [],
      k6Seconds: duet?.k6SecondsPerSide ?? (scenario?.k6WallMs !== undefined ? scenario.k6WallMs / 1000 : undefined),
      wallSeconds,
      error: result ? scenario?.error : stderr.trim().split('\n').slice(-3).join(' / '),
      load: loadAverage(),
      folder: cwd,
    };
  } finally {
    // Only the results folder is worth keeping.
    for (const name of await readdir(cwd)) if (name !== 'k6-gate-results') await rm(path.join(cwd, name), { recursive: true, force: true });
  }
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;
const signed = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
const CATEGORIES = ['passed', 'regressed', 'inconclusive'];
/** The duet's own answer counts: an undecided duet is inconclusive whatever the gate's policy made of it. */
const category = (t) => (t.duetOutcome === 'inconclusive' ? 'inconclusive' : CATEGORIES.includes(t.outcome) ? t.outcome : 'other');

async function main() {
  const { sampling } = await buildSources(root);
  const cases = [
    { name: 'unchanged', slowdown: undefined },
    { name: `--slowdown ${flags.slowdown}`, slowdown: flags.slowdown },
  ];
  console.log(
    `k6-gate demo --ab: ${tries} tries unchanged and ${tries} with --slowdown ${flags.slowdown}, interleaved, ` +
      `with a CPU-burning neighbour (sh busy loop) on this ${os.cpus().length}-core machine; started ${new Date().toISOString()}; uptime: ${uptime()}`,
  );
  const results = Object.fromEntries(cases.map((c) => [c.name, []]));
  const stop = startNeighbour();
  const stopAndExit = () => {
    current?.kill('SIGTERM');
    stop();
    process.exit(130);
  };
  process.once('SIGINT', stopAndExit);
  process.once('SIGTERM', stopAndExit);
  try {
    for (let i = 0; i < tries; i++) {
      for (const c of cases) {
        const t = await demoTry(c.slowdown, `${c.slowdown ? `slowdown-${c.slowdown.replace('%', 'pc')}` : 'unchanged'}-${i + 1}`);
        results[c.name].push(t);
        const looks = t.looks.length ? `, ${t.looks.length} look(s): ${t.looks.map((l) => l.outcome).join(' → ')}` : '';
        console.log(
          `${c.name} try ${i + 1}/${tries}: ${t.outcome}${t.duetOutcome ? ` (duet: ${t.duetOutcome})` : ''}, exit ${t.status}${looks}, ` +
            `k6 ${t.k6Seconds?.toFixed(1) ?? '?'} s per side, wall ${t.wallSeconds.toFixed(1)} s; load average ${t.load}` +
            (t.error ? `; ${t.error}` : ''),
        );
        if (t.looks.length) console.log(`    last look: ${t.looks.at(-1).reason}`);
      }
    }
  } finally {
    stop();
  }
  if (flags.json) await writeFile(flags.json, `${JSON.stringify({ tries, slowdown: flags.slowdown, results }, null, 2)}\n`);
  summarise(cases, results, sampling);
}

/** The tables: counts with Wilson intervals, times, and the watched statistics at the last look. */
function summarise(cases, results, sampling) {
  console.log('');
  console.log('| case | tries | passed | regressed | inconclusive | other | median k6 s per side | median wall s |');
  console.log('| --- | ---: | --- | --- | --- | ---: | ---: | ---: |');
  for (const c of cases) {
    const list = results[c.name];
    const cell = (name) => {
      const k = list.filter((t) => category(t) === name).length;
      const w = sampling.wilsonInterval(k, list.length, 0.95);
      return `${k} (${pct(w.low)}–${pct(w.high)})`;
    };
    const k6 = list.map((t) => t.k6Seconds).filter((x) => x !== undefined);
    console.log(
      `| ${c.name} | ${list.length} | ${cell('passed')} | ${cell('regressed')} | ${cell('inconclusive')} | ${list.filter((t) => category(t) === 'other').length} | ${k6.length ? median(k6).toFixed(1) : '—'} | ${median(list.map((t) => t.wallSeconds)).toFixed(1)} |`,
    );
  }
  console.log('');
  console.log('Watched statistics at the last look (median over the tries; change of B against A, its MDE, and how often each verdict):');
  console.log('| case | statistic | median change | median MDE | verdicts |');
  console.log('| --- | --- | ---: | ---: | --- |');
  for (const c of cases) {
    const byStat = new Map();
    for (const t of results[c.name]) for (const s of t.stats) byStat.set(s.id, [...(byStat.get(s.id) ?? []), s]);
    for (const [id, list] of byStat) {
      const changes = list.map((s) => s.change).filter((x) => typeof x === 'number');
      const mdes = list.map((s) => s.mde).filter((x) => typeof x === 'number');
      const verdicts = {};
      for (const s of list) verdicts[s.verdict] = (verdicts[s.verdict] ?? 0) + 1;
      console.log(
        `| ${c.name} | ${id} | ${changes.length ? signed(median(changes)) : '—'} | ${mdes.length ? pct(median(mdes)) : '—'} | ${Object.entries(
          verdicts,
        )
          .map(([v, n]) => `${v} ${n}`)
          .join(', ')} |`,
      );
    }
  }
  const [unchanged, slowed] = cases.map((c) => results[c.name]);
  const exit0 = unchanged.filter((t) => t.status === 0);
  const caught = slowed.filter((t) => t.status === 1 && t.outcome === 'regressed').length;
  console.log('');
  console.log(
    `target (every time): ${cases[0].name} exited 0 in ${exit0.length}/${unchanged.length} (passed ${exit0.filter((t) => category(t) === 'passed').length}, ` +
      `inconclusive ${exit0.filter((t) => category(t) === 'inconclusive').length}); ${cases[1].name} failed as regressed (exit 1) in ${caught}/${slowed.length}; ` +
      `${new Date().toISOString()}, uptime: ${uptime()}`,
  );
}

/**
 * `--looks`: every kept try's decision look by look, replayed from its saved windows with the duet's
 * own sequential rule (looks after every 20 windows; the live duet's looks fell within a window of
 * these): per watched statistic the change of B against A, its interval, p against the look's level,
 * the floor that applied and the MDE.
 */
async function printLooks() {
  const lib = await buildSources(root);
  const { pairAll, DEFAULT_DUET_OPTIONS } = lib.duetDecision;
  const { decideSequentially } = lib.duetReplay;
  const folders = (await readdir(keepDir)).sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
  for (const folder of folders) {
    const results = path.join(keepDir, folder, 'k6-gate-results');
    const dirName = (await readdir(results).catch(() => [])).find((name) => name.startsWith('duet-windows-'));
    if (!dirName) continue;
    const dir = path.join(results, dirName);
    const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
    const comparison = JSON.parse(await readFile(path.join(results, 'comparison.json'), 'utf8'));
    const ids = comparison.scenarios[0].duet.stats.map((s) => s.id);
    const stats = ids.map((id) => ({ metric: id.slice(0, id.indexOf(':')), stat: id.slice(id.indexOf(':') + 1) }));
    const windows = JSON.parse(gunzipSync(await readFile(path.join(dir, index.decisions[0].file))).toString('utf8'));
    const a = windows.A.map(decodeWindow);
    const b = windows.B.map(decodeWindow);
    const plan = { blockWindows: Math.round(index.settings.blockMs / 1000), maxWindows: Math.round(index.settings.maxDurationMs / 1000) };
    const options = { ...DEFAULT_DUET_OPTIONS, minEffect: comparison.scenarios[0].duet.minEffect };
    const decision = decideSequentially((w) => pairAll(a.slice(0, w), b.slice(0, w), stats), plan, options);
    console.log(`${folder}: live ${index.decisions[0].outcome}; replayed ${decision.final.outcome} after ${decision.windows} windows`);
    for (const look of decision.looks) {
      const cells = look.stats.map(
        (s) =>
          `${s.id} ${signed(s.change)} [${signed(s.interval[0])}, ${signed(s.interval[1])}] p ${s.p.toPrecision(2)} vs ${s.level.toPrecision(2)}, ` +
          `floor ${pct(s.floor.value)} (${s.floor.source}), MDE ${pct(s.mde)}: ${s.verdict}`,
      );
      console.log(`  look ${look.look} (${look.stats[0]?.windows ?? 0} windows): ${look.outcome}\n    ${cells.join('\n    ')}`);
    }
  }
}

/** `--summarise FILE`: the tables again from a --json file of an earlier run. */
async function summariseFile(file) {
  const { sampling } = await buildSources(root);
  const saved = JSON.parse(await readFile(file, 'utf8'));
  const cases = Object.keys(saved.results).map((name) => ({ name }));
  summarise(cases, saved.results, sampling);
}

await (flags.looks ? printLooks() : flags.summarise ? summariseFile(flags.summarise) : main());
