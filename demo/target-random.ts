// A seedable random source for the demo target: tests need the same latencies and injected errors
// from run to run, which Math.random cannot give.

export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
}

/** mulberry32: tiny, fast and good enough to spread latencies and errors evenly. */
export function createRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
