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
  const looksAt = [];
  return {
    lines,
    /** Date.now() at each look's log line: the wall time a rule stopping there would have taken. */
    looksAt,
    info: (m) => {
      if (m.startsWith('k6-gate: duet look ')) looksAt.push(Date.now());
      lines.push(m);
    },
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
export async function recordDuets(
  dir,
  lib,
  { k6, k6Version, count, profiles, shifts, cells: cellList, fullLength = false, vus, duty, blockMs, maxDurationMs, seed, uptime },
) {
  // The cells of one round, in order: every profile with every shift, or an explicit list (a cell may
  // come more than once, to weigh the unchanged decisions).
  const cells = cellList ?? profiles.flatMap((profile) => shifts.map((shift) => ({ profile, shift })));
  await mkdir(dir, { recursive: true });
  const script = path.join(dir, 'duet.js');
  await writeFile(script, DUET_SCRIPT);
  const base = { latencyMs: 20, jitterMs: 10, errorRate: 0, slowdown: 0 };
  const a = await lib.demo.startDemoTarget({ port: 0, seed, ...base });
  const b = await lib.demo.startDemoTarget({ port: 0, seed: seed + 1, ...base });
  const index = {
    kind: 'duet',
    settings: { count, cells, fullLength, vus, duty, blockMs, maxDurationMs, seed, target: base },
    k6,
    k6Version,
    started: new Date().toISOString(),
    uptimeAtStart: uptime(),
    decisions: [],
  };
  const total = count * cells.length;
  let n = 0;
  try {
    for (let i = 0; i < count; i++) {
      for (const { profile, shift } of cells) {
        const parts = profile.split('+');
        // drift: the service's base latency (both versions alike) wanders ±10 % from decision to decision.
        const drift = parts.includes('drift') ? 0.1 * Math.sin((2 * Math.PI * i) / Math.max(2, count)) : 0;
        a.setKnobs({ latencyMs: base.latencyMs * (1 + drift), slowdown: 0 });
        b.setKnobs({ latencyMs: base.latencyMs * (1 + drift), slowdown: shift });
        const stop = parts.includes('shared-runner') ? startNeighbour(duty) : () => undefined;
        const name = `${profile}-${shiftName(shift)}-${i}-${n + 1}`;
        const resultsDir = path.join(dir, 'k6', name);
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
            // Full length: a rule that never stops early (no practical size, so never equivalent;
            // a level no p-value reaches short of a shift far beyond the lab's), so every decision
            // keeps all its windows and any rule can then be applied at the same looks (decideRecorded).
            ...(fullLength ? { options: { alpha: 1e-12, minEffect: 0, spending: 'pocock' } } : {}),
          });
        } finally {
          stop();
        }
        const wallSeconds = (Date.now() - started) / 1000;
        const file = `${name}.json.gz`;
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
          // Paired windows at each look (the most any statistic had): where a rule applied later looks.
          lookWindows: result.looks.map((l) => Math.max(0, ...l.stats.map((s) => s.windows))),
          lookWallSeconds: log.looksAt.map((t) => (t - started) / 1000),
          fullLength,
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
  const { pairAll, DUET_DEFAULT_STATS } = lib.duetDecision;
  const { decideSequentially } = lib.duetReplay;
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

/** Windows of k seconds: k consecutive 1 s windows of one side merged (histograms added). */
function mergeWindows(windows, k, lib) {
  if (k === 1) return windows;
  const out = [];
  for (let i = 0; i + k <= windows.length; i += k) {
    const trends = new Map();
    let requests = 0;
    let failedRequests = 0;
    let pushes = 0;
    for (const w of windows.slice(i, i + k)) {
      requests += w.requests;
      failedRequests += w.failedRequests;
      pushes += w.pushes;
      for (const [metric, h] of w.trends) {
        if (!trends.has(metric))
          trends.set(metric, {
            count: 0,
            sum: 0,
            zeroCount: 0,
            schema: h.schema,
            positive: new Map(),
            negative: new Map(),
            scale: h.scale,
          });
        lib.windows.addHistogram(trends.get(metric), h);
      }
    }
    out.push({ trends, requests, failedRequests, pushes });
  }
  return out;
}

/**
 * Every recorded decision of a duet recording with its per-window paired values per watched
 * statistic (the duet's own pairing), for windows of 1 s and of `k` s (k consecutive windows merged).
 */
async function loadPaired(dir, lib, windowSeconds) {
  const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
  if (index.kind !== 'duet') throw new Error(`${dir} is not a duet recording (no "kind": "duet" in its index.json)`);
  const { pairAll, DUET_DEFAULT_STATS } = lib.duetDecision;
  const out = [];
  for (const d of index.decisions) {
    if (d.outcome === 'error') continue;
    const windows = JSON.parse(gunzipSync(await readFile(path.join(dir, d.file))).toString('utf8'));
    const n = Math.min(windows.A.length, windows.B.length);
    const byLength = {};
    for (const k of windowSeconds) {
      const a = mergeWindows(windows.A.slice(0, n).map(decodeWindow), k, lib);
      const b = mergeWindows(windows.B.slice(0, n).map(decodeWindow), k, lib);
      byLength[k] = a.map((_, i) =>
        pairAll([a[i]], [b[i]], DUET_DEFAULT_STATS).map((p) => ({ id: p.id, kind: p.kind, d: p.d.length === 1 ? p.d[0] : undefined })),
      );
    }
    out.push({ ...d, paired: byLength, requestsPerWindow: median(windows.A.slice(0, n).map((w) => w.requests)) });
  }
  return { index, decisions: out };
}

function lagCorrelation(x, lag) {
  const n = x.length;
  const m = x.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += (x[i] - m) ** 2;
    if (i >= lag) num += (x[i] - m) * (x[i - lag] - m);
  }
  return den > 0 ? num / den : NaN;
}

const quartiles = (values) => {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  return { n: s.length, q1: at(0.25), median: at(0.5), q3: at(0.75), min: s[0], max: s.at(-1) };
};

/**
 * The windows' autocorrelation measured: per window length, statistic and group (unchanged /
 * shifted), the lag-1 and lag-2 autocorrelation of each decision's paired values (median and
 * quartiles over decisions), the standard deviation of the paired values, and the mean of the
 * decisions' lag-1 values over all of them (pooled, with its standard error over decisions).
 */
export async function analyseRecorded(dir, lib, { windowSeconds = [1, 2] } = {}) {
  const { index, decisions } = await loadPaired(dir, lib, windowSeconds);
  const rows = [];
  for (const k of windowSeconds) {
    for (const group of ['unchanged', ...new Set(decisions.filter((d) => d.shift > 0).map((d) => d.shift))].sort()) {
      const list = decisions.filter((d) => (group === 'unchanged' ? d.shift === 0 : d.shift === group));
      if (list.length === 0) continue;
      for (const [j, stat] of lib.duetDecision.DUET_DEFAULT_STATS.entries()) {
        const series = list.map((d) => d.paired[k].map((w) => w[j].d).filter((x) => x !== undefined));
        const usable = series.filter((x) => x.length >= 6 && new Set(x).size > 1);
        const r1 = usable.map((x) => lagCorrelation(x, 1));
        const r2 = usable.map((x) => lagCorrelation(x, 2));
        const sd = usable.map((x) => {
          const m = x.reduce((s, v) => s + v, 0) / x.length;
          return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
        });
        const mean = r1.reduce((s, v) => s + v, 0) / r1.length;
        const seMean = Math.sqrt(r1.reduce((s, v) => s + (v - mean) ** 2, 0) / (r1.length - 1) / r1.length);
        rows.push({
          windowSeconds: k,
          group: group === 'unchanged' ? group : `+${Math.round(group * 100)}%`,
          // Each decision's measured change over all its windows (e^mean − 1 for latencies).
          change: quartiles(usable.map((x) => Math.expm1(x.reduce((s, v) => s + v, 0) / x.length))),
          stat: lib.duetDecision.duetStatId(stat),
          decisions: usable.length,
          windowsPerDecision: median(usable.map((x) => x.length)),
          lag1: quartiles(r1),
          lag1Mean: mean,
          lag1MeanSe: seMean,
          lag2: quartiles(r2),
          sd: quartiles(sd),
        });
      }
    }
  }
  return { index, rows, requestsPerWindow: quartiles(decisions.map((d) => d.requestsPerWindow)) };
}

export function printAutocorrelation(result) {
  const f = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
  console.log(
    `\nwindow autocorrelation of the paired values (requests per 1 s window and side: median ${result.requestsPerWindow.median})\n`,
  );
  console.log(
    '| window | group | statistic | decisions | windows each | lag-1 median (q1…q3) | lag-1 mean ± SE | lag-2 median | SD of d, median |',
  );
  console.log('| ---: | --- | --- | ---: | ---: | --- | --- | ---: | ---: |');
  for (const r of result.rows) {
    console.log(
      `| ${r.windowSeconds} s | ${r.group} | ${r.stat} | ${r.decisions} | ${r.windowsPerDecision} | ${f(r.lag1.median)} (${f(r.lag1.q1)}…${f(r.lag1.q3)}) | ${f(r.lag1Mean)} ± ${f(r.lag1MeanSe)} | ${f(r.lag2.median)} | ${f(r.sd.median, 3)} | ${f(100 * r.change.median, 1)} % (${f(100 * r.change.min, 1)}…${f(100 * r.change.max, 1)}) |`,
    );
  }
}

/**
 * The recorded live duets decided again by each rule in `variants` ({ name, options, windowSeconds }),
 * at the looks the live runner made (the paired windows it had at each block's end), stopping where
 * the rule stops. Full-length recordings (`--duet-full`) hold every window, so this is what a live
 * duet with that rule would have decided on the same seconds; k6 and wall seconds are those of the
 * looks it needed. Unchanged recordings are also decided with B's latencies × (1 + s), s in
 * `scaledShifts` (ln(1 + s) added to every latency log-ratio).
 */
const maxLooksOf = (index) => Math.round(index.settings.maxDurationMs / index.settings.blockMs);

export async function decideRecorded(dir, lib, { variants, scaledShifts = [] }) {
  const windowSeconds = [...new Set(variants.map((v) => v.windowSeconds ?? 1))];
  const { index, decisions } = await loadPaired(dir, lib, windowSeconds);
  const { decideLook, DUET_DEFAULT_STATS } = lib.duetDecision;
  const blockSeconds = index.settings.blockMs / 1000;
  const sources = [];
  for (const d of decisions) {
    sources.push({ d, profile: d.profile, shift: d.shift, add: 0 });
    if (d.shift === 0) for (const s of scaledShifts) sources.push({ d, profile: `${d.profile}, B scaled`, shift: s, add: Math.log1p(s) });
  }
  const out = {};
  for (const variant of variants) {
    const k = variant.windowSeconds ?? 1;
    const decided = [];
    let truncated = 0;
    for (const { d, profile, shift, add } of sources) {
      const perWindow = d.paired[k];
      const looks = d.lookWindows ?? [perWindow.length * k];
      const maxLooks = maxLooksOf(index);
      const fractions = [];
      let previous;
      let result;
      for (let l = 0; l < maxLooks; l++) {
        if (l >= looks.length) {
          truncated++;
          break;
        }
        const w = Math.min(perWindow.length, Math.floor(looks[l] / k));
        fractions.push((l + 1) / maxLooks);
        const pairs = DUET_DEFAULT_STATS.map((_, j) => ({
          id: perWindow[0][j].id,
          kind: perWindow[0][j].kind,
          d: perWindow
            .slice(0, w)
            .map((x) => x[j].d)
            .filter((x) => x !== undefined)
            .map((x) => (perWindow[0][j].kind === 'log-ratio' ? x + add : x)),
          pooledA: NaN,
          pooledB: NaN,
        }));
        const look = decideLook(pairs, fractions, l === maxLooks - 1, variant.options, previous);
        previous = look;
        if (look.outcome !== 'continue') {
          result = { look, looks: l + 1 };
          break;
        }
      }
      if (!result) continue;
      const p95 = p95Of(result.look);
      decided.push({
        profile,
        shift,
        outcome: result.look.outcome,
        looks: result.looks,
        p95: p95 ? { verdict: p95.verdict, change: p95.change, mde: p95.mde } : undefined,
        k6Seconds: result.looks * blockSeconds,
        // Recordings without the looks' times: the decision's wall time in proportion to its looks.
        wallSeconds: d.lookWallSeconds?.[result.looks - 1] ?? (d.wallSeconds * result.looks) / maxLooksOf(index),
      });
    }
    out[variant.name] = { rows: tabulate(decided, lib), truncated, decisions: decided.length };
  }
  return { index, variants: out };
}

/** Window noise of the paired values per latency statistic as measured live (p(90), p(95), p(99), avg, med). */
export const MEASURED_SIGMAS = [0.23, 0.27, 0.28, 0.1, 0.15];

/**
 * The simulation of test/verdict/duet/simulation.test.ts at more autocorrelations and decisions:
 * per ρ, false alarms of one statistic (σ 5 %) and of the five latency statistics with the measured
 * window noise, by the default rule and by the rules it was chosen against; power at each shift.
 */
export function simulateDuets(lib, { rhos, decisions, seed, shifts, sigmas = MEASURED_SIGMAS }) {
  const rand = random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand());
  const { DEFAULT_DUET_OPTIONS } = lib.duetDecision;
  const { decideSequentially } = lib.duetReplay;
  const plan = { blockWindows: 20, maxWindows: 60 };
  const simulate = (perSide, rho, shift) =>
    perSide.map((sigma) => {
      const d = new Array(plan.maxWindows);
      const innovation = Math.sqrt(1 - rho * rho);
      let a = sigma * gauss();
      let b = sigma * gauss();
      for (let t = 0; t < plan.maxWindows; t++) {
        if (t > 0) {
          a = rho * a + sigma * innovation * gauss();
          b = rho * b + sigma * innovation * gauss();
        }
        d[t] = shift + b - a;
      }
      return d;
    });
  const decide = (series, options) =>
    decideSequentially(
      (w) => series.map((d, i) => ({ id: `stat${i}`, kind: 'log-ratio', d: d.slice(0, w), pooledA: NaN, pooledB: NaN })),
      plan,
      options,
    );
  const testOnly = { ...DEFAULT_DUET_OPTIONS, minEffect: 0 };
  const rules = [
    ['default rule', testOnly],
    ['b = ⌈n^(1/3)⌉, no guard', { ...testOnly, blockRule: { scale: 1 } }],
    ['b = ⌈3·n^(1/3)⌉ (before)', { ...testOnly, blockRule: { scale: 3 } }],
  ];
  const perSide = sigmas.map((s) => s / Math.SQRT2);
  const wilson = (k, n) => {
    const w = lib.sampling.wilsonInterval(k, n, 0.95);
    return { k, n, rate: k / n, low: w.low, high: w.high };
  };
  const typeOne = [];
  for (const rho of rhos) {
    for (const [name, options] of rules) {
      let one = 0;
      let five = 0;
      for (let i = 0; i < decisions; i++) {
        const changed = (series) => decide(series, options).final.stats.some((s) => s.verdict === 'regressed' || s.verdict === 'improved');
        if (changed(simulate([0.05 / Math.SQRT2], rho, 0))) one++;
        if (changed(simulate(perSide, rho, 0))) five++;
      }
      typeOne.push({ rho, rule: name, one: wilson(one, decisions), five: wilson(five, decisions) });
    }
  }
  const power = [];
  for (const rho of rhos) {
    for (const shift of shifts) {
      let found = 0;
      let first = 0;
      let windows = 0;
      const n = Math.max(200, Math.round(decisions / 5));
      for (let i = 0; i < n; i++) {
        const decision = decide(simulate(perSide, rho, Math.log1p(shift)), DEFAULT_DUET_OPTIONS);
        if (decision.final.outcome === 'regressed') {
          found++;
          if (decision.looks.length === 1) first++;
        }
        windows += decision.windows;
      }
      power.push({ rho, shift, found: wilson(found, n), first: wilson(first, n), meanWindows: windows / n });
    }
  }
  return { typeOne, power };
}

