/**
 * MaxPool3D and MaxPool3DGrad for tfjs's wasm backend, for pools whose window equals their
 * stride without padding (the UNet's 2x2x2 / 2); anything else goes to the original kernels.
 *
 * Why: tfjs-backend-wasm 4.22's MaxPool3D starts each window's maximum at FLT_MIN (the smallest
 * *positive* float, 1.18e-38) instead of -infinity, so a window of zeros gives 1.18e-38 and a
 * window of negative values gives 1.18e-38 instead of its maximum. After a ReLU that only turns
 * exact zeros into tiny values, but those flow into the next convolution, where products with
 * weights are denormal floats, and denormal arithmetic made those convolutions 5-10x slower.
 * 2x2x2 pools over channels in multiples of 4 run as SIMD kernels (assembly/resample.ts), the
 * rest as TypeScript loops over the heap.
 * Gradient: dy goes to the last maximum of each window (tfjs's cpu backend does the same; ties
 * only occur between zeros after a ReLU, whose own gradient is zero there).
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelOverrides } from './kernel-overrides.ts';
import { simdKernelsFor } from './simd-kernels.ts';
import { byteOffset, floatOffset, heapF32, type WasmBackend } from './wasm-heap.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;
interface PoolAttrs {
  filterSize: number | number[];
  strides: number | number[];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NDHWC' | 'NCDHW';
}

/** The pool's info when window = stride and nothing is padded, else undefined. */
function simplePool(xShape: number[], attrs: PoolAttrs, dtype: tf.DataType): tf.backend_util.Conv3DInfo | undefined {
  if (dtype !== 'float32' || (attrs.dataFormat ?? 'NDHWC') !== 'NDHWC') return undefined;
  const info = tf.backend_util.computePool3DInfo(xShape as never, attrs.filterSize as never, attrs.strides as never, 1, attrs.pad, attrs.dimRoundingMode);
  const p = info.padInfo;
  const same = info.filterDepth === info.strideDepth && info.filterHeight === info.strideHeight && info.filterWidth === info.strideWidth;
  return same && p.front + p.back + p.top + p.bottom + p.left + p.right === 0 ? info : undefined;
}

/** The SIMD kernels when the pool is 2x2x2 / 2 over a multiple of 4 channels. */
function simdPool2(backend: WasmBackend, info: tf.backend_util.Conv3DInfo) {
  const two = [info.filterDepth, info.filterHeight, info.filterWidth].every((f) => f === 2);
  return two && info.inChannels % 4 === 0 ? simdKernelsFor(backend) : undefined;
}

/** Visits each window: `visit(window start in x, output index)`, both in floats from the tensor starts, channel 0. */
function forEachWindow(info: tf.backend_util.Conv3DInfo, visit: (xBase: number, yBase: number) => void): void {
  const {
    batchSize: n,
    inDepth: d,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outDepth: od,
    outHeight: oh,
    outWidth: ow,
    strideDepth: sd,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  let yBase = 0;
  for (let b = 0; b < n; b++)
    for (let z = 0; z < od; z++)
      for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++, yBase += c) visit((((b * d + z * sd) * h + y * sh) * w + x * sw) * c, yBase);
}

/** Float offsets of a window's voxels relative to its first voxel, in scan order (z, y, x). */
function windowOffsets(info: tf.backend_util.Conv3DInfo): Int32Array {
  const { inHeight: h, inWidth: w, inChannels: c, filterDepth: fd, filterHeight: fh, filterWidth: fw } = info;
  const out = new Int32Array(fd * fh * fw);
  let i = 0;
  for (let a = 0; a < fd; a++) for (let b = 0; b < fh; b++) for (let e = 0; e < fw; e++) out[i++] = ((a * h + b) * w + e) * c;
  return out;
}

const maxPool3d: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { x: Info }; backend: WasmBackend; attrs: PoolAttrs };
  const info = simplePool(inputs.x.shape, attrs, inputs.x.dtype);
  if (!info) return overrides.original('MaxPool3D')(args);
  const out = backend.makeOutput(info.outShape, 'float32');
  const simd = simdPool2(backend, info);
  if (simd) {
    simd.maxPool2(byteOffset(backend, inputs.x), byteOffset(backend, out), info.batchSize, info.inDepth, info.inHeight, info.inWidth, info.inChannels);
    return out;
  }
  const heap = heapF32(backend);
  const xo = floatOffset(backend, inputs.x);
  const yo = floatOffset(backend, out);
  const offs = windowOffsets(info);
  const c = info.inChannels;
  forEachWindow(info, (xb, yb) => {
    for (let ch = 0; ch < c; ch++) {
      const base = xo + xb + ch;
      let m = heap[base];
      for (let k = 1; k < offs.length; k++) {
        const v = heap[base + offs[k]];
        if (v > m || v !== v) m = v; // NaN propagates, as in tfjs's cpu backend
      }
      heap[yo + yb + ch] = m;
    }
  });
  return out;
};

const maxPool3dGrad: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { dy: Info; input: Info }; backend: WasmBackend; attrs: PoolAttrs };
  const info = simplePool(inputs.input.shape, attrs, inputs.input.dtype);
  if (!info || inputs.dy.dtype !== 'float32') return overrides.original('MaxPool3DGrad')(args);
  const out = backend.makeOutput(inputs.input.shape, 'float32');
  const simd = simdPool2(backend, info);
  if (simd) {
    simd.maxPool2Grad(
      byteOffset(backend, inputs.input),
      byteOffset(backend, inputs.dy),
      byteOffset(backend, out),
      info.batchSize,
      info.inDepth,
      info.inHeight,
      info.inWidth,
      info.inChannels,
    );
    return out;
  }
  const heap = heapF32(backend);
  const xo = floatOffset(backend, inputs.input);
  const dyo = floatOffset(backend, inputs.dy);
  const dxo = floatOffset(backend, out);
  heap.fill(0, dxo, dxo + inputs.input.shape.reduce((a, b) => a * b, 1)); // voxels outside every window get 0 too
  const offs = windowOffsets(info);
  const c = info.inChannels;
  forEachWindow(info, (xb, yb) => {
    for (let ch = 0; ch < c; ch++) {
      const base = xb + ch;
      let m = -Infinity;
      let at = 0;
      for (let k = 0; k < offs.length; k++) {
        const v = heap[xo + base + offs[k]];
        if (v >= m) {
          m = v;
          at = offs[k];
        }
      }
      heap[dxo + base + at] = heap[dyo + yb + ch];
    }
  });
  return out;
};

const overrides = new KernelOverrides('wasm', [
  ['MaxPool3D', maxPool3d],
  ['MaxPool3DGrad', maxPool3dGrad],
]);

export function registerFastWasmMaxPool(): void {
  overrides.register();
}

export function unregisterFastWasmMaxPool(): void {
  overrides.unregister();
}
