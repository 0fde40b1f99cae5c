// `npm run bench:demo-ab`: does `k6-gate demo --ab` tell an unchanged candidate from one 5 % slower,
// every time, on a busy machine? Runs the built CLI (dist/cli.js) as a user would, `--tries` times
// unchanged and `--tries` times with `--slowdown` (interleaved, so a drift of the machine falls on
// both), while a CPU-burning neighbour (`sh -c 'while :; do :; done'`, started and killed here) takes
// a core. Prints each try (outcome, looks, k6 seconds per side, wall seconds, load average) and then
// the counts of passed / regressed / inconclusive per case with Wilson 95 % intervals, the median k6
// and wall seconds per try, and what the duet's watched statistics showed at their last look.
//
//   npm run build && npm run bench:demo-ab -- [--tries 10] [--slowdown 5%] [--k6 PATH] [--json out.json]
//
// Without --k6 the demo finds (or installs) k6 itself, as on a fresh machine.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage, median } from './common.mjs';
import { buildSources } from './sources.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: {
    tries: { type: 'string', default: '10' },
    slowdown: { type: 'string', default: '5%' },
    k6: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log('node bench/demo-ab.mjs [--tries 10] [--slowdown 5%] [--k6 PATH] [--json out.json]   (needs dist/: npm run build)');
  process.exit(0);
}
const tries = Number(flags.tries);
if (!Number.isInteger(tries) || tries < 1) throw new Error(`--tries ${JSON.stringify(flags.tries)}; expected a whole number ≥ 1`);
const cli = path.join(root, 'dist', 'cli.js');

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

/** One `k6-gate demo --ab` in a fresh folder: its exit status, outcome, duet record and times. */
async function demoTry(slowdown) {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-bench-demo-ab-'));
  const args = [cli, 'demo', '--ab', '--json', '--no-html-report'];
  if (slowdown) args.push('--slowdown', slowdown);
  if (flags.k6) args.push('--k6-path', flags.k6);
  const started = Date.now();
  try {
    const { status, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
    };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;
const signed = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
const CATEGORIES = ['passed', 'regressed', 'inconclusive'];
const category = (t) => (CATEGORIES.includes(t.outcome) ? t.outcome : 'other');

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
    stop();
    process.exit(130);
  };
  process.once('SIGINT', stopAndExit);
  process.once('SIGTERM', stopAndExit);
  try {
    for (let i = 0; i < tries; i++) {
      for (const c of cases) {
        const t = await demoTry(c.slowdown);
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
  const okUnchanged = unchanged.filter((t) => t.status === 0 && t.outcome === 'passed').length;
  const caught = slowed.filter((t) => t.status === 1 && t.outcome === 'regressed').length;
  console.log('');
  console.log(
    `target (every time): unchanged passed ${okUnchanged}/${unchanged.length}, --slowdown ${flags.slowdown} failed as regressed ${caught}/${slowed.length}; ` +
      `finished ${new Date().toISOString()}; uptime: ${uptime()}`,
  );
  if (flags.json) await writeFile(flags.json, `${JSON.stringify({ tries, slowdown: flags.slowdown, results }, null, 2)}\n`);
}

await main();
