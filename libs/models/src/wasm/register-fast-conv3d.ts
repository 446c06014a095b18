/**
 * Faster, correct 3-D convolution kernels for tfjs's wasm backend.
 *
 * tfjs-backend-wasm 4.22's own Conv3D kernels are naive loops (0.3-0.4 GFLOP/s), and its
 * `Conv3DBackpropInputV2` returns wrong input gradients (NaN/Inf and large errors), so the stock
 * wasm backend cannot train this UNet. We re-register `Conv3D`, `Conv3DBackpropInputV2` and
 * `Conv3DBackpropFilterV2` for 'wasm'. User code keeps calling `tf.conv3d`, and autodiff
 * (Conv3D's registered gradient calls the two backprop kernels) keeps working.
 *
 * Two implementations, chosen per call:
 * - SIMD: our WebAssembly SIMD kernels (simd-kernels.ts, sources in libs/models/assembly/)
 *   working in place on the backend's memory; used for float32 stride-1 convolutions whose
 *   output channels (input channels, for the input gradient) are a multiple of 4 - every
 *   3x3x3 conv of the UNet. 3x3x3 'same' convolutions with Ci % 4 == 0 and Co % 8 == 0 (all
 *   three kernels) use Winograd F(2x2x2, 3x3x3): 64 instead of 216 multiplications per 2x2x2
 *   outputs, 1.1-2.7x faster than the direct kernels here; the rest the direct kernels.
 * - ops: the backend's XNNPACK Conv2D and 2-D matMul (conv3d-via-2d.ts), for the rest (the
 *   final 1x1x1 conv with one output channel, the 2-channel input's gradient).
 * Strides or dilations other than 1 go to the original forward/filter kernels; the original
 * input-gradient kernel is never used.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelOverrides } from './kernel-overrides.ts';
import { conv3dStride1, conv3dStride1BackpropFilter, conv3dStride1BackpropInput, fullPads, padsFromInfo, type Pads3 } from './conv3d-via-2d.ts';
import { simdKernelsFor } from './simd-kernels.ts';
import { byteOffset, floatOffset, heapF32, withScratch, type WasmBackend as Backend } from './wasm-heap.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Info = tf.TensorInfo;

/** How many kernel calls took each implementation (tests check that the SIMD one ran); winograd counts within simd, winogradF4 within winograd. */
export const conv3dPathCounts = { simd: 0, winograd: 0, winogradF4: 0, pointwise: 0, ops: 0 };

/**
 * LESIONSEG_WINOGRAD (worker replicas included, for A/B runs): unset or 'f4' (inference's forward
 * convs by F(4x4x4, 3x3x3), the rest by F(2x2x2, 3x3x3)), 'f2' (F(2x2x2) everywhere), '0' (direct).
 */
function winogradFromEnv(): 'f4' | 'f2' | 'off' {
  const v = process.env.LESIONSEG_WINOGRAD ?? 'f4';
  if (v === '0') return 'off';
  if (v === 'f4' || v === 'f2') return v;
  throw new Error(`LESIONSEG_WINOGRAD must be f4, f2 or 0, not "${v}"`);
}
let winogradMode = winogradFromEnv();

// > 0 inside withInferenceKernels: forward passes whose outputs no gradient will flow through.
let inferenceDepth = 0;

/**
 * Runs `f` with the inference-only kernels: forward 3x3x3 'same' convolutions that no gradient
 * tape records take Winograd F(4x4x4, 3x3x3), 2.4x fewer multiplications than F(2x2x2) for
 * float32 results within ~2e-5 of the output range instead of ~2e-6 (see conv3d-winograd-f4.ts).
 * UNet.forward(x, false) runs under it; training keeps the tighter kernels.
 */
export function withInferenceKernels<T>(f: () => T): T {
  inferenceDepth++;
  try {
    return f();
  } finally {
    inferenceDepth--;
  }
}

/** Whether a forward conv may take F(4x4x4) now: inside withInferenceKernels and not recorded for gradients. */
function inferenceOnly(): boolean {
  return inferenceDepth > 0 && tf.engine().state.gradientDepth === 0;
}

