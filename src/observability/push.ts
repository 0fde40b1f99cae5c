// After the verdict, k6-gate pushes its own series to the `prometheus` metrics output. A push that
// fails is a warning on the log: the verdict, the exit status and the files never depend on it.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { GateResult } from '../model.js';
import { gateSeries, prometheusTarget, remoteWriteHeaders, type RunLabels } from './metrics-output.js';
import { REMOTE_WRITE_HEADERS, remoteWriteBody } from './remote-write.js';
import { VERSION } from '../version.js';

export const PUSH_TIMEOUT_MS = 10_000;

/** The labels of a run shared by k6's samples and k6-gate's series. */
export function runLabels(config: Config, testid: string): Omit<RunLabels, 'gate_scenario'> {
  return {
    testid,
    profile: config.profile,
    environment: config.environment,
    commit: config.git.commit,
    ref: config.git.ref,
    shard: config.shard ? `${config.shard.index}/${config.shard.count}` : undefined,
  };
}

/** Pushes k6-gate's verdict series; returns whether the receiver accepted them. Never throws. */
export async function pushGateSeries(config: Config, result: GateResult, log: Logger, timeoutMs = PUSH_TIMEOUT_MS): Promise<boolean> {
  const url = prometheusTarget(config.metricsOutputs);
  if (!url || !result.testId) return false;
  const warn = (why: string) =>
    log.warning(`k6-gate: could not push the verdict series to ${url} (${why}); the gate's verdict does not depend on it`);
  try {
    const series = gateSeries(result, runLabels(config, result.testId), Date.now());
    const extra = remoteWriteHeaders(config.env);
    // The Base64 of user:password is as secret as the password (an error body may echo it back).
    if (extra.Authorization) log.addSecret(extra.Authorization.replace(/^\S+ /, ''));
    const headers: Record<string, string> = { ...extra, ...REMOTE_WRITE_HEADERS, 'User-Agent': `k6-gate/${VERSION}` };
    const response = await fetch(url, { method: 'POST', headers, body: remoteWriteBody(series), signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).trim().slice(0, 200);
      warn(`HTTP ${response.status}${text ? `: ${text}` : ''}`);
      return false;
    }
    log.info(`k6-gate: pushed ${series.length} verdict series to ${url} (testid=${result.testId})`);
    return true;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    warn(cause?.message ?? (error as Error).message);
    return false;
  }
}
