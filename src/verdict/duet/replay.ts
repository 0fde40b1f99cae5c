// The whole sequential decision over windows that are all there already: replays of recorded duets
// and simulations (the noise lab, the simulation tests). A live duet calls decideLook itself after
// each block (run.ts). Pure.
import { decideLook, DEFAULT_DUET_OPTIONS, DUET_MIN_WINDOWS, type DuetLook, type DuetOptions, type PairedWindows } from './decision.js';

export interface DuetPlan {
  /** Paired windows per block: a look after each. */
  blockWindows: number;
  /** The most windows the duet runs (max-duration / window length). */
  maxWindows: number;
}

export interface DuetDecision {
  /** Every look made, the last one decisive (or inconclusive). */
  looks: DuetLook[];
  final: DuetLook;
  /** Windows seen when it stopped. */
  windows: number;
}

/** Window counts at which the looks fall: every block, and the maximum. */
export function lookPoints(plan: DuetPlan): number[] {
  if (!(plan.blockWindows >= DUET_MIN_WINDOWS)) {
    throw new RangeError(`a block of ${plan.blockWindows} windows; expected at least ${DUET_MIN_WINDOWS}`);
  }
  if (!(plan.maxWindows >= plan.blockWindows)) {
    throw new RangeError(
      `max-duration of ${plan.maxWindows} windows is shorter than one block (${plan.blockWindows}); expected at least one block`,
    );
  }
  const points: number[] = [];
  for (let w = plan.blockWindows; w < plan.maxWindows; w += plan.blockWindows) points.push(w);
  points.push(plan.maxWindows);
  return points;
}

/**
 * The whole sequential decision over windows that are all there already (replays, simulations):
 * `pairsAt(w)` gives the paired windows of every watched statistic among the first w windows.
 */
export function decideSequentially(
  pairsAt: (windows: number) => PairedWindows[],
  plan: DuetPlan,
  options: DuetOptions = DEFAULT_DUET_OPTIONS,
): DuetDecision {
  const points = lookPoints(plan);
  const looks: DuetLook[] = [];
  const fractions: number[] = [];
  for (const [i, w] of points.entries()) {
    fractions.push(w / plan.maxWindows);
    const look = decideLook(pairsAt(w), fractions, i === points.length - 1, options, looks.at(-1));
    looks.push(look);
    if (look.outcome !== 'continue') return { looks, final: look, windows: w };
  }
  throw new Error('unreachable: the last look is final');
}