/**
 * Use Winograd for the 3x3x3 'same' convolutions it covers (default 'f4'): true or 'f4' takes
 * F(4x4x4, 3x3x3) for the forward convolutions of withInferenceKernels and F(2x2x2, 3x3x3) for
 * all others, 'f2' F(2x2x2) for all, false direct convolution.
 */
export function useWinogradConv(mode: boolean | 'f4' | 'f2'): void {
  winogradMode = mode === true ? 'f4' : mode === false ? 'off' : mode;
}

/**
 * Whether a convolution takes the Winograd kernels: on, 3x3x3 with padding 1 on every side and
 * an output the size of the input ('same'), Ci % 4 == 0 and Co % 8 == 0.
 */
function winogradFits(kernel: readonly number[], pads: Pads3, x: Info, outDhw: readonly number[]): boolean {
  const [kd, kh, kw, ci, co] = kernel;
  const same3 = kd === 3 && kh === 3 && kw === 3 && pads.every(([b, a]) => b === 1 && a === 1) && outDhw.every((s, i) => s === x.shape[i + 1]);
  return winogradMode !== 'off' && same3 && ci % 4 === 0 && co % 8 === 0;
}

function simdUsable(backend: Backend, tensors: Info[], channels: number) {
  const kernels = simdKernelsFor(backend);
  const ok = kernels !== undefined && channels % 4 === 0 && tensors.every((t) => t.dtype === 'float32' && t.shape.every((s) => s > 0));
  return ok ? kernels : undefined;
}

/**
 * The input-gradient kernel [kd, kh, kw, Co, Ci] (spatially flipped, in/out swapped) as a plain
 * heap copy: tfjs's wasm Reverse + Transpose took longer than the convolution for small layers.
 * The caller disposes the result with `backend.disposeData`.
 */
function flipFilterOnHeap(backend: Backend, filter: Info): Info {
  const [kd, kh, kw, ci, co] = filter.shape;
  const out = backend.makeOutput([kd, kh, kw, co, ci], 'float32');
  const heap = heapF32(backend);
  const src = floatOffset(backend, filter);
  const dst = floatOffset(backend, out);
  const taps = kd * kh * kw;
  const block = ci * co;
  for (let t = 0; t < taps; t++) {
    const s = src + (taps - 1 - t) * block;
    const d = dst + t * block;
    for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) heap[d + o * ci + i] = heap[s + i * co + o];
  }
  return out;
}

/** y = conv3d(x, filter) for a 1x1x1 filter to one channel (the UNet's head; pads are 0 for 1x1x1), or undefined. */
function headForward(backend: Backend, x: Info, filter: Info): Info | undefined {
  const kernels = simdUsable(backend, [x, filter], 4); // the channel test is the caller's: ci % 4 == 0
  if (!kernels) return undefined;
  const [n, d, h, w, ci] = x.shape;
  const out = backend.makeOutput([n, d, h, w, 1], 'float32');
  kernels.conv1x1To1(byteOffset(backend, x), byteOffset(backend, filter), byteOffset(backend, out), n * d * h * w, ci);
  conv3dPathCounts.simd++;
  return out;
}

/**
 * y = conv3d(x, filter) (stride 1, explicit pads, output spatial size `outDhw`) with the SIMD
 * kernel, or undefined. `f4`: Winograd F(4x4x4) where it fits and is on (the forward conv).
 */
function simdForward(backend: Backend, x: Info, filter: Info, outDhw: readonly number[], pads: Pads3, f4: boolean): Info | undefined {
  const [n, d, h, w, ci] = x.shape;
  const [kd, kh, kw, , co] = filter.shape;
  if (kd === 1 && kh === 1 && kw === 1 && co === 1 && ci % 4 === 0) return headForward(backend, x, filter);
  const kernels = simdUsable(backend, [x, filter], co);
  if (!kernels) return undefined;
  const out = backend.makeOutput([n, outDhw[0], outDhw[1], outDhw[2], co], 'float32');
  if (winogradFits(filter.shape, pads, x, outDhw)) {
    const useF4 = f4 && winogradMode === 'f4';
    const bytes = useF4 ? kernels.winogradF4ScratchBytes(ci, co) : kernels.winogradScratchBytes(ci, co);
    const run = useF4 ? kernels.conv3dWinogradF4 : kernels.conv3dWinograd;
    withScratch(backend, bytes, (scratch) => run(byteOffset(backend, x), byteOffset(backend, filter), byteOffset(backend, out), scratch, n, d, h, w, ci, co));
    conv3dPathCounts.simd++;
    conv3dPathCounts.winograd++;
    if (useF4) conv3dPathCounts.winogradF4++;
    return out;
  }
  kernels.conv3dForward(
    byteOffset(backend, x),
    byteOffset(backend, filter),
    byteOffset(backend, out),
    n,
    d,
    h,
    w,
    ci,
    outDhw[0],
    outDhw[1],
    outDhw[2],
    co,
    kd,
    kh,
    kw,
    pads[0][0],
    pads[1][0],
    pads[2][0],
  );
  conv3dPathCounts.simd++;
  return out;
}

