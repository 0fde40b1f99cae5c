// The remote-write encoder, checked by decoding its bytes with an independent reader written from
// the snappy block format and protobuf wire-format specifications (the real Prometheus accepting
// them is proven in prometheus.test.ts).
import { describe, expect, it } from 'vitest';
import { encodeWriteRequest, remoteWriteBody, snappyEncode, type TimeSeries } from '../../src/observability/remote-write.js';

/** Snappy block decoder: literals and all three copy element kinds. */
function snappyDecode(input: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
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
      let len = tag >> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = 0;
        for (let i = 0; i < bytes; i++) len |= input[pos++] << (8 * i);
      }
      len += 1;
      out.set(input.subarray(pos, pos + len), o);
      pos += len;
      o += len;
    } else {
      let len: number;
      let offset: number;
      if (kind === 1) {
        len = ((tag >> 2) & 7) + 4;
        offset = ((tag >> 5) << 8) | input[pos++];
      } else if (kind === 2) {
        len = (tag >> 2) + 1;
        offset = input[pos] | (input[pos + 1] << 8);
        pos += 2;
      } else {
        len = (tag >> 2) + 1;
        offset = input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16) | (input[pos + 3] << 24);
        pos += 4;
      }
      for (let i = 0; i < len; i++, o++) out[o] = out[o - offset];
    }
  }
  if (o !== length) throw new Error(`snappy: decoded ${o} bytes, header said ${length}`);
  return out;
}

type Field = { field: number; wire: number; value: bigint | Uint8Array | number };

function protoFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = () => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ field, wire, value: varint() });
    else if (wire === 1) {
      fields.push({ field, wire, value: new DataView(buf.buffer, buf.byteOffset + pos, 8).getFloat64(0, true) });
      pos += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      fields.push({ field, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

/** WriteRequest bytes → series, by the field numbers of prometheus/prompb/types.proto. */
function decodeWriteRequest(buf: Uint8Array): { labels: [string, string][]; samples: { value: number; timestampMs: number }[] }[] {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return protoFields(buf).map((ts) => {
    expect(ts.field).toBe(1);
    const series = { labels: [] as [string, string][], samples: [] as { value: number; timestampMs: number }[] };
    for (const f of protoFields(ts.value as Uint8Array)) {
      const inner = protoFields(f.value as Uint8Array);
      if (f.field === 1) series.labels.push([text(inner[0].value as Uint8Array), text(inner[1].value as Uint8Array)]);
      else series.samples.push({ value: inner[0].value as number, timestampMs: Number(BigInt.asIntN(64, inner[1].value as bigint)) });
    }
    return series;
  });
}

describe('snappyEncode', () => {
  it('round-trips empty, short, 60+ byte and multi-chunk inputs', () => {
    for (const size of [0, 1, 59, 60, 61, 255, 256, 257, 70_000, 200_000]) {
      const input = Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
      expect(Array.from(snappyDecode(snappyEncode(input))), `size ${size}`).toEqual(Array.from(input));
    }
  });

  it('writes the uncompressed length as a varint first', () => {
    expect(Array.from(snappyEncode(new Uint8Array(300)).subarray(0, 2))).toEqual([0xac, 0x02]);
  });
});

describe('encodeWriteRequest', () => {
  const series: TimeSeries[] = [
    {
      labels: { testid: 'run-1', __name__: 'k6gate_metric_current', metric: 'http_req_duration{name:login}', empty: '' },
      samples: [{ value: 212.5, timestampMs: 1_764_111_111_123 }],
    },
    { labels: { __name__: 'k6gate_gate_failed' }, samples: [{ value: 0, timestampMs: 1 }] },
  ];

  it('encodes series with labels sorted by name, empty labels dropped, doubles and int64 timestamps', () => {
    const decoded = decodeWriteRequest(encodeWriteRequest(series));
    expect(decoded).toEqual([
      {
        labels: [
          ['__name__', 'k6gate_metric_current'],
          ['metric', 'http_req_duration{name:login}'],
          ['testid', 'run-1'],
        ],
        samples: [{ value: 212.5, timestampMs: 1_764_111_111_123 }],
      },
      { labels: [['__name__', 'k6gate_gate_failed']], samples: [{ value: 0, timestampMs: 1 }] },
    ]);
  });

  it('keeps non-ASCII label values and negative or fractional values intact', () => {
    const decoded = decodeWriteRequest(
      encodeWriteRequest([{ labels: { __name__: 'x', name: 'café ✓' }, samples: [{ value: -0.125, timestampMs: 5 }] }]),
    );
    expect(decoded[0].labels[1]).toEqual(['name', 'café ✓']);
    expect(decoded[0].samples[0].value).toBe(-0.125);
  });

  it('remoteWriteBody is snappy over the protobuf bytes', () => {
    expect(Array.from(snappyDecode(remoteWriteBody(series)))).toEqual(Array.from(encodeWriteRequest(series)));
  });
});
