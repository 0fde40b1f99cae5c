// The duet decision on simulated windows (seeded, so every run gives the same counts): its false
// alarms with nothing changed stay at or below the nominal α at the windows' autocorrelation
// measured live, what happens at a stronger autocorrelation is stated, and it finds a +5 % change.
//
// Noise model (stated, per 1 s window, on log latency, e.g. ln p(95)):
// - a common-mode drift both sides share (the machine getting slower and faster: a random walk with
//   steps of 2 % plus a 10 % slow wave over the run), which the pairing must cancel;
// - per side an AR(1) process with coefficient ρ and a marginal standard deviation of σ,
//   independent between the sides; their difference d is AR(1) with the same ρ.
// The live duets' paired values had a lag-1 autocorrelation of about −0.1 (median per statistic;
// docs/verdicts.md, "The test"), so −0.1 is the measured case, 0 and +0.15 (where the block length
// rule's guard starts) its edges, and ρ = 0.5 the case the rule does not hold at.
// Looks after 20, 40 and 60 windows (20 s blocks, 60 s max-duration), the default spending, α = 0.05.
// Larger runs (more ρ, more decisions): `npm run bench:noise -- --duet-sim`.
import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../src/baseline/sampling.js';
import { createRandom } from '../../../demo/target-random.js';
import { DEFAULT_DUET_OPTIONS, type DuetOptions, type PairedWindows } from '../../../src/verdict/duet/decision.js';
import { decideSequentially, type DuetDecision } from '../../../src/verdict/duet/replay.js';

const WINDOWS = 60;
const PLAN = { blockWindows: 20, maxWindows: WINDOWS };

/** Standard normal draws from a seeded uniform source (Box–Muller). */
function normals(seed: number): () => number {
  const random = createRandom(seed);
  return () => Math.sqrt(-2 * Math.log(random.next() || 1e-300)) * Math.cos(2 * Math.PI * random.next());
}

