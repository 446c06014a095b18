/**
 * ONNX messages (onnx/onnx.proto, proto2) as a small graph builder over {@link ProtoWriter}:
 * nodes with attributes, float32 / int64 initializers, typed inputs and outputs with symbolic
 * dimensions, and the ModelProto around them. Field numbers are onnx.proto's.
 */
import { ProtoWriter } from './protobuf.ts';

/** TensorProto.DataType */
const FLOAT = 1;
const INT64 = 7;
/** AttributeProto.AttributeType */
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export type AttributeValue = number | string | readonly number[] | { float: number };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

function attribute(name: string, v: AttributeValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (typeof v === 'string') return a.int(20, ATTR.STRING).bytes(4, new TextEncoder().encode(v));
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`ONNX attribute ${name}: ${v} is not an integer; give { float: ${v} }`);
    return a.int(20, ATTR.INT).int(3, v);
  }
  if ('float' in v) return a.int(20, ATTR.FLOAT).float(2, v.float);
  return a.int(20, ATTR.INTS).ints(8, v);
}

function valueInfo(name: string, dims: readonly (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

export class OnnxGraph {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: ProtoWriter[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.names.has(name));
    this.names.add(name);
    return name;
  }

  node(op: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>, outputName?: string): string {
    const out = outputName ?? this.fresh(op.toLowerCase());
    this.names.add(out);
    this.nodes.push({ op, inputs, outputs: [out], name: `${op}_${this.nodes.length}`, attributes });
    return out;
  }

  /** A float32 initializer (raw little-endian data), `dims` row-major. */
  floats(name: string, dims: readonly number[], values: Float32Array): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== values.length) throw new Error(`ONNX initializer ${name}: dims ${dims.join('x')} need ${n} values, got ${values.length}`);
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    this.names.add(name);
    this.initializers.push(new ProtoWriter().ints(1, dims).int(2, FLOAT).string(8, name).bytes(9, raw));
    return name;
  }

  /** An int64 initializer (e.g. a Reshape target shape). */
  int64s(name: string, values: readonly number[]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    this.names.add(name);
    this.initializers.push(new ProtoWriter().ints(1, [values.length]).int(2, INT64).string(8, name).bytes(9, raw));
    return name;
  }

  /** The serialised ModelProto. */
  encode(model: {
    name: string;
    input: { name: string; dims: readonly (number | string)[] };
    output: { name: string; dims: readonly (number | string)[] };
    opset: number;
    irVersion: number;
    producer: { name: string; version: string };
    docString?: string;
    metadata?: Record<string, string>;
  }): Uint8Array {
    const graph = new ProtoWriter();
    for (const n of this.nodes) {
      const node = new ProtoWriter();
      for (const i of n.inputs) node.string(1, i);
      for (const o of n.outputs) node.string(2, o);
      if (n.name) node.string(3, n.name);
      node.string(4, n.op);
      for (const [k, v] of Object.entries(n.attributes ?? {})) node.message(5, attribute(k, v));
      graph.message(1, node);
    }
    graph.string(2, model.name);
    for (const t of this.initializers) graph.message(5, t);
    graph.message(11, valueInfo(model.input.name, model.input.dims));
    graph.message(12, valueInfo(model.output.name, model.output.dims));
    const m = new ProtoWriter().int(1, model.irVersion).string(2, model.producer.name).string(3, model.producer.version);
    if (model.docString) m.string(6, model.docString);
    m.message(7, graph);
    m.message(8, new ProtoWriter().string(1, '').int(2, model.opset));
    for (const [k, v] of Object.entries(model.metadata ?? {})) m.message(14, new ProtoWriter().string(1, k).string(2, v));
    return m.finish();
  }
}
