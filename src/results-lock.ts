// One run per results dir. Two runs writing one folder overwrite each other's files, and a run whose
// k6 wrote nothing could read the other run's summary as its own. The lock (file-lock.ts) names its
// owner, so the second run's error says which run holds the folder; an abandoned lock is removed.
import path from 'node:path';
import { ConfigError } from './config.js';
import { LockHeldError, acquireFileLock, type FileLock } from './file-lock.js';

export const RESULTS_LOCK_FILE = '.k6-gate.lock';

/** A lock from another machine (a shared volume) counts as abandoned after this long. */
export const FOREIGN_LOCK_STALE_MS = 24 * 3_600_000;

export type ResultsLock = FileLock;

/** Takes the results dir for this run at once, or says which run has it. */
export async function lockResultsDir(dir: string): Promise<ResultsLock> {
  const file = path.join(dir, RESULTS_LOCK_FILE);
  try {
    return await acquireFileLock(file, { waitMs: 0, foreignStaleMs: FOREIGN_LOCK_STALE_MS });
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    throw new ConfigError(
      `results dir ${dir} is in use by another k6-gate run (${error.holder}); expected one run per results dir: wait for that run to end, give this run its own results-dir, or delete ${file} if that run is gone`,
    );
  }
}
