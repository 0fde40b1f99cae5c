// Step 1: the results dir. Created and probed for writing before anything is measured, then locked
// for this run (one run per folder: results-lock.ts). The baseline must not be one of the files the
// gate writes there.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { JUNIT_FILE } from '../report/junit.js';
import { LOAD_PERFORMANCE_FILE } from '../report/load-performance.js';
import { lockResultsDir, type ResultsLock } from '../results-lock.js';
import { GateStop, type GateRun } from './result.js';

export const COMPARISON_FILE = 'comparison.json';
export const REPORT_FILE = 'report.md';

/** Files k6-gate writes into the results dir; the baseline must not be one of them. */
export function isOwnOutputFile(file: string, resultsDir: string): boolean {
  if (path.dirname(path.resolve(file)) !== path.resolve(resultsDir)) return false;
  const name = path.basename(file);
  return (
    [COMPARISON_FILE, REPORT_FILE, JUNIT_FILE, LOAD_PERFORMANCE_FILE].includes(name) ||
    /^(summary-.*\.json|k6-.*\.(log|json\.gz|json)|report-.*\.html)$/.test(name)
  );
}

/** Makes the results dir ready and this run's alone; `GateStop` (nothing written there) when it cannot be. */
export async function prepareResultsDir(run: GateRun): Promise<ResultsLock> {
  const dir = run.config.resultsDir;
  try {
    await mkdir(dir, { recursive: true });
    const probe = path.join(dir, '.k6-gate-write-test');
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Nowhere to write: reported on the log only.
    throw new GateStop(
      `results dir ${dir} is not writable (${code ?? (error as Error).message}); expected a folder k6-gate can create and write, set results-dir to one`,
      false,
    );
  }
  try {
    const lock = await lockResultsDir(dir);
    if (lock.replaced) run.log.info(`k6-gate: removed an abandoned lock of ${dir} (${lock.replaced})`);
    return lock;
  } catch (error) {
    // Another run owns the folder: write nothing into it.
    throw new GateStop((error as Error).message, false);
  }
}

/** Refuses a baseline path that is one of the gate's own result files (it would be overwritten). */
export function refuseOwnOutputBaseline(run: GateRun): void {
  const { config, result } = run;
  if (isOwnOutputFile(config.baselinePath, config.resultsDir)) {
    throw new ConfigError(
      `baseline ${result.baselinePath} is one of the files k6-gate writes into the results dir (${path.basename(config.baselinePath)}); expected a file of its own, e.g. k6-baseline.json`,
    );
  }
}