function isStride1(strides: number | number[], dilations: number | number[] | undefined): boolean {
  const s = typeof strides === 'number' ? [strides] : strides;
  const d = dilations === undefined ? [1] : typeof dilations === 'number' ? [dilations] : dilations;
  return s.every((v) => v === 1) && d.every((v) => v === 1);
}

/** A tensor over a kernel input that holds its own reference (disposing it returns that reference). */
function wrap(backend: Backend, info: Info): tf.Tensor {
  const t = tf.engine().makeTensorFromTensorInfo(info);
  backend.incRef(info.dataId);
  return t;
}

/**
 * Run tfjs ops inside a kernel: wrap the input TensorInfos as tensors, compute, and hand the
 * result's buffer to the engine as the kernel's output.
 */
function runOps(backend: Backend, inputs: Info[], compute: (...t: tf.Tensor[]) => tf.Tensor): Info {
  const result = tf.tidy(() => compute(...inputs.map((info) => wrap(backend, info))));
  backend.incRef(result.dataId); // the kernel output keeps the buffer alive after `result` is disposed
  const out = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
  result.dispose();
  return out;
}

const conv3d: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { x: Info; filter: Info };
    backend: Backend;
    attrs: { strides: number[]; pad: 'same' | 'valid'; dilations?: number[] };
  };
  if (!isStride1(attrs.strides, attrs.dilations)) return overrides.original('Conv3D')(args);
  const info = tf.backend_util.computeConv3DInfo(inputs.x.shape as never, inputs.filter.shape as never, 1, 1, attrs.pad);
  const simd = simdForward(backend, inputs.x, inputs.filter, [info.outDepth, info.outHeight, info.outWidth], padsFromInfo(info), inferenceOnly());
  if (simd) return simd;
  conv3dPathCounts.ops++;
  return runOps(backend, [inputs.x, inputs.filter], (x, f) => conv3dStride1(x as tf.Tensor5D, f as tf.Tensor5D, padsFromInfo(info)));
};

const conv3dBackpropInput: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { dy: Info; filter: Info };
    backend: Backend;
    attrs: { strides: number[]; pad: 'same' | 'valid'; inputShape: number[] };
  };
  if (!isStride1(attrs.strides, 1)) {
    throw new Error('Conv3DBackpropInputV2 on wasm: only stride 1 is supported (the stock wasm kernel gives wrong gradients); use the cpu backend');
  }
  const info = tf.backend_util.computeConv3DInfo(attrs.inputShape as never, inputs.filter.shape as never, 1, 1, attrs.pad);
  // dx is the forward conv of dy with the flipped, in/out-swapped kernel (output channels = Ci).
  if (simdUsable(backend, [inputs.dy, inputs.filter], attrs.inputShape[4])) {
    const flipped = flipFilterOnHeap(backend, inputs.filter);
    const simd = simdForward(backend, inputs.dy, flipped, attrs.inputShape.slice(1, 4), fullPads(inputs.filter.shape, padsFromInfo(info)), false);
    backend.disposeData(flipped.dataId); // never seen by the engine
    if (simd) return simd;
  }
  conv3dPathCounts.ops++;
  return runOps(backend, [inputs.dy, inputs.filter], (dy, f) => conv3dStride1BackpropInput(dy as tf.Tensor5D, f as tf.Tensor5D, padsFromInfo(info)));
};

