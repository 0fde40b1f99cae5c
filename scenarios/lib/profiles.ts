// Load profiles: the same test logic under six workloads, chosen with one PROFILE variable.
// Sizes and durations are the textbook defaults; VUS / DURATION set them outright and
// SCALE / TIME_SCALE shrink the rest, so CI runs any profile in seconds.
import type { Options, Scenario, Threshold } from 'k6/options';
import { durationVar, envVar, numberVar } from './config.ts';

export const PROFILE_NAMES = ['smoke', 'load', 'stress', 'spike', 'soak', 'breakpoint'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Default pass/fail limits of a profile; heavier profiles tolerate a slower, less reliable target. */
export interface ThresholdLimits {
  p95Ms: number;
  p99Ms: number;
  /** Highest allowed share of failed requests/operations (0.01 = 1%). */
  errorRate: number;
  /** Lowest allowed share of passed checks. */
  checksRate: number;
}

interface Phase {
  /** Default length in milliseconds. */
  ms: number;
  /** Target as a fraction of the peak (VUs, or arrival rate for breakpoint). */
  target: number;
  /** The steady phase that DURATION replaces. */
  main?: boolean;
}

interface ProfileDef {
  description: string;
  peakVus: number;
  phases: Phase[];
  limits: ThresholdLimits;
}

const MIN = 60_000;
const SEC = 1000;

const PROFILES: Record<ProfileName, ProfileDef> = {
  smoke: {
    description: 'a few VUs for a short while: does it work at all',
    peakVus: 5,
    phases: [{ ms: 30 * SEC, target: 1, main: true }],
    limits: { p95Ms: 500, p99Ms: 1000, errorRate: 0.01, checksRate: 0.99 },
  },
  load: {
    description: 'ramp to the expected traffic, hold it, ramp down',
    peakVus: 50,
    phases: [
      { ms: 5 * MIN, target: 1 },
      { ms: 10 * MIN, target: 1, main: true },
      { ms: 2 * MIN, target: 0 },
    ],
    limits: { p95Ms: 500, p99Ms: 1000, errorRate: 0.01, checksRate: 0.99 },
  },
  stress: {
    description: 'step well past normal traffic to see how it degrades',
    peakVus: 500,
    phases: [
      { ms: 2 * MIN, target: 0.2 },
      { ms: 3 * MIN, target: 0.2 },
      { ms: 2 * MIN, target: 0.5 },
      { ms: 3 * MIN, target: 0.5 },
      { ms: 2 * MIN, target: 1 },
      { ms: 5 * MIN, target: 1, main: true },
      { ms: 3 * MIN, target: 0 },
    ],
    limits: { p95Ms: 1500, p99Ms: 3000, errorRate: 0.05, checksRate: 0.95 },
  },
  spike: {
    description: 'a sudden jump (20 → 1000 VUs by default), then recovery',
    peakVus: 1000,
    phases: [
      { ms: 1 * MIN, target: 0.02 },
      { ms: 1 * MIN, target: 0.02 },
      { ms: 10 * SEC, target: 1 },
      { ms: 1 * MIN, target: 1, main: true },
      { ms: 10 * SEC, target: 0.02 },
      { ms: 2 * MIN, target: 0.02 },
      { ms: 10 * SEC, target: 0 },
    ],
    limits: { p95Ms: 2000, p99Ms: 4000, errorRate: 0.1, checksRate: 0.9 },
  },
  soak: {
    description: 'steady traffic for a long time to find leaks and drift',
    peakVus: 100,
    phases: [
      { ms: 2 * MIN, target: 1 },
      { ms: 30 * MIN, target: 1, main: true },
      { ms: 2 * MIN, target: 0 },
    ],
    limits: { p95Ms: 500, p99Ms: 1000, errorRate: 0.01, checksRate: 0.99 },
  },
  breakpoint: {
    description: 'raise the arrival rate until a threshold aborts the test',
    peakVus: 1000,
    phases: [{ ms: 20 * MIN, target: 1, main: true }],
    limits: { p95Ms: 2000, p99Ms: 4000, errorRate: 0.05, checksRate: 0.9 },
  },
};

/** The profile named by PROFILE (default smoke); an unknown name is an error listing the valid ones. */
export function selectedProfile(): ProfileName {
  const name = (envVar('PROFILE') ?? 'smoke').toLowerCase();
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown PROFILE ${JSON.stringify(envVar('PROFILE'))}; valid profiles are: ${PROFILE_NAMES.join(', ')}`);
  }
  return name as ProfileName;
}

export function profileDescription(name: ProfileName): string {
  return PROFILES[name].description;
}

/** k6 duration text: whole minutes or seconds when exact, else milliseconds. */
export function formatDuration(ms: number): string {
  const rounded = Math.max(1, Math.round(ms));
  if (rounded % MIN === 0) return `${rounded / MIN}m`;
  if (rounded % SEC === 0) return `${rounded / SEC}s`;
  return `${rounded}ms`;
}

interface Sizing {
  peakVus: number;
  mainMs?: number;
  timeScale: number;
  scale: number;
}

function readSizing(): Sizing {
  return {
    peakVus: numberVar('VUS', { min: 1, integer: true }) ?? 0,
    mainMs: durationVar('DURATION'),
    timeScale: numberVar('TIME_SCALE', { min: 0.0001 }) ?? 1,
    scale: numberVar('SCALE', { min: 0.0001 }) ?? 1,
  };
}

function phaseMs(phase: Phase, sizing: Sizing): number {
  if (phase.main && sizing.mainMs !== undefined) return sizing.mainMs;
  return phase.ms * sizing.timeScale;
}

/** The k6 scenario (executor and its workload) of a profile, after VUS/DURATION/SCALE/TIME_SCALE. */
export function profileScenario(name: ProfileName): Scenario {
  const def = PROFILES[name];
  const sizing = readSizing();
  const peak = sizing.peakVus || Math.max(1, Math.round(def.peakVus * sizing.scale));
  const vusAt = (fraction: number) => (fraction === 0 ? 0 : Math.max(1, Math.round(fraction * peak)));
  const tags = { profile: name };

  if (name === 'smoke') {
    return { executor: 'constant-vus', vus: peak, duration: formatDuration(phaseMs(def.phases[0], sizing)), tags };
  }
  if (name === 'breakpoint') {
    const startRate = numberVar('START_RATE', { min: 0 }) ?? Math.max(1, Math.round(10 * sizing.scale));
    const maxRate = numberVar('MAX_RATE', { min: 1 }) ?? Math.max(1, Math.round(2000 * sizing.scale));
    return {
      executor: 'ramping-arrival-rate',
      startRate,
      timeUnit: '1s',
      preAllocatedVUs: Math.min(peak, Math.max(1, Math.round(50 * sizing.scale))),
      maxVUs: peak,
      stages: def.phases.map((phase) => ({ duration: formatDuration(phaseMs(phase, sizing)), target: Math.round(phase.target * maxRate) })),
      tags,
    };
  }
  return {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: def.phases.map((phase) => ({ duration: formatDuration(phaseMs(phase, sizing)), target: vusAt(phase.target) })),
    gracefulRampDown: formatDuration(Math.min(30 * SEC, Math.max(SEC, 30 * SEC * sizing.timeScale))),
    tags,
  };
}

/** The profile's limits after P95_MS, P99_MS, ERROR_RATE, CHECKS_RATE. */
export function thresholdLimits(name: ProfileName): ThresholdLimits {
  const d = PROFILES[name].limits;
  return {
    p95Ms: numberVar('P95_MS', { min: 0 }) ?? d.p95Ms,
    p99Ms: numberVar('P99_MS', { min: 0 }) ?? d.p99Ms,
    errorRate: numberVar('ERROR_RATE', { min: 0, max: 1 }) ?? d.errorRate,
    checksRate: numberVar('CHECKS_RATE', { min: 0, max: 1 }) ?? d.checksRate,
  };
}

export interface OptionsInput {
  /** Trends that get the profile's p95/p99 limits (default http_req_duration). */
  latencyMetrics?: string[];
  /** Rates of failures that get the profile's error-rate limit (default http_req_failed). */
  errorMetrics?: string[];
  /** More thresholds of the workload (e.g. per-endpoint submetrics). */
  extraThresholds?: Record<string, Threshold[]>;
  /** From the config file's `thresholds`; they replace defaults per metric, `null` removes one. */
  configThresholds?: Record<string, unknown>;
}

function parseThresholdOverrides(source: string, value: unknown): Record<string, Threshold[] | null> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source} must be an object of metric → list of threshold expressions, e.g. {"http_req_duration": ["p(95)<300"]}`);
  }
  const out: Record<string, Threshold[] | null> = {};
  for (const [metric, list] of Object.entries(value)) {
    if (list === null) {
      out[metric] = null;
      continue;
    }
    const items = Array.isArray(list) ? list : [list];
    for (const item of items) {
      const ok =
        typeof item === 'string' ||
        (typeof item === 'object' && item !== null && typeof (item as { threshold?: unknown }).threshold === 'string');
      if (!ok)
        throw new Error(
          `${source}.${metric}: ${JSON.stringify(item)} is not a threshold; expected a string such as "p(95)<300" or {"threshold": "...", "abortOnFail": true}`,
        );
    }
    out[metric] = items as Threshold[];
  }
  return out;
}

