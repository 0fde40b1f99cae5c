#!/usr/bin/env node
// The collector under a fleet: N synthetic runners push to one `k6-gate collect` receiver every
// second, the way k6's remote-write output does, and the collector's resident memory is sampled.
// Not part of CI: it runs for a minute or more.
//
//   node bench/collect.mjs [--runners 20] [--seconds 60] [--widen 1]
//
// Why synthetic runners: 20 real k6 processes do not fit on two shared cores next to the collector
// (each k6 needs a core to make load worth measuring). A runner here replays a real k6 v2 push
// (test/data/remote-write/push-1.bin: every series k6 pushed for a small HTTP test, native
// histograms included: 196 series, 21 URLs × 9 HTTP metrics), with its own instance_id and
// testrun_name, each URL tag set copied `--widen` times (more tag sets per runner), and totals that
// grow with every push (cumulative, as k6 sends them). At the end each runner sends k6's
// end-of-test push with stale markers; the collector then builds every runner's state and merges them.
//
// The collector runs in a child process (the TypeScript sources bundled into a scratch folder), so
// its memory is its own: RSS sampled every second from /proc, peak from VmHWM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { loadAverage, median } from './common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    runners: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    widen: { type: 'string', default: '1' },
  },
});
const RUNNERS = Number(flags.runners);
const SECONDS = Number(flags.seconds);
const WIDEN = Number(flags.widen);
const TOKEN = 'bench-token-0123456789abcdef';
const RUN_ID = 'bench-run';
const work = mkdtempSync(path.join(os.tmpdir(), 'k6-gate-bench-collect-'));

/** The modules the bench needs, bundled from src with esbuild (the generated validator is plain JS). */
async function bundle() {
  const { build } = await import('esbuild');
  const entry = path.join(work, 'entry.ts');
  writeFileSync(
    entry,
    [
      `export { runnerStates } from ${JSON.stringify(path.join(root, 'src/shard/collector.ts'))};`,
      `export { startCollector } from ${JSON.stringify(path.join(root, 'src/shard/collector-server.ts'))};`,
      `export { mergeStates } from ${JSON.stringify(path.join(root, 'src/shard/state-merge.ts'))};`,
      `export { decodeRemoteWriteBody, remoteWriteBody } from ${JSON.stringify(path.join(root, 'src/observability/remote-write.ts'))};`,
    ].join('\n'),
  );
  const out = path.join(work, 'bench-bundle.mjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error' });
  return out;
}

const bundled = await bundle();
const { decodeRemoteWriteBody, remoteWriteBody } = await import(bundled);

// The collector, alone in its process.
const driver = path.join(work, 'collector.mjs');
writeFileSync(
  driver,
  `import { startCollector, runnerStates, mergeStates } from ${JSON.stringify(bundled)};
const log = { info: () => {}, warning: (m) => process.stderr.write(m + '\\n'), error: (m) => process.stderr.write(m + '\\n'), debug: () => {}, group: (_t, f) => f(), addSecret: () => {} };
const c = await startCollector({ runId: ${JSON.stringify(RUN_ID)}, runners: ${RUNNERS}, token: ${JSON.stringify(TOKEN)}, runnerTimeoutMs: 30000, deadlineAt: Date.now() + ${(SECONDS + 120) * 1000}, host: '127.0.0.1', port: 0, log });
process.stdout.write(JSON.stringify({ url: c.url }) + '\\n');
const collection = await c.done;
process.stderr.write('collection ended: ' + collection.ended + ' after ' + (collection.endedAt - collection.startedAt) + ' ms; ' + collection.missing.map((m) => m.instance + ' ' + m.why).join('; ') + '\\n');
const states = runnerStates(collection, 'bench');
// A missing runner (its end push lost) makes the merge refuse: the bench still reports the memory.
const merged = collection.missing.length === 0 && states.length ? mergeStates(states) : { series: [] };
process.stdout.write(JSON.stringify({ ended: collection.ended, missing: collection.missing.length, duplicated: collection.duplicated.length,
  series: collection.runners.reduce((n, r) => n + r.series.size, 0), mergedSeries: merged.series.length,
  pushes: collection.runners.reduce((n, r) => n + r.pushes, 0), refused: collection.refusals }) + '\\n');
`,
);
const child = spawn(process.execPath, [driver], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = [];
let waiting;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  for (const line of chunk.split('\n').filter(Boolean)) {
    lines.push(JSON.parse(line));
    waiting?.();
  }
});
const nextLine = () => new Promise((resolve) => (waiting = resolve)).then(() => lines.at(-1));
const { url } = lines[0] ?? (await nextLine());

