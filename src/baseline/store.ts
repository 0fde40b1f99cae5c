// Writing the baseline file when several gates may do it at once (parallel CI jobs sharing a
// checkout or a network folder, a laptop run next to a scheduled one): every update takes a lock
// file, re-reads the file under it, merges its own entry into what it finds, writes through a
// temporary file and a rename (readers see the old or the new file, never half of one), keeps the
// file's mode, and lets go. docs/adr/0002-baseline-environment-key.md argues the choices.
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BaselineError, loadBaseline, parseBaseline, serializeBaseline, type BaselineFile } from './format.js';

export interface LockOptions {
  /** A lock older than this is left over by a gate that died and is broken (default 30 s). */
  staleMs?: number;
  /** How long to wait for another gate's lock before giving up (default 60 s). */
  timeoutMs?: number;
}

export const DEFAULT_LOCK_OPTIONS: Required<LockOptions> = Object.freeze({ staleMs: 30_000, timeoutMs: 60_000 });

export function lockFileFor(file: string): string {
  return `${file}.lock`;
}

interface LockContent {
  pid: number;
  host: string;
  nonce: string;
  since: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when the lock's holder is a process on this host that no longer exists. */
function holderIsGone(content: LockContent | undefined): boolean {
  if (!content || content.host !== os.hostname()) return false;
  try {
    process.kill(content.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function readLock(lock: string): Promise<{ content?: LockContent; mtimeMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    let content: LockContent | undefined;
    try {
      content = JSON.parse(text) as LockContent;
    } catch {
      content = undefined; // being written right now, or not ours: judged by its age alone
    }
    return { content, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Breaks a stale lock without breaking a fresh one taken meanwhile: the lock is renamed away (only
 * one breaker can rename a given file), and if what was renamed is not the stale lock that was
 * judged, it is put back with link() (which fails rather than replace a lock taken since).
 */
async function breakStaleLock(lock: string, judged: { content?: LockContent }): Promise<void> {
  const aside = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(lock, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = await readLock(aside);
  if (judged.content?.nonce !== undefined && moved?.content?.nonce !== judged.content.nonce) {
    await link(aside, lock).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

/** Runs `work` while holding the baseline's lock file. */
export async function withBaselineLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const { staleMs, timeoutMs } = { ...DEFAULT_LOCK_OPTIONS, ...options };
  const lock = lockFileFor(file);
  const content: LockContent = {
    pid: process.pid,
    host: os.hostname(),
    nonce: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
  };
  const started = Date.now();
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      try {
        await handle.writeFile(JSON.stringify(content));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new BaselineError(
          `baseline lock ${lock} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a writable folder`,
          {
            cause: error,
          },
        );
      }
    }
    const held = await readLock(lock);
    if (held && (Date.now() - held.mtimeMs > staleMs || holderIsGone(held.content))) {
      await breakStaleLock(lock, held);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const by = held?.content ? ` by process ${held.content.pid} on ${held.content.host} since ${held.content.since}` : '';
      throw new BaselineError(
        `baseline ${path.basename(file)} is locked${by} and stayed locked for ${Math.round(timeoutMs / 1000)} s; expected another gate to finish its update (delete ${lock} if no gate is running)`,
      );
    }
    // Randomised back-off, so waiting gates do not retry in step.
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
  }
  try {
    return await work();
  } finally {
    const mine = await readLock(lock).catch(() => undefined);
    if (mine?.content?.nonce === content.nonce) await rm(lock, { force: true });
  }
}

/**
 * Writes the baseline through a temporary file and a rename, so a reader never sees half a file,
 * and keeps the existing file's mode. A read-only file is refused instead of being replaced (a
 * rename would slip past its permissions).
 */
export async function saveBaseline(file: string, baseline: BaselineFile): Promise<void> {
  const text = serializeBaseline(baseline);
  // Refuse to write something the next read would reject.
  parseBaseline(text, path.basename(file));
  let mode = 0o644;
  try {
    const info = await stat(file);
    mode = info.mode & 0o7777;
    if ((mode & 0o200) === 0) {
      throw new BaselineError(
        `baseline ${path.basename(file)} is read-only (mode ${mode.toString(8).padStart(4, '0')}); expected a writable file: make it writable, or run without update-baseline`,
      );
    }
  } catch (error) {
    if (error instanceof BaselineError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temporary, mode); // open()'s mode passes through the umask
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Updates the baseline file under its lock: reads what is there NOW (another gate may have written
 * since this one started), applies `change` to it and writes the result. Returns both versions.
 */
export async function updateBaselineFile(
  file: string,
  change: (current: BaselineFile | undefined) => BaselineFile,
  options: LockOptions = {},
): Promise<{ before: BaselineFile | undefined; after: BaselineFile }> {
  return withBaselineLock(
    file,
    async () => {
      const before = await loadBaseline(file);
      const after = change(before);
      await saveBaseline(file, after);
      return { before, after };
    },
    options,
  );
}
