// Step 3: k6 found or installed (none in merge mode: the shards ran it), then the health checks,
// which have been running since the start of the gate, are waited for: the target's and, in A/B
// mode, the base deployment's (baseline-target), each named in its error.
import type { Config } from '../config.js';
import { installK6, type InstalledK6 } from '../k6/install.js';
import { startPreflight, type PendingPreflight } from '../k6/preflight.js';
import type { Logger } from '../log.js';
import { GateStop, type GateRun } from './result.js';

/** The health checks of a run under way (none: undefined). */
export interface TargetChecks {
  /** The first unhealthy side's reason, or undefined once every side answered. */
  done: Promise<Error | undefined>;
  abandon(): Promise<void>;
}

/**
 * The base deployment's health URL in A/B mode: the target's health URL moved onto baseline-target
 * (same path below it), or baseline-target itself when the health URL is elsewhere.
 */
export function baselineHealthUrl(config: Pick<Config, 'target' | 'baselineTarget' | 'healthUrl'>): string | undefined {
  if (!config.baselineTarget || !config.healthUrl || !config.target) return undefined;
  const target = new URL(config.target);
  const health = new URL(config.healthUrl);
  const prefix = target.pathname.endsWith('/') ? target.pathname : `${target.pathname}/`;
  if (health.origin !== target.origin || !(health.pathname === target.pathname || health.pathname.startsWith(prefix))) {
    return config.baselineTarget;
  }
  const base = config.baselineTarget.endsWith('/') ? config.baselineTarget : `${config.baselineTarget}/`;
  return new URL(`${health.pathname.slice(prefix.length)}${health.search}`, base).toString();
}

/** Starts every health check of the run; `started` is the target's when the caller began it already. */
export function startTargetChecks(config: Config, log: Logger, started?: PendingPreflight): TargetChecks | undefined {
  const target = started ?? startPreflight(config, log);
  const baseUrl = baselineHealthUrl(config);
  const base = baseUrl ? startPreflight({ ...config, healthUrl: baseUrl }, log) : undefined;
  const checks = [
    { check: target, side: '' },
    { check: base, side: 'baseline-target (A): ' },
  ].filter((c): c is { check: PendingPreflight; side: string } => c.check !== undefined);
  if (checks.length === 0) return undefined;
  // Settles at the first unhealthy side, or once all answered.
  const done = new Promise<Error | undefined>((resolve) => {
    let left = checks.length;
    for (const { check, side } of checks) {
      void check.done.then((error) => {
        if (error) resolve(side ? new Error(`${side}${error.message}`) : error);
        else if (--left === 0) resolve(undefined);
      });
    }
  });
  return { done, abandon: async () => void (await Promise.all(checks.map((c) => c.check.abandon()))) };
}

/** A stop request before k6 started: nothing was measured, and every report says so. */
function stoppedBefore(run: GateRun, step: string): GateStop {
  const signal = run.cancellation.signal!;
  run.result.cancelled = signal;
  return new GateStop(`k6-gate received ${signal} ${step}: no scenario ran`);
}

/** The k6 this run uses; undefined in merge mode. */
export async function readyK6(run: GateRun): Promise<InstalledK6 | undefined> {
  const { config, log, cancellation, result } = run;
  if (config.merge) return undefined;
  let k6: InstalledK6 | undefined;
  try {
    k6 = await log.group(`k6-gate: installing k6 ${config.k6.version} (${config.k6.install})`, () =>
      cancellation.race(installK6(config.k6, log)),
    );
  } catch (error) {
    throw new GateStop(`k6 could not be installed: ${(error as Error).message}`);
  }
  if (!k6) throw stoppedBefore(run, 'while installing k6');
  result.k6 = { version: k6.version, path: k6.path, source: k6.source };
  log.info(`k6-gate: using k6 ${k6.version} from ${k6.source} (${k6.path})`);
  return k6;
}

/** Waits for the health check's answer; an unhealthy target or a stop ends the run. */
export async function awaitHealthyTarget(run: GateRun, preflight: TargetChecks | undefined): Promise<void> {
  if (!preflight) return;
  const unhealthy = await run.cancellation.race(preflight.done);
  if (run.cancellation.requested) throw stoppedBefore(run, 'while waiting for the target');
  if (unhealthy) throw new GateStop(unhealthy.message);
}
