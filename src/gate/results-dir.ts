// Step 1: the results dir. Created and probed for writing before anything is measured, then locked
// for this run (one run per folder: results-lock.ts) and cleared of the previous run's files, so
// nothing stale (a load-performance.json, a summary of a scenario not run now) is published as this
// run's. A folder k6-gate did not make (no marker file) is never cleared: when it holds files under
// names the gate writes (`--results-dir .` in a project with its own report.md), it is refused.
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { createFolder } from '../folder.js';
import { GATE_REPORT_FILE } from '../report/html.js';
import { JUNIT_FILE } from '../report/junit.js';
import { LOAD_PERFORMANCE_FILE } from '../report/load-performance.js';
import { lockResultsDir, RESULTS_LOCK_FILE, type ResultsLock } from '../results-lock.js';
import { GateStop, type GateRun } from './result.js';

export const COMPARISON_FILE = 'comparison.json';
export const REPORT_FILE = 'report.md';
/** Written into every results dir k6-gate uses: the folder is the gate's, and old files may go. */
export const RESULTS_MARKER_FILE = '.k6-gate-results';

/** The gate's report files, and the two GitLab's publisher adds (dotenv, HTML copy for expose_as). */
const REPORT_FILES = [COMPARISON_FILE, REPORT_FILE, JUNIT_FILE, LOAD_PERFORMANCE_FILE, GATE_REPORT_FILE, 'k6-gate.env', 'report.html'];
/** The files of one k6 run (shard names included): summary, log, raw samples, HTML report, live file. */
const RUN_FILE = /^(summary-.+\.json|k6-.+\.(log|json\.gz)|report-.+\.html|\.k6-live-.+\.json)$/;

function isResultFileName(name: string): boolean {
  return REPORT_FILES.includes(name) || RUN_FILE.test(name);
}

/** Files k6-gate writes into the results dir; the baseline must not be one of them. */
function isOwnOutputFile(file: string, resultsDir: string): boolean {
  if (path.dirname(path.resolve(file)) !== path.resolve(resultsDir)) return false;
  const name = path.basename(file);
  return isResultFileName(name) || name === RESULTS_LOCK_FILE || name === RESULTS_MARKER_FILE;
}

/** Makes the results dir ready and this run's alone; `GateStop` (nothing written there) when it cannot be. */
export async function prepareResultsDir(run: GateRun): Promise<ResultsLock> {
  const dir = run.config.resultsDir;
  const notWritable = (error: unknown) =>
    new GateStop(
      `results dir ${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a folder k6-gate can create and write, set results-dir to one`,
      false,
    );
  let names: string[];
  try {
    createFolder(dir);
    // Files only: a folder under a result name is k6's problem to report, not a file to replace.
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => !entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    throw notWritable(error);
  }
  if (!names.includes(RESULTS_MARKER_FILE)) refuseForeignFiles(dir, names);
  try {
    await writeFile(path.join(dir, RESULTS_MARKER_FILE), 'k6-gate writes its results here and replaces them on every run.\n');
  } catch (error) {
    throw notWritable(error);
  }
  let lock: ResultsLock;
  try {
    lock = await lockResultsDir(dir);
  } catch (error) {
    // Another run owns the folder: write nothing into it.
    throw new GateStop((error as Error).message, false);
  }
  if (lock.replaced) run.log.info(`k6-gate: removed an abandoned lock of ${dir} (${lock.replaced})`);
  await removePreviousResults(run, names);
  return lock;
}

/** A folder without the marker that holds files under the gate's names: they are someone else's. */
function refuseForeignFiles(dir: string, names: readonly string[]): void {
  const clashing = names.filter(isResultFileName).sort();
  if (clashing.length === 0) return;
  const shown = clashing.length > 5 ? `${clashing.slice(0, 5).join(', ')}, …` : clashing.join(', ');
  throw new GateStop(
    `results dir ${dir} holds files k6-gate did not write (${shown}) under names it writes; expected an empty folder or one k6-gate made, set results-dir to one (e.g. k6-gate-results)`,
    false,
  );
}

/** The previous run's files go; in merge mode the shards' files stay when they are read from here. */
async function removePreviousResults(run: GateRun, names: readonly string[]): Promise<void> {
  const { config } = run;
  const mergingHere = config.merge && path.resolve(config.merge.dir) === path.resolve(config.resultsDir);
  const stale = names.filter((name) => isResultFileName(name) && !(mergingHere && name.includes('.shard-')));
  await Promise.all(
    stale.map((name) =>
      rm(path.join(config.resultsDir, name), { force: true }).catch((error: Error) =>
        run.log.warning(`k6-gate: could not remove ${name}, left by an earlier run, from ${config.resultsDir}: ${error.message}`),
      ),
    ),
  );
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
