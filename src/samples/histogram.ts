// Trend statistics that stay bounded in memory however many samples arrive.
//
// A trend keeps its samples exactly while there are few (percentiles then match k6's own to the
// last digit); past `exactLimit` samples it folds them into a log-bucketed histogram whose buckets
// are a constant ratio apart (the DDSketch construction). Every value then lands in a bucket whose
// representative is within `relativeError` of it, so a reported percentile is within that relative
// error of a sample value at the same rank. count, sum (avg), min and max stay exact in both modes.

/** Relative precision of histogram mode: 0.001 = any percentile within ±0.1% of the true sample value. */
export const DEFAULT_RELATIVE_ERROR = 0.001;
/** Samples kept exactly per series before switching to the histogram (8 bytes each: 512 KiB). */
export const DEFAULT_EXACT_LIMIT = 65_536;

/**
 * Counts per integer bucket key in one dense array (keys of one series sit in a narrow range: ±0.1 %
 * buckets from 1 µs to 1 h are ~11,000 keys, 90 KiB), grown on either side as keys arrive. A Map was
 * the costliest step of the shard merge; an array index is a few nanoseconds. The whole range of a
 * double is ~700,000 keys, so even an absurd series stays within a few MiB.
 */
class BucketCounts {
  private counts = new Float64Array(0);
  /** Key of counts[0]. */
  private offset = 0;
  /** Buckets with a count above 0. */
  size = 0;

  add(key: number, n: number): void {
    let i = key - this.offset;
    if (i < 0 || i >= this.counts.length) {
      this.grow(key);
      i = key - this.offset;
    }
    if (this.counts[i] === 0 && n > 0) this.size++;
    this.counts[i] += n;
  }

  private grow(key: number): void {
    if (this.counts.length === 0) {
      this.counts = new Float64Array(64);
      this.offset = key - 32;
      return;
    }
    const low = Math.min(this.offset, key);
    const high = Math.max(this.offset + this.counts.length, key + 1);
    // Room to spare on the side that grew, so a drifting series does not copy on every new key.
    const spare = Math.max(64, (high - low) >> 1);
    const from = key < this.offset ? low - spare : low;
    const grown = new Float64Array(high - low + spare);
    grown.set(this.counts, this.offset - from);
    this.counts = grown;
    this.offset = from;
  }

  /** [key, count] of every non-empty bucket, keys ascending. */
  *ascending(): Generator<[number, number]> {
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] > 0) yield [i + this.offset, this.counts[i]];
  }

  /** The same, keys descending. */
  *descending(): Generator<[number, number]> {
    for (let i = this.counts.length - 1; i >= 0; i--) if (this.counts[i] > 0) yield [i + this.offset, this.counts[i]];
  }
}

/**
 * Fractional counts (addRange) that should sum to a whole number of samples sum to a hair less in
 * floating point: without this slack, the first rank of a coarse bucket would be read from the end
 * of the bucket below it (a p(95) between two native buckets came out one bucket low).
 */
const RANK_SLACK = 1e-7;

/** A log-bucketed histogram with a fixed relative error; negative values and zero are kept apart. */
export class LogHistogram {
  readonly relativeError: number;
  private readonly logGamma: number;
  private readonly gamma: number;
  private readonly positive = new BucketCounts();
  private readonly negative = new BucketCounts();
  private zeros = 0;
  private total = 0;

  constructor(relativeError = DEFAULT_RELATIVE_ERROR) {
    if (!(relativeError > 0 && relativeError < 1)) {
      throw new RangeError(`relative error ${relativeError} is out of range; expected a number between 0 and 1, e.g. 0.001`);
    }
    this.relativeError = relativeError;
    this.gamma = (1 + relativeError) / (1 - relativeError);
    this.logGamma = Math.log(this.gamma);
  }

  get count(): number {
    return this.total;
  }

  /** Distinct buckets in use: what the memory of this histogram grows with. */
  get buckets(): number {
    return this.positive.size + this.negative.size + (this.zeros > 0 ? 1 : 0);
  }

  add(value: number, times = 1): void {
    this.total += times;
    if (value === 0) {
      this.zeros += times;
      return;
    }
    const store = value > 0 ? this.positive : this.negative;
    store.add(Math.ceil(Math.log(Math.abs(value)) / this.logGamma), times);
  }

  /**
   * `count` values known only to lie in (lower, upper] (a coarser histogram's bucket, 0 < lower <
   * upper): spread over this histogram's buckets in proportion to their overlap in log space — the
   * same within-bucket assumption Prometheus makes when it reads a quantile from a native histogram.
   */
  addRange(lower: number, upper: number, count: number): void {
    if (!(lower > 0 && upper > lower)) {
      this.add(upper, count);
      return;
    }
    this.total += count;
    const from = Math.log(lower) / this.logGamma;
    const to = Math.log(upper) / this.logGamma;
    for (let key = Math.floor(from) + 1; key - 1 < to; key++) {
      const overlap = Math.min(key, to) - Math.max(key - 1, from);
      if (overlap > 0) this.positive.add(key, (count * overlap) / (to - from));
    }
  }

  private representative(key: number): number {
    // The point of the bucket (gamma^(k-1), gamma^k] with the same relative distance to both ends.
    return (2 * Math.pow(this.gamma, key)) / (this.gamma + 1);
  }

