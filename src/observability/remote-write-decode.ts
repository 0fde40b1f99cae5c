// Prometheus remote write 1.0 read off the wire: a snappy block decoder (every element kind) and a
// protobuf decoder of WriteRequest with native histograms. What k6's remote-write output sends to
// k6-gate's own receivers (src/samples/remote-write.ts, src/shard/collector.ts). Pure: bytes in,
// series out; a body that is not snappy(protobuf(WriteRequest)) is a RemoteWriteDecodeError.
import { ExpectedError } from '../errors.js';
import {
  FIXED64,
  LENGTH_DELIMITED,
  STALE_MARKER_HIGH,
  STALE_MARKER_LOW,
  VARINT,
  type DecodedSeries,
  type NativeHistogram,
  type Sample,
} from './remote-write-wire.js';

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

/** One decoder for every label: making one per string cost more than the rest of the decoding. */
const UTF8 = new TextDecoder();

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
