// The one way k6-gate starts a program (k6 run/version/inspect, go build, tar, unzip) and collects
// what it printed. Three promises hold for every program started here:
// - it runs in its own process group, and every stop or kill goes to the whole group, so a wrapper
//   script's children (a `sleep`, the real k6 behind a shim) stop with it;
// - the wait ends when the program has exited: pipes that a leftover descendant keeps open are read
//   for a short while, then let go (the leftovers are killed with the group);
// - nothing it started outlives k6-gate: on a normal exit the groups are killed, and against a
//   SIGKILL of k6-gate (which no handler sees) a tiny watchdog (`sh`, its own group) waits for the
//   end of a pipe only k6-gate writes to, and kills the group when that pipe closes.
// Arguments are always an array: no shell ever parses a value.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called for each non-empty line the program prints on stdout or stderr. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** What the result keeps: the end of stdout+stderr (default), stdout only, or nothing. */
  keep?: 'all' | 'stdout' | 'none';
  /** SIGKILL to the group once this much time has passed; the result says `timedOut`. */
  timeoutMs?: number;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The kept output (see `keep`), at most the last 64 KiB. */
  output: string;
  timedOut: boolean;
  /** Set when the program could not be started at all. */
  spawnError?: NodeJS.ErrnoException;
}

export interface StartedProcess {
  /** Undefined when the program could not be started. */
  readonly pid: number | undefined;
  /** Sends `signal` to the program's process group. */
  signal(signal: NodeJS.Signals): void;
  readonly result: Promise<ProcessResult>;
}

const KEPT_BYTES = 64 * 1024;
/** After the program exited, how long output still in its pipes is read before they are let go. */
export const PIPE_DRAIN_MS = 1000;
const GROUPS = process.platform !== 'win32';

/** Process groups still running, killed when k6-gate exits so none outlives it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (GROUPS) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

function track(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) signalGroup(c, 'SIGKILL');
  });
}

/**
 * The watchdog: `read` blocks until k6-gate writes a line (the program ended; nothing to do) or
 * its end of the pipe closes without one (k6-gate died, however it died): then the group is
 * killed. Its own process group, so a Ctrl-C or a group kill aimed at k6-gate does not take it
 * first. Returns the function that dismisses it.
 */
function startWatchdog(pid: number): () => void {
  let watchdog: ChildProcess;
  try {
    watchdog = spawn('sh', ['-c', 'read -r _ || kill -KILL "-$1" 2>/dev/null', 'k6-gate-watchdog', String(pid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
  } catch {
    return () => undefined;
  }
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  // Neither keeps k6-gate's event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { _handle?: { unref?: () => void } } | null)?._handle?.unref?.();
  return () => {
    watchdog.stdin?.end('done\n');
  };
}

/** Starts `command` with `args` (see the module comment for what is promised). */
export function startProcess(command: string, args: readonly string[], options: ProcessOptions = {}): StartedProcess {
  const keep = options.keep ?? 'all';
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: GROUPS,
    windowsHide: true,
  });
  const pid = child.pid;
  const dismissWatchdog = pid !== undefined && GROUPS ? startWatchdog(pid) : () => undefined;
  if (pid !== undefined) track(child);

  const result = new Promise<ProcessResult>((resolve) => {
    let output = '';
    let timedOut = false;
    let settled = false;
    const pending = { stdout: '', stderr: '' };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (keep === 'all' || (keep === 'stdout' && stream === 'stdout')) output = (output + text).slice(-KEPT_BYTES);
      if (!options.onLine) return;
      const lines = (pending[stream] + text).split(/\r?\n/);
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.onLine(line, stream);
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            signalGroup(child, 'SIGKILL');
          }, options.timeoutMs)
        : undefined;
    const finish = (exit: Omit<ProcessResult, 'output' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      running.delete(child);
      dismissWatchdog();
      if (options.onLine) {
        for (const stream of ['stdout', 'stderr'] as const) if (pending[stream].trim()) options.onLine(pending[stream], stream);
      }
      resolve({ ...exit, output, timedOut });
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish({ exitCode: null, signal: null, spawnError: error });
    });
    child.once('exit', (exitCode, signal) => {
      // Whatever the program left behind in its group ends with it; what it printed is still read.
      signalGroup(child, 'SIGKILL');
      let closed = false;
      const drained = setTimeout(() => {
        if (closed) return;
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ exitCode, signal });
      }, PIPE_DRAIN_MS);
      child.once('close', () => {
        closed = true;
        clearTimeout(drained);
        finish({ exitCode, signal });
      });
    });
  });
  return { pid, signal: (signal) => signalGroup(child, signal), result };
}

/** Runs `command` to its end; never rejects (a failed start is `spawnError`). */
export function runProcess(command: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  return startProcess(command, args, options).result;
}
