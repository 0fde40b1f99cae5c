// The baseline file under concurrent updates: separate PROCESSES (not promises in one process) each
// record runs through updateBaselineFile; none is lost and the file is valid JSON at every moment.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline/format.js';
import { lockFileFor, saveBaseline, updateBaselineFile, withBaselineLock } from '../../src/baseline/store.js';
import { UNREADABLE_GRACE_MS } from '../../src/file-lock.js';

function recordingLog() {
  const lines: string[] = [];
  return { lines, info: (m: string) => lines.push(`info: ${m}`), warning: (m: string) => lines.push(`warning: ${m}`) };
}

const WORKER = `
import { updateBaselineFile } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/baseline/store.ts'))};
import { updateBaseline } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/baseline/update.ts'))};
import { parseRules } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/baseline/rules.ts'))};
const [file, worker, count] = process.argv.slice(2);
const rules = parseRules({ watch: ['http_req_duration:p(95)'], historyLimit: 1000 }, 'rules');
async function main() {
for (let i = 0; i < Number(count); i++) {
  const summary = { format: 'legacy', thresholds: [], checks: [], metrics: {
    http_req_duration: { name: 'http_req_duration', type: 'trend', contains: 'time', values: { 'p(95)': 100 + Number(worker) } } } };
  await updateBaselineFile(file, (current) => updateBaseline(current, [{
    key: 'smoke', scenario: 'smoke', summary, k6Version: '2.2.0', commit: 'w' + worker + 'i' + i, date: new Date().toISOString() }], rules));
}
}
main().catch((error) => { console.error(error); process.exit(1); });
`;

let workerFile: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'k6-gate-store-'));
  workerFile = path.join(dir, 'worker.cjs');
  await build({
    stdin: { contents: WORKER, resolveDir: dir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: workerFile,
    logLevel: 'silent',
  });
});

function runWorker(file: string, worker: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [workerFile, file, String(worker), String(count)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: path.resolve(import.meta.dirname, '../..'),
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(code) : reject(new Error(`worker ${worker} exited ${code}: ${stderr}`))));
  });
}

describe('updateBaselineFile: concurrent updaters', () => {
  it('6 processes × 8 updates each: no entry lost, the file valid JSON at every moment', async () => {
    const file = path.join(dir, 'concurrent.json');
    const workers = 6;
    const each = 8;
    let reads = 0;
    const invalid: string[] = [];
    let running = true;
    // Read the file as fast as possible while the workers write; every read must parse.
    const watcher = (async () => {
      while (running) {
        try {
          const text = readFileSync(file, 'utf8');
          reads++;
          try {
            await parseBaseline(text, 'concurrent.json');
          } catch (error) {
            invalid.push((error as Error).message);
          }
        } catch {
          // not created yet
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(Array.from({ length: workers }, (_, w) => runWorker(file, w, each)));
    running = false;
    await watcher;
    const baseline = await parseBaseline(await readFile(file, 'utf8'), 'concurrent.json');
    const history = baseline.scenarios.smoke.metrics.http_req_duration['p(95)'].history;
    expect(history.length).toBe(workers * each);
    expect(new Set(history.map((e) => e.commit)).size).toBe(workers * each);
    expect(invalid).toEqual([]);
    expect(reads).toBeGreaterThan(10);
  }, 60_000);
});

describe('lock and write', () => {
  it('breaks a lock left by a process that died, and one older than the stale timeout', async () => {
    const file = path.join(dir, 'stale.json');
    await writeFile(lockFileFor(file), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), nonce: 'x', since: 'then' }));
    expect(await withBaselineLock(file, async () => 'ran', { timeoutMs: 2000 })).toBe('ran');
    // A lock of a live process on another host, but old: broken after staleMs.
    await writeFile(lockFileFor(file), JSON.stringify({ pid: 1, host: 'elsewhere', nonce: 'y', since: 'then' }));
    const old = new Date(Date.now() - 120_000);
    await utimes(lockFileFor(file), old, old);
    expect(await withBaselineLock(file, async () => 'ran again', { staleMs: 30_000, timeoutMs: 2000 })).toBe('ran again');
    await expect(stat(lockFileFor(file))).rejects.toThrow(/ENOENT/);
  });

  it('waits for a live lock and then says who holds it', async () => {
    const file = path.join(dir, 'held.json');
    await writeFile(
      lockFileFor(file),
      JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: 'z', since: '2026-11-25T10:00:00Z' }),
    );
    await expect(withBaselineLock(file, async () => 'never', { timeoutMs: 300 })).rejects.toThrow(
      `baseline held.json is locked by pid ${process.pid} on host ${os.hostname()}, since 2026-11-25T10:00:00Z and stayed locked for 0 s; expected another gate to finish its update (delete ${lockFileFor(file)} if no gate is running)`,
    );
  });

  it('never breaks a live holder’s lock by its age: it is waited for, saying who holds it, then refused', async () => {
    const file = path.join(dir, 'long-held.json');
    await writeFile(
      lockFileFor(file),
      JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: 'w', since: '2026-11-25T10:00:00Z' }),
    );
    const old = new Date(Date.now() - 120_000);
    await utimes(lockFileFor(file), old, old);
    const log = recordingLog();
    await expect(withBaselineLock(file, async () => 'never', { timeoutMs: 1500, log })).rejects.toThrow(
      `baseline long-held.json is locked by pid ${process.pid} on host ${os.hostname()}, since 2026-11-25T10:00:00Z and stayed locked for 2 s`,
    );
    expect(log.lines).toEqual([
      `info: baseline long-held.json is being updated by pid ${process.pid} on host ${os.hostname()}, since 2026-11-25T10:00:00Z; waiting up to 2 s`,
    ]);
    expect(JSON.parse(await readFile(lockFileFor(file), 'utf8')).nonce).toBe('w');
  });

  it('takes over a lock file that names no owner (garbage) once it is 5 s old, with a warning', async () => {
    const file = path.join(dir, 'garbage.json');
    await writeFile(lockFileFor(file), 'this is not a k6-gate lock');
    const log = recordingLog();
    const started = Date.now();
    expect(await withBaselineLock(file, async () => 'ran', { log })).toBe('ran');
    const tookMs = Date.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(UNREADABLE_GRACE_MS - 500);
    expect(tookMs).toBeLessThan(UNREADABLE_GRACE_MS + 10_000);
    expect(log.lines[0]).toBe(`info: baseline garbage.json is being updated by a lock file that names no owner; waiting up to 60 s`);
    expect(log.lines[1]).toMatch(
      new RegExp(
        `^warning: removed an abandoned baseline lock ${lockFileFor(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(the lock file names no owner and is \\d+ s old\\)$`,
      ),
    );
    await expect(stat(lockFileFor(file))).rejects.toThrow(/ENOENT/);
  }, 30_000);

  it('keeps the file mode, and refuses to replace a read-only baseline', async () => {
    const file = path.join(dir, 'mode.json');
    await saveBaseline(file, { version: 1, scenarios: {} });
    await chmod(file, 0o640);
    await updateBaselineFile(file, (current) => ({ ...current!, updatedAt: '2026-11-25T10:00:00Z' }));
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    await chmod(file, 0o444);
    await expect(updateBaselineFile(file, (current) => current!)).rejects.toThrow(
      'baseline mode.json is read-only (mode 0444); expected a writable file: make it writable, or run without update-baseline',
    );
    expect((await stat(file)).mode & 0o777).toBe(0o444);
    await expect(stat(lockFileFor(file))).rejects.toThrow(/ENOENT/);
  });
});
