// The one lock file of k6-gate (results dir, baseline file). A lock is a file created exclusively
// that names its owner (pid, host, start, a random nonce). Whether a lock still counts is decided
// the same way everywhere:
// - its owner runs on this host: it counts while that process exists, however long it takes;
// - its owner runs on another host (a shared volume): it counts until it is `foreignStaleMs` old;
// - the file says no owner (being written this very moment, or garbage): it counts for
//   UNREADABLE_GRACE_MS, then it is abandoned.
// A lock that counts is waited for up to `waitMs` (saying so once), then refused naming its holder;
// an abandoned one is removed, and the caller is told why.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { link, open, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { ExpectedError } from './errors.js';

/** A lock file without an owner is given this long to be the one being written right now. */
export const UNREADABLE_GRACE_MS = 5000;

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  nonce: string;
}

export interface FileLockOptions {
  /** How long to wait for a lock that counts; 0 refuses at once. */
  waitMs: number;
  /** A lock from another host (whose process cannot be checked) counts for this long. */
  foreignStaleMs: number;
  /** Told once, when the wait starts: who holds the lock and for how long this run waits. */
  onWait?: (holder: string) => void;
  /** Stops the wait (a stop request): LockWaitAbandoned. */
  signal?: AbortSignal;
}

export interface FileLock {
  /** Removes the lock, if it is still this run's. */
  release(): Promise<void>;
  /** Set when an abandoned lock was removed to take this one: why it no longer counted. */
  replaced?: string;
}

/** The lock counts and stayed held for `waitMs`. */
export class LockHeldError extends ExpectedError {
  constructor(
    readonly file: string,
    /** "pid 4242 on host ci-7, since 2026-…", or what is known. */
    readonly holder: string,
  ) {
    super(`${file} is held by ${holder}`);
    this.name = 'LockHeldError';
  }
}

/** The wait for a held lock was given up on request (`signal`). */
export class LockWaitAbandoned extends ExpectedError {
  constructor(
    readonly file: string,
    readonly holder: string,
  ) {
    super(`stopped waiting for ${file}, held by ${holder}`);
    this.name = 'LockWaitAbandoned';
  }
}

interface Held {
  owner?: Partial<LockOwner> & { started?: string };
  mtimeMs: number;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHeld(file: string): Promise<Held | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let owner: Held['owner'];
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') owner = parsed as Held['owner'];
    } catch {
      owner = undefined;
    }
    return { owner, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function describeHolder(held: Held): string {
  const owner = held.owner;
  if (typeof owner?.pid !== 'number' || typeof owner.host !== 'string') return 'a lock file that names no owner';
  const since = owner.since ?? owner.started;
  return `pid ${owner.pid} on host ${owner.host}${since ? `, since ${since}` : ''}`;
}

/** Why the lock no longer counts, or undefined while it does. */
function abandonedBecause(held: Held, foreignStaleMs: number): string | undefined {
  const age = Date.now() - held.mtimeMs;
  const owner = held.owner;
  if (typeof owner?.pid !== 'number' || typeof owner.host !== 'string') {
    return age > UNREADABLE_GRACE_MS ? `the lock file names no owner and is ${Math.round(age / 1000)} s old` : undefined;
  }
  if (owner.host === os.hostname()) return processIsAlive(owner.pid) ? undefined : `pid ${owner.pid} is no longer running`;
  return age > foreignStaleMs ? `a lock from host ${owner.host} older than ${formatAge(foreignStaleMs)}` : undefined;
}

function formatAge(ms: number): string {
  return ms >= 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 1000)} s`;
}

/**
 * Removes an abandoned lock without removing a fresh one taken meanwhile: the lock is renamed away
 * (only one remover can rename a given file), and if what was renamed is not the lock that was
 * judged, it is put back with link() (which fails rather than replace a lock taken since).
 */
async function removeAbandoned(file: string, judged: Held): Promise<void> {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(file, aside);
  } catch {
    return; // someone else removed or released it
  }
  const moved = await readHeld(aside).catch(() => undefined);
  if (moved?.owner?.nonce !== judged.owner?.nonce || moved?.mtimeMs !== judged.mtimeMs) {
    await link(aside, file).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the lock file `file` (see the module comment). Throws LockHeldError when it stays held. */
export async function acquireFileLock(file: string, options: FileLockOptions): Promise<FileLock> {
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(owner)}\n`;
  const started = Date.now();
  let replaced: string | undefined;
  let told = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readHeld(file);
    if (!held) continue; // released in between
    const why = abandonedBecause(held, options.foreignStaleMs);
    if (why !== undefined) {
      replaced = why;
      await removeAbandoned(file, held);
      continue;
    }
    if (options.signal?.aborted) throw new LockWaitAbandoned(file, describeHolder(held));
    if (Date.now() - started >= options.waitMs) throw new LockHeldError(file, describeHolder(held));
    if (!told) {
      told = true;
      options.onWait?.(describeHolder(held));
    }
    // Randomised back-off, so waiting runs do not retry in step.
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
  }
  // A run ended by process.exit (a second stop signal) still lets go.
  const releaseNow = () => {
    try {
      if (readFileSync(file, 'utf8') === text) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
  process.once('exit', releaseNow);
  return {
    replaced,
    async release() {
      process.off('exit', releaseNow);
      releaseNow();
    },
  };
}
