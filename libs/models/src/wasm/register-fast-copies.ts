/**
 * Faster data-movement kernels for tfjs's wasm backend: Identity, Slice, SplitV, Unpack, Concat, Pack.
 *
 * tfjs-backend-wasm 4.22's Slice starts with `backend.readSync(x)`, which copies the *whole*
 * input out of the wasm heap for every slice (SplitV and Unpack call it once per output), and
 * its strided copies go row by row through `subarray().set()` even for rows of a few floats.
 * The UNet's convolutions, skip concatenations and their gradients are mostly such copies.
 * These replacements read and write the heap in place (`copyWithin` for long runs, a plain
 * loop for short ones). 4-byte dtypes only; others go to the original kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelOverrides } from './kernel-overrides.ts';
import { simdKernelsFor } from './simd-kernels.ts';
import { byteOffset, type WasmBackend } from './wasm-heap.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Copy the block `size` starting at `srcBegin` in a tensor of `srcShape` to `dstBegin` in a
 * tensor of `dstShape`. Offsets are in floats from the start of `heap`.
 */
export function copyBlock(
  heap: Float32Array,
  src: number,
  srcShape: readonly number[],
  srcBegin: readonly number[],
  dst: number,
  dstShape: readonly number[],
  dstBegin: readonly number[],
  size: readonly number[],
): void {
  const rank = size.length;
  if (size.some((s) => s === 0)) return;
  if (rank === 0) {
    heap[dst] = heap[src];
    return;
  }
  const ss = strides(srcShape);
  const ds = strides(dstShape);
  // Merge trailing dimensions copied whole into one contiguous run.
  let d = rank - 1;
  let run = size[d];
  while (d > 0 && size[d] === srcShape[d] && size[d] === dstShape[d]) {
    d--;
    run *= size[d];
  }
  let s0 = src;
  let t0 = dst;
  for (let i = 0; i <= d; i++) {
    s0 += srcBegin[i] * ss[i];
    t0 += dstBegin[i] * ds[i];
  }
  // Odometer over the outer dimensions [0, d).
  const idx = new Array<number>(d).fill(0);
  let outer = 1;
  for (let i = 0; i < d; i++) outer *= size[i];
  let s = s0;
  let t = t0;
  for (let o = 0; o < outer; o++) {
    if (run >= 64) heap.copyWithin(t, s, s + run);
    else for (let k = 0; k < run; k++) heap[t + k] = heap[s + k];
    for (let i = d - 1; i >= 0; i--) {
      idx[i]++;
      s += ss[i];
      t += ds[i];
      if (idx[i] < size[i]) break;
      s -= ss[i] * size[i];
      t -= ds[i] * size[i];
      idx[i] = 0;
    }
  }
}

function heapOf(b: WasmBackend): Float32Array {
  return new Float32Array(b.wasm.HEAPU8.buffer);
}

function offsetOf(b: WasmBackend, t: Info): number {
  return b.dataIdMap.get(t.dataId).memoryOffset / 4;
}

const fourBytes = (dtype: tf.DataType) => dtype === 'float32' || dtype === 'int32';

function sliceInfo(b: WasmBackend, x: Info, begin: number[], size: number[]): Info {
  const out = b.makeOutput(size, x.dtype); // allocate first: a heap growth would detach older views
  copyBlock(heapOf(b), offsetOf(b, x), x.shape, begin, offsetOf(b, out), size, new Array<number>(size.length).fill(0), size);
  return out;
}

const slice: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { x: Info };
    backend: WasmBackend;
    attrs: { begin: number | number[]; size?: number | number[] };
  };
  const x = inputs.x;
  if (!fourBytes(x.dtype)) return overrides.original('Slice')(args);
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  return sliceInfo(backend, x, begin, size);
};

/**
 * The decoder's case, two float32 tensors joined or split along the last axis with channel
 * counts in multiples of 4, as one SIMD copy (assembly/resample.ts); undefined otherwise.
 */
function simdLastAxis2(backend: WasmBackend, dtype: tf.DataType, rank: number, axis: number, channels: readonly number[]) {
  const fits = dtype === 'float32' && axis === rank - 1 && channels.length === 2 && channels.every((c) => c > 0 && c % 4 === 0);
  return fits ? simdKernelsFor(backend) : undefined;
}

const splitV: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { x: Info };
    backend: WasmBackend;
    attrs: { numOrSizeSplits: number | number[]; axis: number };
  };
  const x = inputs.x;
  if (!fourBytes(x.dtype)) return overrides.original('SplitV')(args);
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
  const simd = simdLastAxis2(backend, x.dtype, x.shape.length, axis, sizes);
  if (simd) {
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const [a, b] = sizes.map((s) => backend.makeOutput([...x.shape.slice(0, -1), s], x.dtype));
    simd.splitLast2(byteOffset(backend, x), byteOffset(backend, a), byteOffset(backend, b), rows, sizes[0], sizes[1]);
    return [a, b];
  }
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const out = sliceInfo(backend, x, [...begin], size);
    begin[axis] += s;
    return out;
  });
};