export function printSimulation({ typeOne, power }, decisions) {
  const pct = (r) => `${r.k}/${r.n}: ${(100 * r.rate).toFixed(2)}% (${(100 * r.low).toFixed(2)}–${(100 * r.high).toFixed(2)}%)`;
  console.log(`\nsimulated false alarms at 0 % (${decisions} decisions per cell; α = 5 %, looks at 20/40/60 windows)\n`);
  console.log('| ρ | rule | one statistic, σ_d 5 % | five latency statistics, measured σ_d |');
  console.log('| ---: | --- | --- | --- |');
  for (const r of typeOne) console.log(`| ${r.rho} | ${r.rule} | ${pct(r.one)} | ${pct(r.five)} |`);
  console.log('\nsimulated power, defaults, five latency statistics with the measured window noise\n');
  console.log('| ρ | shift | regressed | regressed at the first block | mean windows |');
  console.log('| ---: | ---: | --- | --- | ---: |');
  for (const r of power)
    console.log(`| ${r.rho} | +${Math.round(r.shift * 100)}% | ${pct(r.found)} | ${pct(r.first)} | ${r.meanWindows.toFixed(1)} |`);
}

/**
 * One line per rule over the cells the targets name: false alarms of the live unchanged decisions,
 * how many ended equivalent, +5 % live and B scaled, +20 % at the first block, and the median k6
 * seconds of the unchanged decisions.
 */
