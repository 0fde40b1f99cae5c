// A stop request from outside (Ctrl-C, `kill`, a GitHub or GitLab job cancel). The first SIGINT or
// SIGTERM asks for a graceful stop: k6 gets SIGINT, its partial summary is read, every result file
// is written and marked cancelled, and k6-gate exits 130/143. A second signal stops at once.
//
// GitHub's cancel sends SIGINT, SIGTERM 7.5 s later and kills the process tree 2.5 s after that,
// so a graceful stop must be done within about 7 s.
export type StopSignal = 'SIGINT' | 'SIGTERM';

const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/** The shell convention: 128 + the signal's number. */
export function exitStatusForSignal(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

type StopListener = (signal: StopSignal, forced: boolean) => void;

export class Cancellation {
  private stopSignal: StopSignal | undefined;
  private forcedStop = false;
  private readonly listeners = new Set<StopListener>();

  /** The signal that asked for the stop, once one did. */
  get signal(): StopSignal | undefined {
    return this.stopSignal;
  }

  get requested(): boolean {
    return this.stopSignal !== undefined;
  }

  /** True after a second request: stop at once, no grace. */
  get forced(): boolean {
    return this.forcedStop;
  }

  /** True while some work would stop gracefully on a request. */
  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** The first request asks for a graceful stop, every later one for an immediate stop. */
  request(signal: StopSignal): void {
    if (this.stopSignal === undefined) this.stopSignal = signal;
    else this.forcedStop = true;
    for (const listener of [...this.listeners]) listener(this.stopSignal, this.forcedStop);
  }

  /** Calls `listener` on each request; returns the unsubscribe function. */
  onRequest(listener: StopListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Runs `work`, or gives up on it (resolving to `undefined`) as soon as a stop is requested. */
  async race<T>(work: Promise<T>): Promise<T | undefined> {
    if (this.requested) return undefined;
    let unsubscribe = () => {};
    const stopped = new Promise<undefined>((resolve) => {
      unsubscribe = this.onRequest(() => resolve(undefined));
    });
    try {
      return await Promise.race([work, stopped]);
    } finally {
      unsubscribe();
    }
  }
}

/**
 * Feeds SIGINT/SIGTERM of this process into `cancellation`. A signal that finds nothing to stop
 * gracefully, or a second signal, calls `exitNow` (which ends the process). Returns the uninstall.
 */
export function listenForStopSignals(cancellation: Cancellation, exitNow: (signal: StopSignal) => void): () => void {
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      const graceful = !cancellation.requested && cancellation.hasListeners;
      cancellation.request(signal);
      if (!graceful) exitNow(cancellation.signal ?? signal);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => handlers.forEach((uninstall) => uninstall());
}