/** Resident and peak memory of the collector, from /proc (MiB). */
function memory() {
  let status = '';
  try {
    status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  } catch {
    // The collector has ended (its deadline passed): no figure.
  }
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

// One recorded k6 push, each url/name tag set copied WIDEN times.
const recorded = decodeRemoteWriteBody(readFileSync(path.join(root, 'test/data/remote-write/push-1.bin')));
const template = [];
for (const s of recorded) {
  const perEndpoint = s.labels.url !== undefined || s.labels.name !== undefined;
  for (let e = 0; e < (perEndpoint ? WIDEN : 1); e++) {
    const labels = { ...s.labels };
    if (perEndpoint && WIDEN > 1) {
      if (labels.url !== undefined) labels.url = `${labels.url}/endpoint-${e}`;
      if (labels.name !== undefined) labels.name = `${labels.name}/endpoint-${e}`;
    }
    template.push({ labels, samples: s.samples, histograms: s.histograms });
  }
}

/** Runner `i`'s push number `k` (cumulative: every count grows by the recorded one each push). */
function body(i, k, end) {
  const series = template.map((s) => ({
    labels: { ...s.labels, instance_id: String(i), testrun_name: RUN_ID },
    samples: [
      ...s.samples.map((x) => ({ value: s.labels.__name__.endsWith('_total') ? x.value * k : x.value, timestampMs: Date.now() })),
      ...(end ? [{ value: NaN, timestampMs: Date.now() + 1, stale: true }] : []),
    ],
    histograms: s.histograms.map((h) => ({
      ...h,
      count: h.count * k,
      sum: h.sum * k,
      zeroCount: h.zeroCount * k,
      positive: new Map([...h.positive].map(([b, c]) => [b, c * k])),
      negative: new Map([...h.negative].map(([b, c]) => [b, c * k])),
      timestampMs: Date.now(),
    })),
  }));
  return remoteWriteBody(series);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: RUNNERS });
const latencies = [];
function post(payload) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - started);
          if (res.statusCode !== 204) reject(new Error(`push answered ${res.statusCode}`));
          else resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let failedPushes = 0;
/** A push as k6 makes it: an error is logged and the next push carries the totals again. */
const push = (payload) =>
  post(payload).catch((error) => {
    failedPushes++;
    console.error(`a push failed: ${error.message}`);
  });

const bytesPerPush = body(1, 1, false).length;
console.log(
  `${RUNNERS} runners × ${template.length} series (${(bytesPerPush / 1024).toFixed(1)} KiB a push), one push a second each for ${SECONDS} s; load average ${loadAverage()}`,
);
const samples = [];
const startedAt = Date.now();
for (let k = 1; k <= SECONDS; k++) {
  const tick = startedAt + k * 1000;
  // Runners push in the same second, spread over it as independent processes would.
  await Promise.all(
    Array.from({ length: RUNNERS }, (_, r) =>
      new Promise((resolve) => setTimeout(resolve, (r * 1000) / RUNNERS)).then(() => push(body(r + 1, k, false))),
    ),
  );
  samples.push(memory());
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, tick - Date.now())));
}
await Promise.all(Array.from({ length: RUNNERS }, (_, r) => push(body(r + 1, SECONDS, true))));
const afterEnd = memory();
const result = await nextLine();
const peak = afterEnd.peak;
child.kill();
agent.destroy();
rmSync(work, { recursive: true, force: true });

const rss = samples.map((s) => s.rss);
console.log(
  JSON.stringify(
    {
      runners: RUNNERS,
      seriesPerRunner: template.length,
      pushesAccepted: result.pushes,
      pushesFailed: failedPushes,
      collection: result,
      rssMiB: { median: +median(rss).toFixed(1), last: +rss.at(-1).toFixed(1), peak: +peak.toFixed(1) },
      pushLatencyMs: { median: +median(latencies).toFixed(1), max: +Math.max(...latencies).toFixed(1) },
      loadAverage: loadAverage(),
      uptime: spawnSync('uptime', { encoding: 'utf8' }).stdout.trim(),
    },
    null,
    2,
  ),
);
if (peak >= 200) {
  console.error(`collector peak RSS ${peak.toFixed(1)} MiB: over the 200 MiB target`);
  process.exitCode = 1;
}
