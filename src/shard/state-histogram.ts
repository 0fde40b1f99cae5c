// The histogram arithmetic of shard states: native-histogram buckets as a state file holds them
// (spans and counts), converted to and from the receiver's maps, downscaled to a coarser schema and
// added exactly. Pure.
import type { NativeHistogram } from '../observability/remote-write.js';
import { ShardStateError } from './merge-error.js';

/** Occupied buckets: `spans` are [offset, length] (the first offset is the first bucket's index, later ones the gap since the previous span), `counts` one absolute count per bucket. */
export interface StateBuckets {
  spans: [number, number][];
  counts: number[];
}

/** A native histogram in Prometheus units (seconds for time); bucket i holds (base^(i-1), base^i], base = 2^(2^-schema). */
export interface StateHistogram {
  schema: number;
  count: number;
  sum: number;
  zeroThreshold: number;
  zeroCount: number;
  positive: StateBuckets;
  negative: StateBuckets;
}

/** Bucket index → count (ascending keys not required) → spans and counts. */
export function bucketsOf(map: ReadonlyMap<number, number>): StateBuckets {
  const keys = [...map.keys()].filter((k) => map.get(k)! > 0).sort((a, b) => a - b);
  const spans: [number, number][] = [];
  const counts: number[] = [];
  let next = NaN;
  for (const key of keys) {
    if (key === next) spans[spans.length - 1][1]++;
    else spans.push([spans.length === 0 ? key : key - next, 1]);
    counts.push(map.get(key)!);
    next = key + 1;
  }
  return { spans, counts };
}

/** Spans and counts → bucket index → count. */
export function bucketMap(buckets: StateBuckets): Map<number, number> {
  const out = new Map<number, number>();
  let index = 0;
  let i = 0;
  for (const [n, [offset, length]] of buckets.spans.entries()) {
    index = n === 0 ? offset : index + offset;
    for (let k = 0; k < length; k++, index++, i++) {
      if (i >= buckets.counts.length) throw new ShardStateError('a histogram has fewer bucket counts than its spans say');
      if (buckets.counts[i] > 0) out.set(index, (out.get(index) ?? 0) + buckets.counts[i]);
    }
  }
  if (i !== buckets.counts.length)
    throw new ShardStateError(`a histogram has ${buckets.counts.length} bucket counts but its spans say ${i}`);
  return out;
}

/** The receiver's histogram → the state's form. */
export function stateHistogramOf(h: NativeHistogram): StateHistogram {
  return {
    schema: h.schema,
    count: h.count,
    sum: h.sum,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    positive: bucketsOf(h.positive),
    negative: bucketsOf(h.negative),
  };
}

/** The state's histogram → the receiver's form (what nativeToDistribution reads). */
export function nativeHistogramOf(h: StateHistogram): NativeHistogram {
  return { ...h, positive: bucketMap(h.positive), negative: bucketMap(h.negative), timestampMs: 0 };
}

/**
 * Buckets of a finer schema in a coarser one: 2^(from−to) neighbouring buckets become one, the way
 * Prometheus reduces a native histogram's resolution (bucket edges of the coarser schema are edges
 * of the finer one, so no count is split).
 */
export function downscale(buckets: ReadonlyMap<number, number>, from: number, to: number): Map<number, number> {
  if (to > from) throw new RangeError(`cannot raise a histogram's schema from ${from} to ${to}`);
  if (to === from) return new Map(buckets);
  const shift = from - to;
  const out = new Map<number, number>();
  for (const [index, count] of buckets) {
    const target = Math.floor((index - 1) / 2 ** shift) + 1;
    out.set(target, (out.get(target) ?? 0) + count);
  }
  return out;
}

