// The remote-write encoder, checked by decoding its bytes with an independent protobuf reader written
// from the wire-format specification, and with the snappy decoder that reads k6's own pushes (tested
// against recorded k6 pushes in test/samples/remote-write.test.ts); the real Prometheus accepting
// them is proven in prometheus.test.ts.
import { describe, expect, it } from 'vitest';
import { encodeWriteRequest, remoteWriteBody, snappyDecode, snappyEncode, type TimeSeries } from '../../src/observability/remote-write.js';

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
