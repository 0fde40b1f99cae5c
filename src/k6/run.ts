// Starts k6 for one scenario and waits for it: argument array (never a shell), output streamed to
// the log and saved to a file with secrets removed, a time limit enforced with SIGINT then SIGKILL.
import { createWriteStream, existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Cancellation, StopSignal } from '../cancel.js';
import type { Logger } from '../log.js';
import { redact } from '../log.js';
import { formatDuration } from '../format.js';
import type { Outcome } from '../model.js';
import { classifyExit } from './exit-codes.js';
import { k6Environment } from './environment.js';
import { SUMMARY_TREND_STATS } from './summary.js';
import { k6FileNames } from './files.js';
import { startProcess, type ProcessResult, type StartedProcess } from './process.js';

export interface K6RunOptions {
  k6Path: string;
  script: string;
  /** Scenario name, used in file names. */
  scenario: string;
  resultsDir: string;
  /** Variables for the script (BASE_URL, PROFILE, knobs, secrets); see k6Environment. */
  env: Record<string, string>;
  /** The environment k6 inherits its allow-listed part of (default: this process's). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Extra arguments placed before the script path. */
  args: string[];
  /** `--summary-trend-stats` (default SUMMARY_TREND_STATS; see summaryTrendStats). */
  trendStats?: readonly string[];
  timeoutMs?: number;
  /** Time between SIGINT and SIGKILL once the time limit is reached. */
  graceMs?: number;
  htmlReport: boolean;
  /** Raw samples file name (relative to resultsDir), e.g. `k6-smoke.json.gz`. */
  rawOutput?: string;
  /** Absolute path of a plain `--out json` file that live analysis reads while k6 writes it. */
  liveOutput?: string;
  /** Called with k6's process id once it started (load-generator health sampling). */
  onSpawn?: (pid: number) => void;
  log: Logger;
  secrets: readonly string[];
  /** Working directory for k6 (scripts' relative `open()` paths resolve against the script anyway). */
  cwd?: string;
  /** A stop request (Ctrl-C, job cancel): k6 gets SIGINT, then SIGKILL after `cancelGraceMs`. */
  cancellation?: Cancellation;
  /** How long a cancelled k6 may take to write its partial summary (default CANCEL_GRACE_MS). */
  cancelGraceMs?: number;
  /**
   * A stop k6-gate plans itself (the duet ends a half or has decided): on abort k6 gets SIGINT and
   * `cancelGraceMs` to exit, the log says why, and the result carries `stoppedBy` instead of an error.
   */
  plannedStop?: { signal: AbortSignal; reason: string };
}

/**
 * k6 writes its summary within milliseconds of a SIGINT unless teardown() is slow; 4 s leaves the
 * rest of GitHub's ~7 s cancel budget for writing the reports.
 */
export const CANCEL_GRACE_MS = 4000;

export interface K6RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  outcome: Outcome;
  meaning: string;
  timedOut: boolean;
  wallMs: number;
  /** Absolute paths; `summary` exists only if k6 wrote it. */
  files: { summary: string; log: string; html?: string; raw?: string };
  /** Set when k6 could not be started at all. */
  spawnError?: string;
  /** Set when k6 was stopped because k6-gate was asked to stop. */
  cancelled?: StopSignal;
  /** The reason of a planned stop (K6RunOptions.plannedStop) that stopped this k6. */
  stoppedBy?: string;
}

export function buildK6Args(
  options: Pick<K6RunOptions, 'script' | 'args' | 'rawOutput' | 'resultsDir' | 'liveOutput' | 'trendStats'>,
  summaryPath: string,
): string[] {
  const trendStats = (options.trendStats ?? SUMMARY_TREND_STATS).join(',');
  const args = ['run', '--summary-export', summaryPath, '--summary-trend-stats', trendStats, '--no-color', '--quiet'];
  if (options.rawOutput) args.push('--out', `json=${path.join(options.resultsDir, options.rawOutput)}`);
  if (options.liveOutput) args.push('--out', `json=${options.liveOutput}`);
  args.push(...options.args, options.script);
  return args;
}

