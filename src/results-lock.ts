// One run per results dir. Two runs writing one folder overwrite each other's files, and a run whose
// k6 wrote nothing could read the other run's summary as its own. The lock file names its owner, so
// the second run's error says which run holds the folder; a lock whose process is gone is removed.
import { readFileSync, rmSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './config.js';

export const RESULTS_LOCK_FILE = '.k6-gate.lock';

/** A lock from another machine (a shared volume) counts as abandoned after this long. */
export const FOREIGN_LOCK_STALE_MS = 24 * 3_600_000;

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

export interface ResultsLock {
  /** Removes the lock (if it is still this run's). */
  release(): Promise<void>;
  /** Set when an abandoned lock was removed to take this one: for the log. */
  replaced?: string;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on host ${owner.host}, started ${owner.started}`;
}

/** Why the lock at `file` no longer counts, or undefined while its run may still be going. */
async function abandonedBecause(file: string): Promise<string | undefined> {
  let owner: Partial<LockOwner> = {};
  try {
    owner = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
  } catch {
    // Unreadable: another run may be writing it this very moment; give it a few seconds.
    const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
    return age > 10_000 ? 'an unreadable lock file' : undefined;
  }
  if (typeof owner.pid !== 'number' || typeof owner.host !== 'string') return 'a lock file without an owner';
  if (owner.host === os.hostname()) return processIsAlive(owner.pid) ? undefined : `pid ${owner.pid} is no longer running`;
  const age = Date.now() - Date.parse(owner.started ?? '');
  return age > FOREIGN_LOCK_STALE_MS ? `a lock from ${owner.host} older than 24 h` : undefined;
}

export async function lockResultsDir(dir: string): Promise<ResultsLock> {
  const file = path.join(dir, RESULTS_LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  const text = `${JSON.stringify(owner)}\n`;
  let replaced: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, text, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const why = await abandonedBecause(file);
    if (why === undefined) {
      let holder = 'another k6-gate run';
      try {
        holder = `another k6-gate run (${describeOwner(JSON.parse(readFileSync(file, 'utf8')) as LockOwner)})`;
      } catch {
        // keep the plain words
      }
      throw new ConfigError(
        `results dir ${dir} is in use by ${holder}; expected one run per results dir: wait for that run to end, give this run its own results-dir, or delete ${file} if that run is gone`,
      );
    }
    replaced = why;
    await rm(file, { force: true });
  }
  // A run ended by a second signal (process.exit) still frees the folder.
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
