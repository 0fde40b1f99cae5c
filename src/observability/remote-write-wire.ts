// The messages of Prometheus remote write 1.0 as k6-gate holds them, and the wire constants that
// the encoder (remote-write.ts) and the decoder (remote-write-decode.ts) share.

export interface Sample {
  value: number;
  /** Milliseconds since the epoch. */
  timestampMs: number;
  /**
   * Prometheus' stale marker (a NaN with the bits 0x7ff0000000000002): "this series ended". k6 sends
   * one for every series after its final push when K6_PROMETHEUS_RW_STALE_MARKERS is true.
   */
  stale?: true;
}

export interface TimeSeries {
  /** Label names to values; `__name__` is the metric name. Sorted by name when encoded. */
  labels: Record<string, string>;
  samples: Sample[];
  /** Native histograms (as k6 sends its trends), encoded with integer counts and delta buckets. */
  histograms?: NativeHistogram[];
}

/** Protobuf wire types used by remote write. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;

/** A native histogram as remote write carries it (absolute bucket counts, already un-delta'd). */
export interface NativeHistogram {
  count: number;
  sum: number;
  /** Buckets grow by 2^(2^-schema): schema 3 → ×1.0905 per bucket. */
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  /** Bucket index → count; bucket i holds values in (base^(i-1), base^i]. */
  positive: Map<number, number>;
  negative: Map<number, number>;
  timestampMs: number;
}

export interface DecodedSeries {
  labels: Record<string, string>;
  samples: Sample[];
  histograms: NativeHistogram[];
}

/** The two 32-bit halves of Prometheus' stale-marker NaN, 0x7ff0000000000002. */
export const STALE_MARKER_HIGH = 0x7ff00000;
export const STALE_MARKER_LOW = 0x00000002;