export function printRuleComparison(variants, lib) {
  const pct = (k, n) => {
    if (n === 0) return '—';
    const w = lib.sampling.wilsonInterval(k, n, 0.95);
    return `${k}/${n}: ${((100 * k) / n).toFixed(1)} % (${(100 * w.low).toFixed(1)}–${(100 * w.high).toFixed(1)} %)`;
  };
  const sum = (rows, pick, filter) => rows.filter(filter).reduce((acc, r) => [acc[0] + pick(r), acc[1] + r.decisions], [0, 0]);
  const live = (shift) => (r) => r.shift === shift && !r.profile.includes('scaled');
  const scaled = (shift) => (r) => r.shift === shift && r.profile.includes('scaled');
  console.log('\nrules compared on the same recorded live duets (all profiles)\n');
  console.log(
    '| rule | unchanged, live: changed called | equivalent | +2 %, B scaled | +5 %, live | +5 %, B scaled | +20 %, live: regressed at the first block | +20 %, B scaled: at the first block | median k6 s, unchanged |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | ---: |');
  for (const [name, { rows }] of Object.entries(variants)) {
    const unchanged = rows.filter(live(0));
    const k6 = median(unchanged.flatMap((r) => Array(r.decisions).fill(r.medianK6Seconds)));
    console.log(
      `| ${name} | ${pct(...sum(rows, (r) => r.flagged.k, live(0)))} | ${pct(...sum(rows, (r) => r.outcomes.equivalent, live(0)))} | ${pct(...sum(rows, (r) => r.flagged.k, scaled(0.02)))} | ${pct(...sum(rows, (r) => r.flagged.k, live(0.05)))} | ${pct(...sum(rows, (r) => r.flagged.k, scaled(0.05)))} | ${pct(...sum(rows, (r) => r.firstBlockRegressed.k, live(0.2)))} | ${pct(...sum(rows, (r) => r.firstBlockRegressed.k, scaled(0.2)))} | ${Number.isFinite(k6) ? k6.toFixed(0) : '—'} |`,
    );
  }
}