/**
 * dW of a 1x1x1 conv with few output channels (the UNet's head: 16 -> 1), a plain sum over
 * voxels on the heap: dW[i, o] = sum_v x[v, i] dy[v, o]. The XNNPACK formulation ran this at
 * 0.4 GFLOP/s (a transposed [L, 1] matMul), ~6 ms a step.
 */
function pointwiseFilterGrad(backend: Backend, x: Info, dy: Info, filterShape: readonly number[]): Info | undefined {
  const [kd, kh, kw, ci, co] = filterShape;
  if (kd !== 1 || kh !== 1 || kw !== 1 || co >= 4 || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  if (x.shape.slice(0, 4).some((s, i) => s !== dy.shape[i])) return undefined;
  const out = backend.makeOutput([...filterShape], 'float32');
  const heap = heapF32(backend);
  const xo = floatOffset(backend, x);
  const go = floatOffset(backend, dy);
  const voxels = x.shape.slice(0, 4).reduce((a, b) => a * b, 1);
  const acc = new Float64Array(ci * co);
  for (let v = 0; v < voxels; v++) {
    for (let o = 0; o < co; o++) {
      const g = heap[go + v * co + o];
      if (g === 0) continue;
      for (let i = 0; i < ci; i++) acc[i * co + o] += heap[xo + v * ci + i] * g;
    }
  }
  heap.set(acc, floatOffset(backend, out));
  conv3dPathCounts.pointwise++;
  return out;
}

const conv3dBackpropFilter: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { x: Info; dy: Info };
    backend: Backend;
    attrs: { strides: number[]; pad: 'same' | 'valid'; filterShape: number[] };
  };
  if (!isStride1(attrs.strides, 1)) return overrides.original('Conv3DBackpropFilterV2')(args);
  const info = tf.backend_util.computeConv3DInfo(inputs.x.shape as never, attrs.filterShape as never, 1, 1, attrs.pad);
  const pointwise = pointwiseFilterGrad(backend, inputs.x, inputs.dy, attrs.filterShape);
  if (pointwise) return pointwise;
  const kernels = simdUsable(backend, [inputs.x, inputs.dy], attrs.filterShape[4]);
  if (kernels) {
    const [n, d, h, w, ci] = inputs.x.shape;
    const [, dO, hO, wO, co] = inputs.dy.shape;
    const [kd, kh, kw] = attrs.filterShape;
    const pads = padsFromInfo(info);
    const out = backend.makeOutput([...attrs.filterShape], 'float32');
    if (winogradFits(attrs.filterShape, pads, inputs.x, [dO, hO, wO])) {
      withScratch(backend, kernels.winogradScratchBytes(ci, co), (scratch) =>
        kernels.conv3dWinogradFilterGrad(byteOffset(backend, inputs.x), byteOffset(backend, inputs.dy), byteOffset(backend, out), scratch, n, d, h, w, ci, co),
      );
      conv3dPathCounts.simd++;
      conv3dPathCounts.winograd++;
      return out;
    }
    kernels.conv3dFilterGrad(
      byteOffset(backend, inputs.x),
      byteOffset(backend, inputs.dy),
      byteOffset(backend, out),
      n,
      d,
      h,
      w,
      ci,
      dO,
      hO,
      wO,
      co,
      kd,
      kh,
      kw,
      pads[0][0],
      pads[1][0],
      pads[2][0],
    );
    conv3dPathCounts.simd++;
    return out;
  }
  conv3dPathCounts.ops++;
  return runOps(backend, [inputs.x, inputs.dy], (x, dy) =>
    conv3dStride1BackpropFilter(x as tf.Tensor5D, dy as tf.Tensor5D, attrs.filterShape, padsFromInfo(info)),
  );
};

const overrides = new KernelOverrides('wasm', [
  ['Conv3D', conv3d],
  ['Conv3DBackpropInputV2', conv3dBackpropInput],
  ['Conv3DBackpropFilterV2', conv3dBackpropFilter],
]);

/** Replace the wasm backend's Conv3D kernels (idempotent). Other backends are untouched. */
export function registerFastWasmConv3d(): void {
  overrides.register();
}

/** Put the stock kernels back (tests and benchmarks compare both). */
export function unregisterFastWasmConv3d(): void {
  overrides.unregister();
}

export function fastWasmConv3dRegistered(): boolean {
  return overrides.registered;
}
