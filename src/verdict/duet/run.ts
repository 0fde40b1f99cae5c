// The duet runner: two k6 processes at the same time, same script and load shape, one against A
// (`baseline-target`) and one against B (`target`), both pushing remote write to one loopback
// receiver with a `side` tag; decided block by block (decision.ts). Method: docs/verdicts.md,
// "Duet verdicts"; ADR 0005.
//
// A block is two halves. A k6 process reads its target when it starts, so the sides swap by
// starting a new pair: in the first half the A process is spawned first, in the second half the B
// process, so whatever the order of start or the core a process lands on does to it falls on both
// sides alike. Each half gets its own `duet_half` tag, so a new process's totals never look like a
// continuation of the previous one's. After each block (both halves' k6 exited, their final pushes
// in) the decision looks at every window so far; it stops as soon as the answer is regressed,
// improved or equivalent, or when max-duration is reached.
//
// Faults: a target that does not answer before the start, or whose side answered none of its
// requests in a block, is an error naming the side; a k6 that ends on its own before its half is over
// is an error naming the side, and the other k6 is stopped; a stop request (Ctrl-C, job cancel)
// stops both; k6's files of every half stay in the results dir. A side that measured no requests
// at all while the k6 processes were starved of CPU (a starved k6 can spend a whole half starting)
// is no side's fault: the duet stops without a decision, `untrustworthy` saying why.
import type { Cancellation, StopSignal } from '../../cancel.js';
import { ExpectedError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { k6Starved, startCpuWaitMeter, type CpuWait } from '../../k6/load-health.js';
import { waitForHealthy } from '../../k6/preflight.js';
import { runK6, type K6RunResult } from '../../k6/run.js';
import { formatDuration } from '../../format.js';
import { liveRemoteWriteSetup } from '../../observability/metrics-output.js';
import { startRemoteWriteAnalysis } from '../../samples/remote-write.js';
import { DuetWindows, SIDE_LABEL, type SideWindow } from '../../samples/windows.js';
import {
  DEFAULT_DUET_OPTIONS,
  DUET_DEFAULT_STATS,
  DUET_MIN_WINDOWS,
  decideLook,
  pairAll,
  type DuetLook,
  type DuetOptions,
  type DuetStat,
} from './decision.js';

export type DuetSide = 'A' | 'B';

/** Default block: 20 s of k6 (two halves of 10 s), a look after each. */
export const DUET_BLOCK_MS = 20_000;
/** Default max-duration: 60 s of k6, three looks. */
export const DUET_MAX_DURATION_MS = 60_000;
/** k6's push interval, the window length. */
const WINDOW_MS = 1000;

export class DuetError extends ExpectedError {
  constructor(
    message: string,
    readonly side?: DuetSide,
  ) {
    super(message);
    this.name = 'DuetError';
  }
}

export interface DuetRunOptions {
  k6Path: string;
  k6Version: string;
  script: string;
  /** Scenario name: k6's files are named `<scenario>-duet-<block><half>-<side>`. */
  scenario: string;
  resultsDir: string;
  /** A: the base version (`baseline-target`); B: the candidate (`target`). */
  targets: Record<DuetSide, string>;
  /** The script's variable for the target's URL (default BASE_URL). */
  targetVariable?: string;
  /** Health URLs checked before the start (default: the targets themselves; any status below 500 is up). */
  health?: Partial<Record<DuetSide, string>>;
  preflightTimeoutMs?: number;
  /** Variables for the script (without the target's URL). */
  env: Record<string, string>;
  baseEnv?: NodeJS.ProcessEnv;
  /** Extra k6 arguments (before the script). */
  args?: string[];
  secrets: readonly string[];
  /** Called with each k6 process's id once it is spawned (the duet's CPU-wait meter watches it). */
  onK6Spawn?: (pid: number) => void;
  /** k6's working directory (the workspace, as for one run). */
  cwd?: string;
  log: Logger;
  cancellation?: Cancellation;
  blockMs?: number;
  maxDurationMs?: number;
  stats?: readonly DuetStat[];
  options?: DuetOptions;
}

export interface DuetRunResult {
  /** The decision, or `error` (then `error` says why and `side` which side, when one is to blame). */
  outcome: DuetLook['outcome'] | 'error';
  /** Every look, the last one deciding. */
  looks: DuetLook[];
  /** Why it stopped, in words (the last look's reason, or the error). */
  reason: string;
  error?: string;
  side?: DuetSide;
  /** Seconds of k6 per side until it stopped (both sides run at the same time). */
  k6Seconds: number;
  k6Runs: number;
  /** k6's result of each run, in order (files kept in the results dir). */
  runs: { block: number; half: 1 | 2; side: DuetSide; result: K6RunResult }[];
  cancelled?: StopSignal;
  /** Each side's windows as measured (for a report's chart, or to replay the decision). */
  windows: Record<DuetSide, SideWindow[]>;
  /** Both sides' k6 processes: their threads' CPU run and wait time (Linux schedstat), summed. */
  k6CpuWait?: CpuWait;
  /**
   * Why the deciding data cannot be trusted: the k6 processes were starved of CPU (`k6Starved`, the
   * rule of one run). The gate makes the scenario inconclusive with it (`markInconclusive`).
   */
  untrustworthy?: string;
}

const sideName = (side: DuetSide) => (side === 'A' ? 'A (baseline-target)' : 'B (target)');

/** Checks a duet's durations; a max-duration below one block is an error in words. */
export function checkDuetDurations(blockMs: number, maxDurationMs: number): void {
  if (!(blockMs >= 2 * DUET_MIN_WINDOWS * WINDOW_MS)) {
    throw new DuetError(
      `a duet block of ${formatDuration(blockMs)} is too short; expected at least ${formatDuration(2 * DUET_MIN_WINDOWS * WINDOW_MS)}`,
    );
  }
  if (!(maxDurationMs >= blockMs)) {
    throw new DuetError(
      `max-duration ${formatDuration(maxDurationMs)} is shorter than one duet block (${formatDuration(blockMs)}); expected at least ${formatDuration(blockMs)}, e.g. 60s`,
    );
  }
}

/** What a duet result tells of its measuring so far: k6's time and runs, the windows, the CPU wait. */
function measuredSoFar(
  runs: DuetRunResult['runs'],
  windows: DuetWindows,
  k6CpuWait: CpuWait | undefined,
): Pick<DuetRunResult, 'k6Seconds' | 'k6Runs' | 'runs' | 'windows' | 'k6CpuWait' | 'untrustworthy'> {
  const untrustworthy = k6Starved(k6CpuWait);
  return {
    k6Seconds: runs.reduce((s, r) => s + (r.side === 'A' ? r.result.wallMs : 0), 0) / 1000,
    k6Runs: runs.length,
    runs,
    windows: { A: windows.windows('A'), B: windows.windows('B') },
    ...(k6CpuWait ? { k6CpuWait } : {}),
    ...(untrustworthy ? { untrustworthy } : {}),
  };
}

/** Both sides answer before anything is measured; else the first that does not, in words. */
async function preflightSides(options: DuetRunOptions): Promise<{ error: string; side: DuetSide } | undefined> {
  for (const side of ['A', 'B'] as const) {
    const url = options.health?.[side] ?? options.targets[side];
    try {
      await waitForHealthy(url, { timeoutMs: options.preflightTimeoutMs ?? 30_000, log: options.log, attemptTimeoutMs: 2000 });
    } catch (error) {
      return { error: `${sideName(side)} is not answering: ${(error as Error).message}`, side };
    }
  }
  return undefined;
}

/**
 * Runs the duet and decides. Never throws for a fault of k6 or a target: those come back as
 * `outcome: 'error'` with the side named; bad durations throw DuetError before anything starts.
 */
export async function runDuet(options: DuetRunOptions): Promise<DuetRunResult> {
  const blockMs = options.blockMs ?? DUET_BLOCK_MS;
  const maxDurationMs = options.maxDurationMs ?? DUET_MAX_DURATION_MS;
  checkDuetDurations(blockMs, maxDurationMs);
  const blocks = Math.floor(maxDurationMs / blockMs);
  const log = options.log;
  const stats = options.stats ?? DUET_DEFAULT_STATS;
  const runs: DuetRunResult['runs'] = [];
  const looks: DuetLook[] = [];
  // Every trend metric a statistic watches is kept per window (http_req_duration always: it counts the requests).
  const trends = ['http_req_duration', ...stats.filter((s) => s.stat !== 'rate').map((s) => s.metric)];
  const windows = new DuetWindows({ windowMs: WINDOW_MS, trends: [...new Set(trends)] });
  // Every k6 process of the duet, both sides and every half: the deciding data is all of theirs.
  const cpu = startCpuWaitMeter();
  const measured = () => measuredSoFar(runs, windows, cpu.read());
  const fail = (error: string, side?: DuetSide): DuetRunResult => {
    log.error(`k6-gate: duet: ${error}`);
    return { outcome: 'error', looks, reason: error, error, ...(side ? { side } : {}), ...measured() };
  };

  const down = await preflightSides(options);
  if (down) {
    cpu.stop();
    return fail(down.error, down.side);
  }

  const receiver = await startRemoteWriteAnalysis({ windows, log });
  try {
    const { args: outputArgs, env: outputEnv } = liveRemoteWriteSetup(receiver.url, options.k6Version, options.env);
    const fractions: number[] = [];
    for (let block = 1; block <= blocks; block++) {
      const from = Math.max(windows.windows('A').length, windows.windows('B').length);
      for (const half of [1, 2] as const) {
        const order: DuetSide[] = half === 1 ? ['A', 'B'] : ['B', 'A'];
        const problem = await runHalf(
          { ...options, onK6Spawn: (pid) => cpu.watch(pid) },
          block,
          half,
          order,
          blockMs / 2,
          outputArgs,
          outputEnv,
          runs,
        );
        if (problem?.cancelled) {
          return { ...fail(`stopped by ${problem.cancelled} during block ${block}`), cancelled: problem.cancelled };
        }
        if (problem) return fail(problem.error, problem.side);
      }
      const a = windows.windows('A');
      const b = windows.windows('B');
      const silent = sideWithoutAnswers(windows, from, block);
      if (silent) {
        // No requests at all from a k6 starved of CPU: it never got to run its load (a down side
        // answers with failures). Not a side's fault: the load generator's, so no verdict.
        const starved = silent.none ? k6Starved(cpu.read()) : undefined;
        if (!starved) return fail(silent.error, silent.side);
        const reason = `${sideName(silent.side)} measured no requests in block ${block} while the duet's k6 processes were starved of CPU: no decision`;
        log.warning(`k6-gate: duet: ${reason}`);
        return { outcome: 'inconclusive', looks, reason, ...measured() };
      }
      fractions.push((block * blockMs) / (blocks * blockMs));
      const pairs = pairAll(a, b, stats);
      const look = decideLook(pairs, fractions, block === blocks, options.options ?? DEFAULT_DUET_OPTIONS, looks.at(-1));
      looks.push(look);
      log.info(
        `k6-gate: duet look ${block} of ${blocks} (${formatDuration(block * blockMs)} of k6 per side): ${look.outcome}: ${look.reason}`,
      );
      if (look.outcome !== 'continue') {
        return { outcome: look.outcome, looks, reason: look.reason, ...measured() };
      }
    }
    throw new Error('unreachable: the last look is final');
  } finally {
    cpu.stop();
    await receiver.stop();
  }
}

/**
 * A side that answered none of its requests in these windows (down, or failing mid-run), else one
 * that measured none (`none`: its k6 sent nothing; the caller asks whether k6 was starved of CPU).
 */
function sideWithoutAnswers(
  windows: DuetWindows,
  from: number,
  block: number,
): { error: string; side: DuetSide; none: boolean } | undefined {
  const counted = (['A', 'B'] as const).map((side) => {
    let requests = 0;
    let failed = 0;
    for (const w of windows.windows(side).slice(from)) {
      requests += w.requests;
      failed += w.failedRequests;
    }
    return { side, requests, failed };
  });
  const down = counted.find((c) => c.requests > 0 && c.failed === c.requests);
  if (down)
    return {
      error: `${sideName(down.side)} failed all ${down.requests} of its requests in block ${block}: is it down?`,
      side: down.side,
      none: false,
    };
  const silent = counted.find((c) => c.requests === 0);
  if (silent)
    return {
      error: `${sideName(silent.side)} measured no requests in block ${block}: did its k6 reach it?`,
      side: silent.side,
      none: true,
    };
  return undefined;
}

interface HalfProblem {
  error: string;
  side?: DuetSide;
  cancelled?: StopSignal;
}

/** One half: both k6 processes for `halfMs`, `order[0]` spawned first; both stopped together. */
async function runHalf(
  options: DuetRunOptions,
  block: number,
  half: 1 | 2,
  order: readonly DuetSide[],
  halfMs: number,
  outputArgs: readonly string[],
  outputEnv: Readonly<Record<string, string>>,
  runs: DuetRunResult['runs'],
): Promise<HalfProblem | undefined> {
  if (options.cancellation?.signal) return { error: 'stopped', cancelled: options.cancellation.signal };
  const stop = new AbortController();
  let reason = `the duet's half ${block}${half === 1 ? 'a' : 'b'} is over (${formatDuration(halfMs)})`;
  const stopBoth = (why: string) => {
    if (stop.signal.aborted) return;
    reason = why;
    stop.abort();
  };
  let endedEarly: { side: DuetSide; result: K6RunResult } | undefined;
  const variable = options.targetVariable ?? 'BASE_URL';
  const started = order.map((side) =>
    runK6({
      k6Path: options.k6Path,
      script: options.script,
      scenario: `${options.scenario}-duet-${block}${half === 1 ? 'a' : 'b'}-${side}`,
      resultsDir: options.resultsDir,
      env: { ...options.env, ...outputEnv, [variable]: options.targets[side] },
      baseEnv: options.baseEnv,
      args: [
        ...outputArgs,
        '--tag',
        `${SIDE_LABEL}=${side}`,
        '--tag',
        `duet_half=${block}${half === 1 ? 'a' : 'b'}`,
        ...(options.args ?? []),
      ],
      htmlReport: false,
      log: options.log,
      secrets: options.secrets,
      onSpawn: options.onK6Spawn,
      cwd: options.cwd,
      cancellation: options.cancellation,
      plannedStop: {
        signal: stop.signal,
        get reason() {
          return reason;
        },
      },
    }).then((result) => {
      // Ended on its own before the half was over: the other one is stopped too.
      if (!stop.signal.aborted && !result.cancelled) {
        endedEarly ??= { side, result };
        stopBoth(`k6 against ${sideName(side)} ended`);
      }
      return { side, result };
    }),
  );
  const timer = setTimeout(() => stopBoth(reason), halfMs);
  const done = await Promise.all(started);
  clearTimeout(timer);
  for (const { side, result } of done) runs.push({ block, half, side, result });
  const cancelled = done.find((d) => d.result.cancelled)?.result.cancelled;
  if (cancelled) return { error: 'stopped', cancelled };
  if (endedEarly) {
    const { side, result } = endedEarly;
    // A script that simply finished (exit 0) is shorter than a half: the way out is a longer load.
    const hint =
      result.exitCode === 0
        ? `; the script's load must last longer than each half (${formatDuration(halfMs)}): give it a longer duration (e.g. options.duration '10m'; the duet stops it)`
        : '';
    return {
      error: `k6 against ${sideName(side)} ended after ${formatDuration(result.wallMs)}, before its half of ${formatDuration(halfMs)} was over: ${result.meaning}; the other k6 was stopped (files of both in ${options.resultsDir})${hint}`,
      side,
    };
  }
  return undefined;
}
