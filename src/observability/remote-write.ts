// Prometheus remote write 1.0 on the wire, without dependencies: a protobuf encoder for the four
// messages of prometheus/prompb (WriteRequest, TimeSeries, Label, Sample) and a snappy block
// encoder. Pure: bytes in, bytes out; the push itself lives in push.ts.
//
// Snappy: a block made only of literal elements is valid snappy (every decoder must accept it);
// the few hundred bytes of k6-gate's verdict series gain nothing from back-references.
import { ExpectedError } from '../errors.js';

/** Headers a remote-write 1.0 receiver expects next to the body. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

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

/** Protobuf wire types used here. */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;

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

// ---------------------------------------------------------------------------------------------
// Decoding: what k6's remote-write output sends to k6-gate's own receiver (src/samples/remote-write.ts).

/** Thrown for a body that is not snappy(protobuf(WriteRequest)). */
export class RemoteWriteDecodeError extends ExpectedError {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteWriteDecodeError';
  }
}

/** Snappy block format: every element kind (literals and the three copy forms). */
export function snappyDecode(input: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw new RemoteWriteDecodeError('snappy: bad length header');
    const b = input[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = new Uint8Array(length);
  let o = 0;
  while (pos < input.length) {
    const tag = input[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n += input[pos++] * 2 ** (8 * i);
      }
      n += 1;
      if (pos + n > input.length || o + n > length) throw new RemoteWriteDecodeError('snappy: literal runs past the end');
      out.set(input.subarray(pos, pos + n), o);
      pos += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      n = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | input[pos++];
    } else if (kind === 2) {
      n = (tag >> 2) + 1;
      offset = input[pos] | (input[pos + 1] << 8);
      pos += 2;
    } else {
      n = (tag >> 2) + 1;
      offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16)) + input[pos + 3] * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > o || o + n > length) throw new RemoteWriteDecodeError('snappy: copy outside the output');
    // Copies may overlap their own output (a run): byte by byte.
    for (let i = 0; i < n; i++, o++) out[o] = out[o - offset];
  }
  if (o !== length) throw new RemoteWriteDecodeError(`snappy: ${o} bytes decoded, header says ${length}`);
  return out;
}

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

/** One decoder for every label: making one per string cost more than the rest of the decoding. */
const UTF8 = new TextDecoder();

/** The two 32-bit halves of Prometheus' stale-marker NaN, 0x7ff0000000000002. */
const STALE_MARKER_HIGH = 0x7ff00000;
const STALE_MARKER_LOW = 0x00000002;

class ProtoReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  varint(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.pos >= this.end || shift > 63) throw new RemoteWriteDecodeError('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      // Numbers above 2^53 lose precision; counts and timestamps stay far below it.
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
    }
  }
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  signedVarint(): number {
    // int64 negative values are 10-byte two's complement varints.
    const v = this.varint();
    return v >= 2 ** 63 ? v - 2 ** 64 : v;
  }
  double(): number {
    if (this.pos + 8 > this.end) throw new RemoteWriteDecodeError('protobuf: truncated double');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }
  /** Whether the double at the read position is the stale-marker NaN (read the value after). */
  isStaleMarker(): boolean {
    if (this.pos + 8 > this.end) return false;
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    return view.getUint32(4, true) === STALE_MARKER_HIGH && view.getUint32(0, true) === STALE_MARKER_LOW;
  }
  sub(): ProtoReader {
    const n = this.varint();
    if (this.pos + n > this.end) throw new RemoteWriteDecodeError('protobuf: field runs past its message');
    const r = new ProtoReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  string(): string {
    const r = this.sub();
    const bytes = this.buf.subarray(r.pos, r.end);
    // Label names and values are short ASCII nearly always: building those directly is several
    // times faster than a TextDecoder call.
    if (bytes.length <= 128) {
      let ascii = true;
      for (let i = 0; i < bytes.length && ascii; i++) ascii = bytes[i] < 0x80;
      if (ascii) return String.fromCharCode(...bytes);
    }
    return UTF8.decode(bytes);
  }
  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === FIXED64) this.pos += 8;
    else if (wireType === LENGTH_DELIMITED) this.sub();
    else if (wireType === 5) this.pos += 4;
    else throw new RemoteWriteDecodeError(`protobuf: wire type ${wireType} is not supported`);
  }
  /** Packed or single values of a repeated numeric field. */
  repeated(wireType: number, read: (r: ProtoReader) => number, into: number[]): void {
    if (wireType === LENGTH_DELIMITED) {
      const r = this.sub();
      while (!r.done) into.push(read(r));
    } else into.push(read(this));
  }
}

