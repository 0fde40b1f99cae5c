// The demo target's knobs: latency, jitter, errors, a slowdown, a spike, and one endpoint made slow
// and failing. Checked here, whether they come from the demo's flags, a test or POST /__knobs.
import { ExpectedError } from '../src/errors.js';

export interface DemoKnobs {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  /** Extra latency as a fraction: 0.5 = +50%. */
  slowdown: number;
  /** A one-off spike: the next this-many requests get `spikeSlowdown` on top (counts down to 0). */
  spikeRequests: number;
  /** Extra latency of a spiked request as a fraction: 1 = twice as slow. */
  spikeSlowdown: number;
}

/**
 * One endpoint made slow and/or failing, so a demo shows the per-endpoint table and the error mix
 * pointing at it: requests whose path starts with `path` wait (1 + slowdown) times longer and fail
 * with `status` at `errorRate`.
 */
export interface EndpointFault {
  path: string;
  slowdown: number;
  errorRate: number;
  /** Default 503. */
  status?: number;
}

export function checkEndpointFault(fault: EndpointFault): EndpointFault {
  if (!fault.path.startsWith('/')) {
    throw new ExpectedError(`slow endpoint ${JSON.stringify(fault.path)} is not a path; expected e.g. "/api/orders"`);
  }
  if (!(Number.isFinite(fault.slowdown) && fault.slowdown > -1)) {
    throw new ExpectedError(
      `slow endpoint slowdown ${JSON.stringify(fault.slowdown)} is not valid; expected a number above -1 (2 = +200%)`,
    );
  }
  if (!(Number.isFinite(fault.errorRate) && fault.errorRate >= 0 && fault.errorRate <= 1)) {
    throw new ExpectedError(`slow endpoint error rate ${JSON.stringify(fault.errorRate)} is not valid; expected a number from 0 to 1`);
  }
  return fault;
}

export const DEFAULT_DEMO_KNOBS: DemoKnobs = { latencyMs: 20, jitterMs: 10, errorRate: 0, slowdown: 0, spikeRequests: 0, spikeSlowdown: 1 };

/** Checks knob values and returns the merged knobs; a bad value is an error naming it. */
export function mergeKnobs(current: DemoKnobs, change: Partial<Record<keyof DemoKnobs, unknown>>): DemoKnobs {
  const next = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_DEMO_KNOBS)) {
      throw new ExpectedError(`unknown demo knob ${JSON.stringify(key)}; expected one of ${Object.keys(DEFAULT_DEMO_KNOBS).join(', ')}`);
    }
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (key === 'errorRate'
        ? value >= 0 && value <= 1
        : key === 'slowdown' || key === 'spikeSlowdown'
          ? value > -1
          : key === 'spikeRequests'
            ? Number.isInteger(value) && value >= 0
            : value >= 0);
    if (!ok) {
      const expected =
        key === 'errorRate'
          ? 'a number from 0 to 1'
          : key === 'slowdown' || key === 'spikeSlowdown'
            ? 'a number above -1 (0.5 = +50% latency)'
            : key === 'spikeRequests'
              ? 'a whole number of requests ≥ 0'
              : 'a number of milliseconds ≥ 0';
      throw new ExpectedError(`demo knob ${key} = ${JSON.stringify(value)} is not valid; expected ${expected}`);
    }
    next[key as keyof DemoKnobs] = value;
  }
  return next;
}
