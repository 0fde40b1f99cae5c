// Step 3: k6 found or installed (none in merge mode: the shards ran it), then the target's health
// check, which has been running since the start of the gate, is waited for.
import { installK6, type InstalledK6 } from '../k6/install.js';
import type { PendingPreflight } from '../k6/preflight.js';
import { GateStop, type GateRun } from './result.js';

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
export async function awaitHealthyTarget(run: GateRun, preflight: PendingPreflight | undefined): Promise<void> {
  if (!preflight) return;
  const unhealthy = await run.cancellation.race(preflight.done);
  if (run.cancellation.requested) throw stoppedBefore(run, 'while waiting for the target');
  if (unhealthy) throw new GateStop(unhealthy.message);
}
