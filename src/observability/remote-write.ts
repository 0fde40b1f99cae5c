// Prometheus remote write 1.0 on the wire, without dependencies: a protobuf encoder for the four
// messages of prometheus/prompb (WriteRequest, TimeSeries, Label, Sample) and a snappy block
// encoder. Pure: bytes in, bytes out; the push itself lives in push.ts, the decoder in
// remote-write-decode.ts (re-exported here), the message shapes in remote-write-wire.ts.
//
// Snappy: a block made only of literal elements is valid snappy (every decoder must accept it);
// the few hundred bytes of k6-gate's verdict series gain nothing from back-references.
import {
  FIXED64,
  LENGTH_DELIMITED,
  STALE_MARKER_HIGH,
  STALE_MARKER_LOW,
  VARINT,
  type NativeHistogram,
  type Sample,
  type TimeSeries,
} from './remote-write-wire.js';

// The messages and the decoder, for the modules that import remote write from here.
export type { DecodedSeries, NativeHistogram, Sample, TimeSeries } from './remote-write-wire.js';
export { decodeRemoteWriteBody, decodeWriteRequest, RemoteWriteDecodeError, snappyDecode } from './remote-write-decode.js';

/** Headers a remote-write 1.0 receiver expects next to the body. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

/** A growable byte buffer with protobuf's primitive writers. */
class ProtoWriter {
  private chunks: number[] = [];

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.chunks.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(data.length);
    for (const b of data) this.chunks.push(b);
  }

  string(field: number, text: string): void {
    this.bytes(field, new TextEncoder().encode(text));
  }

  double(field: number, value: number, stale = false): void {
    this.tag(field, FIXED64);
    const view = new DataView(new ArrayBuffer(8));
    if (stale) {
      view.setUint32(0, STALE_MARKER_LOW, true);
      view.setUint32(4, STALE_MARKER_HIGH, true);
    } else view.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.chunks.push(view.getUint8(i));
  }

  sint(field: number, value: number): void {
    this.tag(field, VARINT);
    this.varint(value >= 0 ? 2 * value : -2 * value - 1);
  }

  int64(field: number, value: number): void {
    this.tag(field, VARINT);
    this.varint(BigInt(Math.trunc(value)));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function encodeLabel(name: string, value: string): Uint8Array {
  const w = new ProtoWriter();
  w.string(1, name);
  w.string(2, value);
  return w.finish();
}

function encodeSample(sample: Sample): Uint8Array {
  const w = new ProtoWriter();
  w.double(1, sample.value, sample.stale === true);
  w.int64(2, sample.timestampMs);
  return w.finish();
}

function encodeTimeSeries(series: TimeSeries): Uint8Array {
  const w = new ProtoWriter();
  // Receivers require labels sorted by name (Prometheus rejects unsorted ones as out of order).
  for (const name of Object.keys(series.labels).sort()) {
    const value = series.labels[name];
    if (value !== '') w.bytes(1, encodeLabel(name, value));
  }
  for (const sample of series.samples) w.bytes(2, encodeSample(sample));
  for (const h of series.histograms ?? []) w.bytes(4, encodeHistogram(h));
  return w.finish();
}

/** Bucket index → count as spans (offset from the previous span's end) and deltas between counts. */
function encodeBuckets(w: ProtoWriter, buckets: ReadonlyMap<number, number>, spanField: number, deltaField: number): void {
  const indexes = [...buckets.keys()].sort((a, b) => a - b);
  let previousEnd = 0;
  let previousCount = 0;
  for (let i = 0; i < indexes.length;) {
    let length = 1;
    while (i + length < indexes.length && indexes[i + length] === indexes[i] + length) length++;
    const span = new ProtoWriter();
    span.sint(1, indexes[i] - previousEnd);
    span.tag(2, VARINT);
    span.varint(length);
    w.bytes(spanField, span.finish());
    previousEnd = indexes[i] + length;
    i += length;
  }
  for (const index of indexes) {
    const count = buckets.get(index)!;
    w.sint(deltaField, count - previousCount);
    previousCount = count;
  }
}

/** prometheus.Histogram with integer counts (what k6 sends). */
function encodeHistogram(h: NativeHistogram): Uint8Array {
  const w = new ProtoWriter();
  w.tag(1, VARINT);
  w.varint(h.count);
  w.double(3, h.sum);
  w.sint(4, h.schema);
  w.double(5, h.zeroThreshold);
  w.tag(6, VARINT);
  w.varint(h.zeroCount);
  encodeBuckets(w, h.negative, 8, 9);
  encodeBuckets(w, h.positive, 11, 12);
  w.int64(15, h.timestampMs);
  return w.finish();
}

/** prometheus.WriteRequest { repeated TimeSeries timeseries = 1; } as protobuf bytes. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Uint8Array {
  const w = new ProtoWriter();
  for (const s of series) w.bytes(1, encodeTimeSeries(s));
  return w.finish();
}

/** Snappy block format (not the framing format): uncompressed length, then literal elements. */
export function snappyEncode(input: Uint8Array): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  let n = input.length;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  // Literal tag: length-1 in the upper six bits below 60; else 60..63 = 1..4 little-endian length bytes.
  const MAX_LITERAL = 65_536;
  for (let start = 0; start < input.length; start += MAX_LITERAL) {
    const chunk = input.subarray(start, Math.min(start + MAX_LITERAL, input.length));
    const lenMinus1 = chunk.length - 1;
    if (lenMinus1 < 60) out.push(lenMinus1 << 2);
    else if (lenMinus1 < 0x100) out.push(60 << 2, lenMinus1);
    else out.push(61 << 2, lenMinus1 & 0xff, lenMinus1 >> 8);
    for (const b of chunk) out.push(b);
  }
  return Uint8Array.from(out);
}

/** The request body of a remote-write push: snappy(protobuf(WriteRequest)). */
export function remoteWriteBody(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer> {
  return snappyEncode(encodeWriteRequest(series));
}