  /** The value at 0-based rank `rank` in sorted order (approximate within relativeError). */
  valueAtRank(rank: number): number {
    if (this.total === 0) return NaN;
    let remaining = Math.min(Math.max(Math.floor(rank), 0), this.total - 1);
    // Most negative first: the largest magnitude bucket of the negative store.
    let last = NaN;
    for (const [key, n] of this.negative.descending()) {
      if (remaining < n - RANK_SLACK) return -this.representative(key);
      remaining -= n;
      last = -this.representative(key);
    }
    if (remaining < this.zeros - RANK_SLACK) return 0;
    remaining -= this.zeros;
    if (this.zeros > 0) last = 0;
    for (const [key, n] of this.positive.ascending()) {
      if (remaining < n - RANK_SLACK) return this.representative(key);
      remaining -= n;
      last = this.representative(key);
    }
    // Fractional counts (addRange) can leave the last rank a hair past their sum: the top bucket.
    return last;
  }
}

/** A distribution known by buckets: `ranges` are [lower, upper, count] with values in (lower, upper]. */
export interface BucketedDistribution {
  count: number;
  sum: number;
  /** Values that are exactly 0 (k6 timings of a step that did not happen, e.g. TLS on plain HTTP). */
  zeros: number;
  ranges: readonly (readonly [number, number, number])[];
}

export interface TrendOptions {
  exactLimit?: number;
  relativeError?: number;
}

/** The statistics of one trend series (a metric or one of its submetrics). */
export class TrendAccumulator {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private exact: Float64Array | undefined = new Float64Array(64);
  private sorted = true;
  private histogram: LogHistogram | undefined;
  private readonly exactLimit: number;
  private readonly relativeError: number;

  constructor(options: TrendOptions = {}) {
    this.exactLimit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
    this.relativeError = options.relativeError ?? DEFAULT_RELATIVE_ERROR;
  }

  /** True while every percentile is exact. */
  get isExact(): boolean {
    return this.histogram === undefined;
  }

  add(value: number): void {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sum += value;
    if (this.exact) {
      if (this.count === this.exact.length) {
        if (this.count >= this.exactLimit) {
          this.histogram = new LogHistogram(this.relativeError);
          for (let i = 0; i < this.count; i++) this.histogram.add(this.exact[i]);
          this.exact = undefined;
          this.histogram.add(value);
          this.count++;
          return;
        }
        const grown = new Float64Array(Math.min(this.exact.length * 2, this.exactLimit));
        grown.set(this.exact);
        this.exact = grown;
      }
      this.exact[this.count] = value;
      this.sorted = false;
    } else {
      this.histogram!.add(value);
    }
    this.count++;
  }

  /**
   * Folds in a bucketed distribution (k6's native histograms arrive this way, see remote-write.ts):
   * `count` values with this `sum`, of which `zeros` are 0 and the rest lie in the given ranges.
   * Percentiles are then only as fine as those buckets (see LogHistogram.addRange); count, sum and
   * avg stay exact, min and max become the outermost bucket edges.
   */
  addBuckets(input: BucketedDistribution): void {
    if (input.count <= 0) return;
    // One value is known exactly: it is the sum.
    if (input.count === 1 && this.count === 0) {
      this.add(input.sum);
      return;
    }
    if (!this.histogram) {
      this.histogram = new LogHistogram(this.relativeError);
      for (let i = 0; i < this.count; i++) this.histogram.add(this.exact![i]);
      this.exact = undefined;
    }
    if (input.zeros > 0) {
      this.histogram.add(0, input.zeros);
      this.min = Math.min(this.min, 0);
      this.max = Math.max(this.max, 0);
    }
    for (const [lower, upper, n] of input.ranges) {
      if (n <= 0) continue;
      this.histogram.addRange(lower, upper, n);
      this.min = Math.min(this.min, lower);
      this.max = Math.max(this.max, upper);
    }
    this.count += input.count;
    this.sum += input.sum;
  }

  /** The value at 0-based rank `rank` in sorted order (exact, or within relativeError in histogram mode). */
  valueAtRank(rank: number): number {
    if (this.exact) {
      if (!this.sorted) {
        this.exact.subarray(0, this.count).sort();
        this.sorted = true;
      }
      return this.exact[rank];
    }
    // The extremes are known exactly; a bucket's representative can fall a hair outside them.
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    return Math.min(Math.max(this.histogram!.valueAtRank(rank), this.min), this.max);
  }

  /**
   * The percentile the way k6's trend sink computes it: rank p·(n−1) in sorted order, linear
   * interpolation between the two neighbouring samples.
   */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    if (this.count === 1) return this.min;
    const position = (p / 100) * (this.count - 1);
    const lower = Math.floor(position);
    const upper = Math.ceil(position);
    const low = this.valueAtRank(lower);
    if (upper === lower) return low;
    const high = this.valueAtRank(upper);
    return low + (high - low) * (position - lower);
  }

  get avg(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /** Numbers this accumulator holds, for the memory accounting in tests and logs. */
  get retainedNumbers(): number {
    return this.exact ? this.exact.length : this.histogram!.buckets * 2;
  }
}
