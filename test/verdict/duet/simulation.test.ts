// The duet decision on simulated windows (seeded, so every run gives the same counts): its false
// alarms with nothing changed stay at or below the nominal α, and it finds a +5 % change.
//
// Noise model (stated, per 1 s window, on log latency, e.g. ln p(95)):
// - a common-mode drift both sides share (the machine getting slower and faster: a random walk with
//   steps of 2 % plus a 10 % slow wave over the run), which the pairing must cancel;
// - per side an AR(1) process with ρ = 0.5 and a marginal standard deviation of σ (bursts longer than
//   a window: neighbours, GC), independent between the sides; their difference is AR(1) with ρ = 0.5.
// Looks after 20, 40 and 60 windows (20 s blocks, 60 s max-duration), Pocock-type spending, α = 0.05.
import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../src/baseline/sampling.js';
import { createRandom } from '../../../demo/target-random.js';
import {
  decideSequentially,
  DEFAULT_DUET_OPTIONS,
  type DuetDecision,
  type DuetOptions,
  type PairedWindows,
} from '../../../src/verdict/duet/decision.js';

const WINDOWS = 60;
const PLAN = { blockWindows: 20, maxWindows: WINDOWS };
const RHO = 0.5;

/** Standard normal draws from a seeded uniform source (Box–Muller). */
function normals(seed: number): () => number {
  const random = createRandom(seed);
  return () => Math.sqrt(-2 * Math.log(random.next() || 1e-300)) * Math.cos(2 * Math.PI * random.next());
}

/** `stats` independent paired log-ratio series of WINDOWS windows with a true shift of `shift` (log). */
function simulate(gauss: () => number, stats: number, sigma: number, shift: number): Float64Array[] {
  const innovation = sigma * Math.sqrt(1 - RHO * RHO);
  const out: Float64Array[] = [];
  for (let s = 0; s < stats; s++) {
    const d = new Float64Array(WINDOWS);
    let a = sigma * gauss();
    let b = sigma * gauss();
    let drift = 0;
    for (let t = 0; t < WINDOWS; t++) {
      drift += 0.02 * gauss();
      const common = drift + 0.1 * Math.sin((2 * Math.PI * t) / WINDOWS);
      a = RHO * a + innovation * gauss();
      b = RHO * b + innovation * gauss();
      // What the receiver would see: ln B − ln A of the same window; the common part cancels.
      d[t] = common + shift + b - (common + a);
    }
    out.push(d);
  }
  return out;
}

/** The test alone, without the practical size: every significant difference counts as an alarm. */
const TEST_ONLY: DuetOptions = { ...DEFAULT_DUET_OPTIONS, minEffect: 0 };

function decide(series: Float64Array[], options = DEFAULT_DUET_OPTIONS): DuetDecision {
  return decideSequentially(
    (w) =>
      series.map((d, i): PairedWindows => ({
        id: `stat${i}`,
        kind: 'log-ratio',
        d: Array.from(d.subarray(0, w)),
        pooledA: NaN,
        pooledB: NaN,
      })),
    PLAN,
    options,
  );
}

function rate(count: number, n: number): string {
  const w = wilsonInterval(count, n);
  return `${count} of ${n} = ${((100 * count) / n).toFixed(2)} % (Wilson 95 % ${(100 * w.low).toFixed(2)}-${(100 * w.high).toFixed(2)} %)`;
}

describe('duet decision on simulated windows', () => {
  it('with nothing changed, false alarms over 10,000 decisions stay at or below α = 5 % (Wilson upper bound)', () => {
    const gauss = normals(20261202);
    const n = 10_000;
    let alarms = 0;
    let withPracticalSize = 0;
    for (let i = 0; i < n; i++) {
      const series = simulate(gauss, 1, 0.05, 0);
      const outcome = decide(series, TEST_ONLY).final.outcome;
      if (outcome === 'regressed' || outcome === 'improved') alarms++;
      const gated = decide(series).final.outcome;
      if (gated === 'regressed' || gated === 'improved') withPracticalSize++;
    }
    console.log(`type I at 0 %, one statistic, σ = 5 %: ${rate(alarms, n)}; with the 2 % practical size ${rate(withPracticalSize, n)}`);
    expect(wilsonInterval(alarms, n).high).toBeLessThanOrEqual(0.05);
    // Not a test that never fires: it does raise some alarms, as a 5 % test must now and then.
    expect(alarms).toBeGreaterThan(0.01 * n);
  });

  it('watching six statistics (independent: the worst case for the correction) keeps any false alarm at or below α', () => {
    const gauss = normals(7);
    const n = 2_000;
    let alarms = 0;
    for (let i = 0; i < n; i++) {
      // Any statistic called changed is a false alarm (an `improved` one may hide in an inconclusive outcome).
      const { stats } = decide(simulate(gauss, 6, 0.05, 0), TEST_ONLY).final;
      if (stats.some((s) => s.verdict === 'regressed' || s.verdict === 'improved')) alarms++;
    }
    console.log(`type I at 0 %, six independent statistics: ${rate(alarms, n)}`);
    expect(wilsonInterval(alarms, n).high).toBeLessThanOrEqual(0.05);
  });

  it('finds +5 % with σ = 3 % per side and window, and decides +30 % in the first block', () => {
    const gauss = normals(42);
    const n = 2_000;
    let found = 0;
    let k6Windows = 0;
    for (let i = 0; i < n; i++) {
      const decision = decide(simulate(gauss, 1, 0.03, Math.log(1.05)));
      if (decision.final.outcome === 'regressed') found++;
      k6Windows += decision.windows;
    }
    console.log(`power at +5 %, σ = 3 %: ${rate(found, n)}, mean ${(k6Windows / n).toFixed(1)} windows per decision`);
    expect(wilsonInterval(found, n).low).toBeGreaterThanOrEqual(0.8);
    let first = 0;
    for (let i = 0; i < 200; i++) if (decide(simulate(gauss, 1, 0.05, Math.log(1.3))).looks.length === 1) first++;
    console.log(`+30 %, σ = 5 %: decided in the first block ${rate(first, 200)}`);
    expect(first).toBeGreaterThanOrEqual(190);
  });
});