const unpack: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { value: Info }; backend: WasmBackend; attrs: { axis: number } };
  const x = inputs.value;
  if (!fourBytes(x.dtype)) return overrides.original('Unpack')(args);
  const axis = attrs.axis < 0 ? attrs.axis + x.shape.length : attrs.axis;
  const outShape = x.shape.filter((_, i) => i !== axis);
  const size = [...x.shape];
  size[axis] = 1;
  const outs: Info[] = [];
  for (let i = 0; i < x.shape[axis]; i++) {
    const begin = new Array<number>(x.shape.length).fill(0);
    begin[axis] = i;
    const o = sliceInfo(backend, x, begin, size);
    outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
  }
  return outs;
};

function concatInfos(b: WasmBackend, inputs: Info[], axis: number): Info {
  const outShape = tf.backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    axis,
  );
  const out = b.makeOutput(outShape, inputs[0].dtype);
  const heap = heapOf(b);
  const o = offsetOf(b, out);
  const dstBegin = new Array<number>(outShape.length).fill(0);
  const zero = new Array<number>(outShape.length).fill(0);
  for (const t of inputs) {
    if (t.shape[axis] === 0) continue;
    copyBlock(heap, offsetOf(b, t), t.shape, zero, o, outShape, [...dstBegin], t.shape);
    dstBegin[axis] += t.shape[axis];
  }
  return out;
}

const concat: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: Info[]; backend: WasmBackend; attrs: { axis: number } };
  if (!fourBytes(inputs[0].dtype) || inputs.length === 1) return overrides.original('Concat')(args);
  const axis = tf.util.parseAxisParam(attrs.axis, inputs[0].shape)[0];
  tf.backend_util.assertParamsConsistent(
    inputs.map((t) => t.shape),
    axis,
  );
  const rank = inputs[0].shape.length;
  const simd = simdLastAxis2(
    backend,
    inputs[0].dtype,
    rank,
    axis,
    inputs.map((t) => t.shape[rank - 1]),
  );
  if (simd && inputs.every((t) => t.dtype === 'float32')) {
    const [a, b] = inputs;
    const out = backend.makeOutput([...a.shape.slice(0, -1), a.shape[rank - 1] + b.shape[rank - 1]], 'float32');
    const rows = a.shape.slice(0, -1).reduce((p, q) => p * q, 1);
    simd.concatLast2(byteOffset(backend, a), byteOffset(backend, b), byteOffset(backend, out), rows, a.shape[rank - 1], b.shape[rank - 1]);
    return out;
  }
  return concatInfos(backend, inputs, axis);
};

const pack: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: Info[]; backend: WasmBackend; attrs: { axis: number } };
  if (!fourBytes(inputs[0].dtype) || inputs.length === 1) return overrides.original('Pack')(args);
  const rank = inputs[0].shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank + 1 : attrs.axis;
  inputs.forEach((t) => tf.util.assertShapesMatch(inputs[0].shape, t.shape, 'All tensors passed to stack must have matching shapes'));
  // Same buffers seen with a unit axis inserted (no copy), then one concat.
  const expanded = inputs.map((t) => ({ ...t, shape: [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)] }));
  return concatInfos(backend, expanded, axis);
};

/**
 * Identity shares the input's buffer (a reference count) instead of copying it, as tfjs's cpu
 * backend does. Autodiff clones every tensor it saves for the backward pass through Identity, so
 * the stock wasm kernel copied most activations of a training step once more. Sharing is safe:
 * no kernel writes into its inputs, and variables are updated by swapping buffers.
 */
const identity: KernelFunc = (args) => {
  const { inputs, backend } = args as unknown as { inputs: { x: Info }; backend: WasmBackend };
  const { x } = inputs;
  if (x.dtype === 'string') return overrides.original('Identity')(args);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

const overrides = new KernelOverrides('wasm', [
  ['Identity', identity],
  ['Slice', slice],
  ['SplitV', splitV],
  ['Unpack', unpack],
  ['Concat', concat],
  ['Pack', pack],
]);

/** Replace the wasm backend's copy kernels (idempotent). Other backends are untouched. */
export function registerFastWasmCopies(): void {
  overrides.register();
}

/** Put the stock kernels back (tests and benchmarks compare both). */
export function unregisterFastWasmCopies(): void {
  overrides.unregister();
}