/** One paired log-ratio series per σ in `sigmas`, WINDOWS windows, true shift `shift` (log), AR(1) ρ per side. */
function simulate(gauss: () => number, sigmas: readonly number[], rho: number, shift: number): Float64Array[] {
  const innovation = Math.sqrt(1 - rho * rho);
  return sigmas.map((sigma) => {
    const d = new Float64Array(WINDOWS);
    let a = sigma * gauss();
    let b = sigma * gauss();
    let drift = 0;
    for (let t = 0; t < WINDOWS; t++) {
      drift += 0.02 * gauss();
      const common = drift + 0.1 * Math.sin((2 * Math.PI * t) / WINDOWS);
      if (t > 0) {
        a = rho * a + sigma * innovation * gauss();
        b = rho * b + sigma * innovation * gauss();
      }
      // What the receiver would see: ln B − ln A of the same window; the common part cancels.
      d[t] = common + shift + b - (common + a);
    }
    return d;
  });
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

/** Decisions in which any statistic was called changed (an `improved` one may hide in an inconclusive outcome). */
function falseAlarms(seed: number, n: number, sigmas: readonly number[], rho: number, options = TEST_ONLY): number {
  const gauss = normals(seed);
  let alarms = 0;
  for (let i = 0; i < n; i++) {
    const { stats } = decide(simulate(gauss, sigmas, rho, 0), options).final;
    if (stats.some((s) => s.verdict === 'regressed' || s.verdict === 'improved')) alarms++;
  }
  return alarms;
}

function rate(count: number, n: number): string {
  const w = wilsonInterval(count, n);
  return `${count} of ${n} = ${((100 * count) / n).toFixed(2)} % (Wilson 95 % ${(100 * w.low).toFixed(2)}-${(100 * w.high).toFixed(2)} %)`;
}

/** Window noise of the paired values per statistic as measured live (p(90), p(95), p(99), avg, med; docs/verdicts.md). */
const MEASURED_SIGMAS = [0.23, 0.27, 0.28, 0.1, 0.15];
/** Per side: the paired difference of two independent sides has √2 times the noise of one. */
const perSide = (sigmas: readonly number[]) => sigmas.map((s) => s / Math.SQRT2);

describe('duet decision on simulated windows', () => {
  it('with nothing changed at the measured autocorrelation (ρ = −0.1), false alarms over 10,000 decisions stay below α = 5 % (Wilson upper bound)', () => {
    const n = 10_000;
    const alarms = falseAlarms(20261202, n, [0.05], -0.1);
    console.log(`type I at 0 %, one statistic, ρ = −0.1: ${rate(alarms, n)}`);
    expect(wilsonInterval(alarms, n).high).toBeLessThanOrEqual(0.05);
    // Not a test that never fires: it does raise some alarms, as a 5 % test must now and then.
    expect(alarms).toBeGreaterThan(0.02 * n);
  });

  it('at ρ = 0 and +0.15, the edge of the measured range and past it, false alarms stay within one point of α, and lower with the practical size', () => {
    for (const [rho, seed] of [
      [0, 11],
      [0.15, 12],
    ]) {
      const n = 3_000;
      const alarms = falseAlarms(seed, n, [0.05], rho);
      const gated = falseAlarms(seed, n, [0.05], rho, DEFAULT_DUET_OPTIONS);
      console.log(`type I at 0 %, one statistic, ρ = ${rho}: ${rate(alarms, n)}; with the practical size ${rate(gated, n)}`);
      expect(wilsonInterval(alarms, n).low).toBeLessThanOrEqual(0.05);
      expect(alarms / n).toBeLessThanOrEqual(0.06);
      expect(gated).toBeLessThan(alarms);
    }
  });

  it('at ρ = 0.5, far above what was measured, false alarms stay below 2α (not below α), and the guard more than halves those of the unguarded rule', () => {
    const n = 3_000;
    const alarms = falseAlarms(5, n, [0.05], 0.5);
    const unguarded = falseAlarms(5, n, [0.05], 0.5, { ...TEST_ONLY, blockRule: { scale: 1 } });
    console.log(`type I at 0 %, one statistic, ρ = 0.5: ${rate(alarms, n)}; without the guard ${rate(unguarded, n)}`);
    expect(wilsonInterval(alarms, n).high).toBeLessThanOrEqual(0.1);
    expect(alarms).toBeLessThan(0.7 * unguarded);
  });

  it('watching five statistics with the measured window noise (independent: the worst case for Holm) keeps any false alarm at or below α', () => {
    const n = 2_000;
    const alarms = falseAlarms(7, n, perSide(MEASURED_SIGMAS), -0.1);
    console.log(`type I at 0 %, five independent statistics, ρ = −0.1: ${rate(alarms, n)}`);
    expect(wilsonInterval(alarms, n).high).toBeLessThanOrEqual(0.05);
  });

  it('finds +5 % with the measured window noise of five statistics, and decides +30 % in the first block', () => {
    const gauss = normals(42);
    const n = 1_000;
    let found = 0;
    let windows = 0;
    for (let i = 0; i < n; i++) {
      const decision = decide(simulate(gauss, perSide(MEASURED_SIGMAS), -0.1, Math.log(1.05)));
      if (decision.final.outcome === 'regressed') found++;
      windows += decision.windows;
    }
    console.log(`power at +5 %, measured noise, ρ = −0.1: ${rate(found, n)}, mean ${(windows / n).toFixed(1)} windows per decision`);
    expect(wilsonInterval(found, n).low).toBeGreaterThanOrEqual(0.8);
    let first = 0;
    for (let i = 0; i < 200; i++) if (decide(simulate(gauss, perSide(MEASURED_SIGMAS), -0.1, Math.log(1.3))).looks.length === 1) first++;
    console.log(`+30 %, measured noise: decided in the first block ${rate(first, 200)}`);
    expect(first).toBeGreaterThanOrEqual(190);
  });
});
