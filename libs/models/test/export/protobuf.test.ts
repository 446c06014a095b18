// The wire format against the protobuf encoding guide's examples.
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../src/export/protobuf.ts';

const bytes = (w: ProtoWriter): number[] => Array.from(w.finish());

describe('ProtoWriter', () => {
  it('encodes varints as the encoding guide shows (field 1 = 150 -> 08 96 01; 300 -> ac 02)', () => {
    expect(bytes(new ProtoWriter().int(1, 150))).toEqual([0x08, 0x96, 0x01]);
    expect(bytes(new ProtoWriter().int(2, 300))).toEqual([0x10, 0xac, 0x02]);
    // A negative int64 is its 64-bit two's complement: ten bytes.
    expect(bytes(new ProtoWriter().int(1, -1))).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => new ProtoWriter().int(1, 0.5)).toThrow(/not a safe integer/);
  });

  it('encodes strings, nested messages, floats and repeated ints', () => {
    // Field 2 = "testing" -> 12 07 74 65 73 74 69 6e 67 (the guide's example).
    expect(bytes(new ProtoWriter().string(2, 'testing'))).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    // Field 3 = message { field 1 = 150 } -> 1a 03 08 96 01.
    expect(bytes(new ProtoWriter().message(3, new ProtoWriter().int(1, 150)))).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    // Field 2 float 1.0 -> key 0x15, then 00 00 80 3f little-endian.
    expect(bytes(new ProtoWriter().float(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect(bytes(new ProtoWriter().ints(8, [1, 2]))).toEqual([0x40, 0x01, 0x40, 0x02]);
    // Field numbers above 15 take two key bytes (AttributeProto.type = 20 -> a0 01).
    expect(bytes(new ProtoWriter().int(20, 7))).toEqual([0xa0, 0x01, 0x07]);
  });
});