/** The thresholds of a run: profile defaults, workload extras, then config file, then THRESHOLDS. */
export function buildThresholds(name: ProfileName, input: OptionsInput = {}): Record<string, Threshold[]> {
  const limits = thresholdLimits(name);
  // Breakpoint exists to find where it breaks: stop as soon as the limits are crossed.
  const abort = name === 'breakpoint';
  const delay = formatDuration(Math.max(SEC, 10 * SEC * (numberVar('TIME_SCALE', { min: 0.0001 }) ?? 1)));
  const expr = (threshold: string): Threshold => (abort ? { threshold, abortOnFail: true, delayAbortEval: delay } : threshold);
  const thresholds: Record<string, Threshold[]> = {};
  for (const metric of input.latencyMetrics ?? ['http_req_duration']) {
    thresholds[metric] = [expr(`p(95)<${limits.p95Ms}`), `p(99)<${limits.p99Ms}`];
  }
  for (const metric of input.errorMetrics ?? ['http_req_failed']) thresholds[metric] = [expr(`rate<${limits.errorRate}`)];
  thresholds.checks = [`rate>${limits.checksRate}`];
  Object.assign(thresholds, input.extraThresholds ?? {});
  let fromEnv: unknown;
  const text = envVar('THRESHOLDS');
  if (text !== undefined) {
    try {
      fromEnv = JSON.parse(text);
    } catch {
      throw new Error(`THRESHOLDS=${JSON.stringify(text.slice(0, 80))} is not JSON; expected e.g. {"http_req_duration": ["p(95)<300"]}`);
    }
  }
  for (const overrides of [
    parseThresholdOverrides('config thresholds', input.configThresholds),
    parseThresholdOverrides('THRESHOLDS', fromEnv),
  ]) {
    for (const [metric, list] of Object.entries(overrides)) {
      if (list === null) delete thresholds[metric];
      else thresholds[metric] = list;
    }
  }
  return thresholds;
}

/** `export const options` of a workload under the selected profile. */
export function buildOptions(input: OptionsInput = {}): Options {
  const name = selectedProfile();
  return {
    scenarios: { [name]: profileScenario(name) },
    thresholds: buildThresholds(name, input),
    // p(99) is not in k6's default list, and baselines watch it.
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  };
}