export async function runK6(options: K6RunOptions): Promise<K6RunResult> {
  const names = k6FileNames(options.scenario);
  const files = {
    summary: path.join(options.resultsDir, names.summary),
    log: path.join(options.resultsDir, names.log),
    html: options.htmlReport ? path.join(options.resultsDir, names.html) : undefined,
    raw: options.rawOutput ? path.join(options.resultsDir, options.rawOutput) : undefined,
  };
  const env = runEnvironment(options, files.html);
  // Files left by an earlier run in the same results dir would otherwise be read as this run's
  // numbers when k6 fails before writing its own.
  await Promise.all(
    [files.summary, files.html, files.raw, options.liveOutput].map((file) =>
      file ? rm(file, { force: true }).catch(() => undefined) : undefined,
    ),
  );
  const args = buildK6Args(options, files.summary);
  const logFile = createWriteStream(files.log, { flags: 'w' });
  // A full disk must not end k6-gate: the log line is on the job log anyway.
  logFile.once('error', (error) => options.log.warning(`k6-gate: could not write ${names.log}: ${error.message}`));
  const started = Date.now();
  options.log.info(`$ k6 ${args.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);

  // Its own process group (see process.ts): a terminal's Ctrl-C reaches k6-gate only, which
  // forwards one SIGINT (a second SIGINT would make k6 abort without writing its summary).
  const k6 = startProcess(options.k6Path, args, {
    env,
    cwd: options.cwd,
    keep: 'none',
    onLine: (line) => {
      const clean = redact(line, options.secrets);
      logFile.write(`${clean}\n`);
      options.log.info(clean);
    },
  });
  if (k6.pid !== undefined) options.onSpawn?.(k6.pid);
  const stops = watchStops(k6, options);
  const exit = await k6.result;
  stops.dispose();
  const result = resultOf(exit, stops.state, options, files, Date.now() - started);
  await new Promise<void>((done) => logFile.end(() => done()));
  if (files.html && !(await nonEmpty(files.html))) {
    const why =
      result.exitCode === 0 || result.exitCode === 99
        ? 'k6 skips it when the run is too short to collect data'
        : `k6 stopped before it wrote one: ${result.meaning}`;
    options.log.warning(`k6 wrote no HTML report for ${options.scenario} (${why})`);
    result.files.html = undefined;
  }
  if (files.raw && !existsSync(files.raw)) result.files.raw = undefined;
  return result;
}

/** k6's environment: the allow-listed part of the base one, the script's variables, the HTML export. */
function runEnvironment(options: K6RunOptions, html: string | undefined): NodeJS.ProcessEnv {
  const env = k6Environment(options.baseEnv ?? process.env, { ...options.env, K6_NO_USAGE_REPORT: 'true' });
  if (html) {
    env.K6_WEB_DASHBOARD = 'true';
    env.K6_WEB_DASHBOARD_EXPORT = html;
    // No dashboard server (parallel jobs would fight over port 5665); export only.
    env.K6_WEB_DASHBOARD_PORT ??= '-1';
    // The default 10 s period gives short runs no data points, and k6 then skips the report.
    env.K6_WEB_DASHBOARD_PERIOD ??= '1s';
  }
  return env;
}

/** Why k6 was stopped, if k6-gate stopped it. */
interface StopState {
  timedOut: boolean;
  cancelled?: StopSignal;
  stoppedBy?: string;
}

/**
 * The three ways k6-gate stops a running k6: a stop request (Ctrl-C, job cancel; a second one
 * kills), a planned stop, and the time limit. Each sends SIGINT, then SIGKILL after its grace.
 */
function watchStops(k6: StartedProcess, options: K6RunOptions): { state: StopState; dispose: () => void } {
  const state: StopState = { timedOut: false };
  let killTimer: NodeJS.Timeout | undefined;
  let limitTimer: NodeJS.Timeout | undefined;
  /** SIGINT now, SIGKILL once `grace` has passed; a second call only says so once. */
  const stopWithGrace = (grace: number) => {
    k6.signal('SIGINT');
    clearTimeout(killTimer);
    killTimer = setTimeout(() => {
      options.log.warning('k6 did not stop within the grace period: killing it (SIGKILL)');
      k6.signal('SIGKILL');
    }, grace);
  };
  const stop = (signal: StopSignal, forced: boolean) => {
    if (forced) {
      options.log.warning(`k6-gate got a second stop signal: killing k6 (SIGKILL)`);
      clearTimeout(killTimer);
      k6.signal('SIGKILL');
      return;
    }
    state.cancelled = signal;
    const grace = options.cancelGraceMs ?? CANCEL_GRACE_MS;
    options.log.warning(
      `k6-gate got ${signal}: stopping k6 (SIGINT) and waiting up to ${formatDuration(grace)} for its partial summary; a second signal stops at once`,
    );
    clearTimeout(limitTimer);
    stopWithGrace(grace);
  };
  const stopListening = options.cancellation?.onRequest(stop);
  const plannedStop = () => {
    if (state.cancelled || state.stoppedBy) return;
    state.stoppedBy = options.plannedStop!.reason;
    options.log.info(`stopping k6 (SIGINT): ${state.stoppedBy}`);
    stopWithGrace(options.cancelGraceMs ?? CANCEL_GRACE_MS);
  };
  if (options.plannedStop?.signal.aborted) plannedStop();
  else options.plannedStop?.signal.addEventListener('abort', plannedStop, { once: true });
  // A stop asked for while k6 was being started.
  if (options.cancellation?.signal) stop(options.cancellation.signal, options.cancellation.forced);
  if (options.timeoutMs !== undefined && !state.cancelled) {
    limitTimer = setTimeout(() => {
      state.timedOut = true;
      const grace = options.graceMs ?? 30_000;
      options.log.warning(
        `k6 ran past the time limit of ${formatDuration(options.timeoutMs!)}: stopping it (SIGINT), killing it in ${formatDuration(grace)} if it does not stop`,
      );
      stopWithGrace(grace);
    }, options.timeoutMs);
  }
  const dispose = () => {
    stopListening?.();
    options.plannedStop?.signal.removeEventListener('abort', plannedStop);
    clearTimeout(limitTimer);
    clearTimeout(killTimer);
  };
  return { state, dispose };
}

/** k6's exit in words and as an outcome; a stop by k6-gate says which one it was. */
function resultOf(
  exit: ProcessResult,
  { timedOut, cancelled, stoppedBy }: StopState,
  options: K6RunOptions,
  files: K6RunResult['files'],
  wallMs: number,
): K6RunResult {
  if (exit.spawnError) {
    const spawnError =
      exit.spawnError.code === 'ENOENT'
        ? `k6 not found at ${options.k6Path}`
        : `could not start k6 (${options.k6Path}): ${exit.spawnError.message}`;
    return { exitCode: null, signal: null, outcome: 'error', meaning: spawnError, timedOut, wallMs, files, spawnError };
  }
  const classified = classifyExit(exit.exitCode, exit.signal);
  const meaning = cancelled
    ? `k6 was stopped because k6-gate received ${cancelled} (${classified.meaning})`
    : timedOut
      ? `k6 was stopped at the time limit of ${formatDuration(options.timeoutMs!)} (${classified.meaning})`
      : classified.meaning;
  const outcome = timedOut || cancelled ? 'error' : classified.outcome;
  return {
    exitCode: exit.exitCode,
    signal: exit.signal,
    outcome,
    meaning: stoppedBy && !cancelled && !timedOut ? `k6 was stopped: ${stoppedBy} (${classified.meaning})` : meaning,
    timedOut,
    wallMs,
    files,
    ...(cancelled ? { cancelled } : {}),
    ...(stoppedBy ? { stoppedBy } : {}),
  };
}

async function nonEmpty(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}
