// The duet in the noise lab (bench/noise.mjs --duet / --duet-replay): A and B measured at the same
// time by the project's own duet runner (src/verdict/duet/run.ts) with the real k6, against two
// demo targets on loopback, B slowed by the shift. Each decision's per-window histograms of both
// sides are saved, so that thousands of decisions can then be replayed offline by resampling
// blocks of paired windows (docs/verdicts.md, "Noise lab", explains what that keeps and what not).
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { median, random } from './common.mjs';

/** A steady closed load that outlasts any duet half (the runner stops k6 at the end of each half). */
const DUET_SCRIPT = `
import http from 'k6/http';
import { check, sleep } from 'k6';
const BASE = __ENV.BASE_URL;
export const options = { vus: Number(__ENV.VUS), duration: '10m' };
export default function () {
  const id = 1 + Math.floor(Math.random() * 20);
  const res = Math.random() < 0.3 ? http.get(BASE + '/api/products?limit=5') : http.get(BASE + '/api/products/' + id);
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(0.05);
}
`;

/** A CPU-burning neighbour: a separate node process, busy `duty` of every 100 ms. */
export function startNeighbour(duty) {
  const code = `const duty=${duty};setInterval(()=>{const end=Date.now()+100*duty;while(Date.now()<end){}},100);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  return () => child.kill('SIGTERM');
}

// SideWindow holds Maps (trend histograms, their buckets): JSON needs arrays.
const encodeWindow = (w) => ({
  ...w,
  trends: [...w.trends].map(([metric, h]) => [metric, { ...h, positive: [...h.positive], negative: [...h.negative] }]),
});
export const decodeWindow = (w) => ({
  ...w,
  trends: new Map(w.trends.map(([metric, h]) => [metric, { ...h, positive: new Map(h.positive), negative: new Map(h.negative) }])),
});

const quietLogger = () => {
  const lines = [];
  return {
    lines,
    info: (m) => lines.push(m),
    debug: () => undefined,
    warning: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    group: (_title, fn) => fn(),
    addSecret: () => undefined,
  };
};

const shiftName = (s) => (s === 0 ? '0%' : `+${Math.round(s * 100)}%`);
const p95Of = (look) => look?.stats.find((s) => s.id === 'http_req_duration:p(95)');

/** What one decision's result says, in the fields the tables count. */
function summarise(result) {
  const last = result.looks.at(-1);
  return {
    outcome: result.outcome,
    looks: result.looks.length,
    reason: result.reason,
    p95: p95Of(last) ? { verdict: p95Of(last).verdict, change: p95Of(last).change, mde: p95Of(last).mde } : undefined,
    regressedStats: (last?.stats ?? []).filter((s) => s.verdict === 'regressed').map((s) => s.id),
  };
}

/**
 * Live duets: `count` decisions per profile and shift, interleaved (decision by decision, every
 * cell in turn) so that the machine's other users hit all cells alike. Writes DIR/index.json after
 * every decision (an interrupted run keeps what it measured) and each decision's windows to
 * DIR/<cell>-<i>.json.gz.
 */
export async function recordDuets(dir, lib, { k6, k6Version, count, profiles, shifts, vus, duty, blockMs, maxDurationMs, seed, uptime }) {
  await mkdir(dir, { recursive: true });
  const script = path.join(dir, 'duet.js');
  await writeFile(script, DUET_SCRIPT);
  const base = { latencyMs: 20, jitterMs: 10, errorRate: 0, slowdown: 0 };
  const a = await lib.demo.startDemoTarget({ port: 0, seed, ...base });
  const b = await lib.demo.startDemoTarget({ port: 0, seed: seed + 1, ...base });
  const index = {
    kind: 'duet',
    settings: { count, profiles, shifts, vus, duty, blockMs, maxDurationMs, seed, target: base },
    k6,
    k6Version,
    started: new Date().toISOString(),
    uptimeAtStart: uptime(),
    decisions: [],
  };
  const total = count * profiles.length * shifts.length;
  let n = 0;
  try {
    for (let i = 0; i < count; i++) {
      for (const profile of profiles) {
        for (const shift of shifts) {
          const parts = profile.split('+');
          // drift: the service's base latency (both versions alike) wanders ±10 % from decision to decision.
          const drift = parts.includes('drift') ? 0.1 * Math.sin((2 * Math.PI * i) / Math.max(2, count)) : 0;
          a.setKnobs({ latencyMs: base.latencyMs * (1 + drift), slowdown: 0 });
          b.setKnobs({ latencyMs: base.latencyMs * (1 + drift), slowdown: shift });
          const stop = parts.includes('shared-runner') ? startNeighbour(duty) : () => undefined;
          const resultsDir = path.join(dir, 'k6', `${profile}-${shiftName(shift)}-${i}`);
          await mkdir(resultsDir, { recursive: true });
          const log = quietLogger();
          const loadBefore = uptime();
          const started = Date.now();
          let result;
          try {
            result = await lib.duetRun.runDuet({
              k6Path: k6,
              k6Version,
              script,
              scenario: 'lab',
              resultsDir,
              targets: { A: a.url, B: b.url },
              env: { VUS: String(vus) },
              secrets: [],
              log,
              blockMs,
              maxDurationMs,
              preflightTimeoutMs: 5000,
            });
          } finally {
            stop();
          }
          const wallSeconds = (Date.now() - started) / 1000;
          const file = `${profile}-${shiftName(shift)}-${i}.json.gz`;
          const windows = { A: result.windows.A.map(encodeWindow), B: result.windows.B.map(encodeWindow) };
          await writeFile(path.join(dir, file), gzipSync(JSON.stringify(windows)));
          index.decisions.push({
            profile,
            shift,
            drift,
            file,
            ...summarise(result),
            error: result.error,
            k6Seconds: result.k6Seconds,
            wallSeconds,
            windows: Math.min(result.windows.A.length, result.windows.B.length),
            uptimeBefore: loadBefore,
            uptimeAfter: uptime(),
          });
          index.uptimeAtEnd = uptime();
          await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
          process.stderr.write(
            `  duet ${++n}/${total}: ${profile} ${shiftName(shift)}: ${result.outcome} after ${result.looks.length} look(s), ${result.k6Seconds.toFixed(0)} s of k6, ${wallSeconds.toFixed(0)} s wall; ${result.reason}\n`,
          );
        }
      }
    }
  } finally {
    await a.close();
    await b.close();
  }
  return index;
}

/** Counts per cell: outcomes, Wilson intervals, k6 and wall seconds. */
function tabulate(decisions, lib) {
  const cells = new Map();
  for (const d of decisions) {
    const key = `${d.profile} ${d.shift}`;
    if (!cells.has(key)) cells.set(key, { profile: d.profile, shift: d.shift, list: [] });
    cells.get(key).list.push(d);
  }
  const rows = [];
  for (const { profile, shift, list } of [...cells.values()].sort((x, y) => x.profile.localeCompare(y.profile) || x.shift - y.shift)) {
    const n = list.length;
    const count = (f) => list.filter(f).length;
    const w = (k) => {
      const i = lib.sampling.wilsonInterval(k, n, 0.95);
      return { k, rate: k / n, low: i.low, high: i.high };
    };
    rows.push({
      profile,
      shift,
      decisions: n,
      outcomes: Object.fromEntries(
        ['regressed', 'improved', 'equivalent', 'inconclusive', 'error'].map((o) => [o, count((d) => d.outcome === o)]),
      ),
      // At 0 % any change called is a false alarm; otherwise "regressed" is a detection.
      flagged: w(count((d) => (shift === 0 ? d.outcome === 'regressed' || d.outcome === 'improved' : d.outcome === 'regressed'))),
      p95Regressed: w(count((d) => d.p95?.verdict === 'regressed')),
      firstBlockRegressed: w(count((d) => d.outcome === 'regressed' && d.looks === 1)),
      medianK6Seconds: median(list.map((d) => d.k6Seconds)),
      medianWallSeconds: list.every((d) => d.wallSeconds !== undefined) ? median(list.map((d) => d.wallSeconds)) : undefined,
      medianP95Mde: median(list.map((d) => d.p95?.mde).filter(Number.isFinite)),
    });
  }
  return rows;
}

export function printDuetTable(title, rows) {
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const rate = (r, n) => `${r.k}/${n}: ${pct(r.rate)} (${pct(r.low)}–${pct(r.high)})`;
  console.log(`\n${title}\n`);
  console.log(
    '| profile | shift | decisions | regressed / improved / equivalent / inconclusive / error | changed called (Wilson 95 %) | p(95) regressed | regressed at the first block | median k6 s | median wall s | median p(95) MDE |',
  );
  console.log('| --- | ---: | ---: | --- | --- | --- | --- | ---: | ---: | ---: |');
  for (const r of rows) {
    const o = r.outcomes;
    console.log(
      `| ${r.profile} | ${shiftName(r.shift)} | ${r.decisions} | ${o.regressed} / ${o.improved} / ${o.equivalent} / ${o.inconclusive} / ${o.error} | ${rate(r.flagged, r.decisions)} | ${rate(r.p95Regressed, r.decisions)} | ${rate(r.firstBlockRegressed, r.decisions)} | ${r.medianK6Seconds.toFixed(0)} | ${r.medianWallSeconds === undefined ? '—' : r.medianWallSeconds.toFixed(0)} | ${Number.isFinite(r.medianP95Mde) ? pct(r.medianP95Mde) : '—'} |`,
    );
  }
}

export function liveDuetRows(index, lib) {
  return tabulate(index.decisions, lib);
}

/**
 * Replay: per recorded cell (profile, shift), `decisions` virtual duets. Each is built from blocks of
 * `blockWindows` consecutive paired windows (window i of A with window i of B, as measured at the
 * same second), every block taken at a random place of a random recorded decision of that cell,
 * up to max-duration's windows; then decided by the duet's own sequential rule with the same looks
 * and defaults as live. A virtual duet that stops early costs only the windows it used.
 */
export async function replayDuets(dir, lib, { decisions, seed, blockWindows = 10, scaledShifts = [] }) {
  const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
  if (index.kind !== 'duet') throw new Error(`${dir} is not a duet recording (no "kind": "duet" in its index.json)`);
  const { blockMs, maxDurationMs } = index.settings;
  const plan = { blockWindows: Math.round(blockMs / 1000), maxWindows: Math.round(maxDurationMs / 1000) };
  const rand = random(seed);
  const { pairAll, decideSequentially, DUET_DEFAULT_STATS } = lib.duetDecision;
  // Each recorded window pair's paired value per watched statistic, computed once by the duet's own
  // pairing (undefined where a side measured nothing): a virtual duet is then a concatenation of
  // blocks of these, decided by the duet's own sequential rule.
  const perWindow = (a, b) =>
    a.map((_, i) =>
      pairAll([a[i]], [b[i]], DUET_DEFAULT_STATS).map((p) => ({ id: p.id, kind: p.kind, d: p.d.length === 1 ? p.d[0] : undefined })),
    );
  const byCell = new Map();
  for (const d of index.decisions) {
    if (d.outcome === 'error') continue;
    const windows = JSON.parse(gunzipSync(await readFile(path.join(dir, d.file))).toString('utf8'));
    const a = windows.A.map(decodeWindow);
    const b = windows.B.map(decodeWindow);
    const n = Math.min(a.length, b.length);
    if (n < blockWindows) continue;
    const key = `${d.profile} ${d.shift}`;
    if (!byCell.has(key)) byCell.set(key, { profile: d.profile, shift: d.shift, sources: [] });
    byCell.get(key).sources.push(perWindow(a.slice(0, n), b.slice(0, n)));
  }
  // Shifts not measured live: the unchanged recordings with every latency of B multiplied by
  // 1 + shift, which adds ln(1 + shift) to every latency log-ratio and leaves the error rate alone.
  for (const cell of [...byCell.values()].filter((c) => c.shift === 0)) {
    for (const shift of scaledShifts.filter((x) => x > 0)) {
      const add = Math.log1p(shift);
      byCell.set(`${cell.profile} ${shift} scaled`, {
        profile: `${cell.profile}, B scaled`,
        shift,
        sources: cell.sources.map((src) =>
          src.map((stats) => stats.map((x) => (x.kind === 'log-ratio' && x.d !== undefined ? { ...x, d: x.d + add } : x))),
        ),
      });
    }
  }
  const virtual = [];
  for (const { profile, shift, sources } of byCell.values()) {
    for (let k = 0; k < decisions; k++) {
      const windows = [];
      while (windows.length < plan.maxWindows) {
        const src = sources[Math.floor(rand() * sources.length)];
        const start = Math.floor(rand() * (src.length - blockWindows + 1));
        windows.push(...src.slice(start, start + blockWindows));
      }
      const decision = decideSequentially(
        (w) =>
          DUET_DEFAULT_STATS.map((_, j) => ({
            id: windows[0][j].id,
            kind: windows[0][j].kind,
            d: windows
              .slice(0, w)
              .map((stats) => stats[j].d)
              .filter((x) => x !== undefined),
            pooledA: NaN,
            pooledB: NaN,
          })),
        plan,
      );
      const last = decision.final;
      const p95 = p95Of(last);
      virtual.push({
        profile,
        shift,
        outcome: last.outcome,
        looks: decision.looks.length,
        p95: p95 ? { verdict: p95.verdict, change: p95.change, mde: p95.mde } : undefined,
        k6Seconds: decision.windows,
      });
    }
  }
  return {
    index,
    sources: Object.fromEntries([...byCell].map(([key, c]) => [key, c.sources.length])),
    rows: tabulate(virtual, lib),
  };
}
