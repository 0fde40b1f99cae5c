// Writing the baseline file when several gates may do it at once (parallel CI jobs sharing a
// checkout or a network folder, a laptop run next to a scheduled one): every update takes a lock
// file, re-reads the file under it, merges its own entry into what it finds, writes through a
// temporary file and a rename (readers see the old or the new file, never half of one), keeps the
// file's mode, and lets go. docs/adr/0002-baseline-environment-key.md argues the choices.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { createFolder } from '../folder.js';
import { LockHeldError, LockWaitAbandoned, acquireFileLock, type FileLock } from '../file-lock.js';
import type { Logger } from '../log.js';
import { realPathOf } from '../config.js';
import { BaselineError, loadBaseline, parseBaseline, serializeBaseline, type BaselineFile } from './format.js';

export interface LockOptions {
  /** A lock from another host older than this is left over by a gate that died and is removed (default 30 s). */
  staleMs?: number;
  /** How long to wait for another gate's lock before giving up (default 60 s). */
  timeoutMs?: number;
  /** Told when the update waits for another gate, and when it removes an abandoned lock. */
  log?: Pick<Logger, 'info' | 'warning'>;
  /** Stops waiting for another gate's lock (a stop request): BaselineLockAbandoned, nothing written. */
  signal?: AbortSignal;
}

/** The wait for the baseline's lock was given up on request; nothing was written. */
export class BaselineLockAbandoned extends BaselineError {}

export const DEFAULT_LOCK_OPTIONS = Object.freeze({ staleMs: 30_000, timeoutMs: 60_000 });

export function lockFileFor(file: string): string {
  return `${file}.lock`;
}

/** Runs `work` while holding the baseline's lock file (file-lock.ts decides what still counts). */
export async function withBaselineLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const { staleMs, timeoutMs } = { ...DEFAULT_LOCK_OPTIONS, ...options };
  const lockFile = lockFileFor(file);
  try {
    createFolder(path.dirname(file));
  } catch (error) {
    throw notWritable(file, error);
  }
  let lock: FileLock;
  try {
    lock = await acquireFileLock(lockFile, {
      waitMs: timeoutMs,
      foreignStaleMs: staleMs,
      signal: options.signal,
      onWait: (holder) =>
        options.log?.info(`baseline ${path.basename(file)} is being updated by ${holder}; waiting up to ${Math.round(timeoutMs / 1000)} s`),
    });
  } catch (error) {
    if (error instanceof LockWaitAbandoned) throw new BaselineLockAbandoned(`stopped waiting for the lock of ${path.basename(file)}`);
    if (error instanceof LockHeldError) {
      throw new BaselineError(
        `baseline ${path.basename(file)} is locked by ${error.holder} and stayed locked for ${Math.round(timeoutMs / 1000)} s; expected another gate to finish its update (delete ${lockFile} if no gate is running)`,
      );
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineError(
      `baseline lock ${lockFile} cannot be created (${code ?? (error as Error).message}); expected a writable folder`,
      {
        cause: error,
      },
    );
  }
  if (lock.replaced) options.log?.warning(`removed an abandoned baseline lock ${lockFile} (${lock.replaced})`);
  try {
    return await work();
  } finally {
    await lock.release();
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
  await parseBaseline(text, path.basename(file));
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
  try {
    createFolder(path.dirname(file));
    await writeFileAtomic(file, text, mode);
  } catch (error) {
    throw notWritable(file, error);
  }
}

/** A baseline path the file system refuses (a file where a folder should be, no permission, a full disk). */
function notWritable(file: string, error: unknown): BaselineError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new BaselineError(
    `baseline ${file} cannot be written (${code}); expected a path whose folders exist or can be created, writable, e.g. k6-baseline.json`,
    { cause: error },
  );
}

/**
 * Updates the baseline file under its lock: reads what is there NOW (another gate may have written
 * since this one started), applies `change` to it and writes the result. Returns both versions.
 * A baseline that is a symbolic link (checked to lead inside the workspace when the path was
 * read, config.ts insideWorkspace) is updated where it leads: the link stays a link, and the lock
 * sits next to the file that is written.
 */
export async function updateBaselineFile(
  link: string,
  change: (current: BaselineFile | undefined) => BaselineFile,
  options: LockOptions = {},
): Promise<{ before: BaselineFile | undefined; after: BaselineFile; written: string }> {
  const file = realPathOf(link);
  return withBaselineLock(
    file,
    async () => {
      const before = await loadBaseline(file);
      const after = change(before);
      await saveBaseline(file, after);
      return { before, after, written: file };
    },
    options,
  );
}
