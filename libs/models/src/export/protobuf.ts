/**
 * A minimal Protocol Buffers wire-format writer: just what an ONNX model needs (varints,
 * length-delimited bytes, strings, nested messages, repeated int64s, a float). Fields are written
 * in the order they are added, which every protobuf reader accepts. Encoding rules:
 * https://protobuf.dev/programming-guides/encoding/ (key = field << 3 | wire type).
 */

const VARINT = 0;
const FIXED32 = 5;
const LENGTH_DELIMITED = 2;

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private key(field: number, wireType: number): void {
    this.rawVarint(BigInt(field * 8 + wireType));
  }

  /** Base-128 varint; negative int64s are written as their 64-bit two's complement (10 bytes), as protobuf does. */
  private rawVarint(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    const out: number[] = [];
    do {
      let b = Number(u & 0x7fn);
      u >>= 7n;
      if (u !== 0n) b |= 0x80;
      out.push(b);
    } while (u !== 0n);
    this.push(Uint8Array.from(out));
  }

  /** An int32 / int64 / enum field. */
  int(field: number, v: number): this {
    if (!Number.isSafeInteger(v)) throw new Error(`protobuf: field ${field}: ${v} is not a safe integer`);
    this.key(field, VARINT);
    this.rawVarint(BigInt(v));
    return this;
  }

  /** A float field (fixed 32-bit little-endian). */
  float(field: number, v: number): this {
    this.key(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, v: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.rawVarint(BigInt(v.length));
    this.push(v);
    return this;
  }

  string(field: number, v: string): this {
    return this.bytes(field, new TextEncoder().encode(v));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A repeated int64 field, one key per value (proto2's default, unpacked, encoding: what onnx.proto declares). */
  ints(field: number, values: readonly number[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}