/** The sum of two native histograms, exact per bucket, at the coarser of their schemas and the wider zero bucket. */
export function addHistograms(a: NativeHistogram, b: NativeHistogram): NativeHistogram {
  const schema = Math.min(a.schema, b.schema);
  const zeroThreshold = Math.max(a.zeroThreshold, b.zeroThreshold);
  let zeroCount = a.zeroCount + b.zeroCount;
  const base = 2 ** (2 ** -schema);
  const add = (side: 'positive' | 'negative') => {
    const out = downscale(a[side], a.schema, schema);
    for (const [index, count] of downscale(b[side], b.schema, schema)) out.set(index, (out.get(index) ?? 0) + count);
    // Buckets that end inside a wider zero bucket belong to it.
    if (zeroThreshold > 0) {
      for (const [index, count] of out) {
        if (base ** index <= zeroThreshold) {
          zeroCount += count;
          out.delete(index);
        }
      }
    }
    return out;
  };
  const positive = add('positive');
  const negative = add('negative');
  return { count: a.count + b.count, sum: a.sum + b.sum, schema, zeroThreshold, zeroCount, positive, negative, timestampMs: 0 };
}

// ---------------------------------------------------------------------------------------------
// Adding many (the merge)

/**
 * Counts per bucket index in one dense array grown on either side (the indices of one series sit in
 * a narrow range: schema 3 from 1 µs to 1 h is ~400 indices); adding is an array index, not a Map.
 */
export class DenseBuckets {
  private counts = new Float64Array(0);
  private offset = 0;

  add(index: number, n: number): void {
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) {
      const low = this.counts.length === 0 ? index - 16 : Math.min(this.offset, index - 16);
      const high = this.counts.length === 0 ? index + 16 : Math.max(this.offset + this.counts.length, index + 16);
      const grown = new Float64Array(high - low);
      if (this.counts.length > 0) grown.set(this.counts, this.offset - low);
      this.counts = grown;
      this.offset = low;
      i = index - low;
    }
    this.counts[i] += n;
  }

  toMap(): Map<number, number> {
    const out = new Map<number, number>();
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] > 0) out.set(i + this.offset, this.counts[i]);
    return out;
  }

  static from(map: ReadonlyMap<number, number>): DenseBuckets {
    const dense = new DenseBuckets();
    for (const [index, n] of map) dense.add(index, n);
    return dense;
  }
}

/** A histogram being added to, kept at the coarsest schema seen so far. */
export interface HistogramSum {
  schema: number;
  count: number;
  sum: number;
  zeroThreshold: number;
  zeroCount: number;
  positive: DenseBuckets;
  negative: DenseBuckets;
}

/** Adds a state histogram's buckets into `into` (at `shift` schemas coarser), straight from its spans. */
function addBuckets(into: DenseBuckets, buckets: StateBuckets, shift: number): void {
  let index = 0;
  let i = 0;
  const factor = 2 ** shift;
  for (let n = 0; n < buckets.spans.length; n++) {
    const [offset, length] = buckets.spans[n];
    index = n === 0 ? offset : index + offset;
    for (let k = 0; k < length; k++, index++, i++) {
      const count = buckets.counts[i];
      if (!(count > 0)) continue;
      const target = shift === 0 ? index : Math.floor((index - 1) / factor) + 1;
      into.add(target, count);
    }
  }
}

export function addInto(total: HistogramSum, h: StateHistogram): void {
  if (h.schema < total.schema) {
    total.positive = DenseBuckets.from(downscale(total.positive.toMap(), total.schema, h.schema));
    total.negative = DenseBuckets.from(downscale(total.negative.toMap(), total.schema, h.schema));
    total.schema = h.schema;
  }
  addBuckets(total.positive, h.positive, h.schema - total.schema);
  addBuckets(total.negative, h.negative, h.schema - total.schema);
  total.count += h.count;
  total.sum += h.sum;
  total.zeroCount += h.zeroCount;
  total.zeroThreshold = Math.max(total.zeroThreshold, h.zeroThreshold);
}

/** The sum as a state histogram; buckets that end inside the (widest) zero bucket belong to it. */
export function histogramOfSum(total: HistogramSum): StateHistogram {
  const base = 2 ** (2 ** -total.schema);
  let zeroCount = total.zeroCount;
  const sides = [total.positive.toMap(), total.negative.toMap()];
  for (const side of total.zeroThreshold > 0 ? sides : []) {
    for (const [index, count] of side) {
      if (base ** index <= total.zeroThreshold) {
        zeroCount += count;
        side.delete(index);
      }
    }
  }
  const { schema, count, sum, zeroThreshold } = total;
  return { schema, count, sum, zeroThreshold, zeroCount, positive: bucketsOf(sides[0]), negative: bucketsOf(sides[1]) };
}