function readSpans(r: ProtoReader): { offset: number; length: number } {
  let offset = 0;
  let length = 0;
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    if (field === 1) offset = r.zigzag();
    else if (field === 2) length = r.varint();
    else r.skip(key & 7);
  }
  return { offset, length };
}

/** Spans + deltas (or absolute float counts) → bucket index → count. */
function expandBuckets(spans: { offset: number; length: number }[], deltas: number[], counts: number[]): Map<number, number> {
  const out = new Map<number, number>();
  const values = counts.length > 0 ? counts : deltas;
  let index = 0;
  let i = 0;
  let current = 0;
  for (const span of spans) {
    index += span.offset;
    for (let k = 0; k < span.length; k++, index++, i++) {
      if (i >= values.length) throw new RemoteWriteDecodeError('native histogram: fewer bucket counts than its spans say');
      current = counts.length > 0 ? values[i] : current + values[i];
      if (current > 0) out.set(index, current);
    }
  }
  return out;
}

function readHistogram(r: ProtoReader): NativeHistogram {
  const h: NativeHistogram = {
    count: 0,
    sum: 0,
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    positive: new Map(),
    negative: new Map(),
    timestampMs: 0,
  };
  const posSpans: { offset: number; length: number }[] = [];
  const negSpans: { offset: number; length: number }[] = [];
  const posDeltas: number[] = [];
  const negDeltas: number[] = [];
  const posCounts: number[] = [];
  const negCounts: number[] = [];
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    switch (field) {
      case 1:
        h.count = r.varint();
        break;
      case 2:
        h.count = r.double();
        break;
      case 3:
        h.sum = r.double();
        break;
      case 4:
        h.schema = r.zigzag();
        break;
      case 5:
        h.zeroThreshold = r.double();
        break;
      case 6:
        h.zeroCount = r.varint();
        break;
      case 7:
        h.zeroCount = r.double();
        break;
      case 8:
        negSpans.push(readSpans(r.sub()));
        break;
      case 9:
        r.repeated(wire, (x) => x.zigzag(), negDeltas);
        break;
      case 10:
        r.repeated(wire, (x) => x.double(), negCounts);
        break;
      case 11:
        posSpans.push(readSpans(r.sub()));
        break;
      case 12:
        r.repeated(wire, (x) => x.zigzag(), posDeltas);
        break;
      case 13:
        r.repeated(wire, (x) => x.double(), posCounts);
        break;
      case 15:
        h.timestampMs = r.signedVarint();
        break;
      default:
        r.skip(wire);
    }
  }
  h.positive = expandBuckets(posSpans, posDeltas, posCounts);
  h.negative = expandBuckets(negSpans, negDeltas, negCounts);
  return h;
}

function readTimeSeries(r: ProtoReader): DecodedSeries {
  const series: DecodedSeries = { labels: {}, samples: [], histograms: [] };
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    if (field === 1) {
      const l = r.sub();
      let name = '';
      let value = '';
      while (!l.done) {
        const k = l.varint();
        if (k >> 3 === 1) name = l.string();
        else if (k >> 3 === 2) value = l.string();
        else l.skip(k & 7);
      }
      series.labels[name] = value;
    } else if (field === 2) {
      const s = r.sub();
      const sample: Sample = { value: NaN, timestampMs: 0 };
      while (!s.done) {
        const k = s.varint();
        if (k >> 3 === 1) {
          if (s.isStaleMarker()) sample.stale = true;
          sample.value = s.double();
        } else if (k >> 3 === 2) sample.timestampMs = s.signedVarint();
        else s.skip(k & 7);
      }
      series.samples.push(sample);
    } else if (field === 4) {
      series.histograms.push(readHistogram(r.sub()));
    } else r.skip(key & 7);
  }
  return series;
}

/** protobuf(WriteRequest) → its time series (metadata and exemplars are skipped). */
export function decodeWriteRequest(bytes: Uint8Array): DecodedSeries[] {
  const r = new ProtoReader(bytes);
  const out: DecodedSeries[] = [];
  while (!r.done) {
    const key = r.varint();
    if (key >> 3 === 1 && (key & 7) === LENGTH_DELIMITED) out.push(readTimeSeries(r.sub()));
    else r.skip(key & 7);
  }
  return out;
}

/** A remote-write request body (snappy-compressed protobuf) → its time series. */
export function decodeRemoteWriteBody(body: Uint8Array): DecodedSeries[] {
  return decodeWriteRequest(snappyDecode(body));
}
