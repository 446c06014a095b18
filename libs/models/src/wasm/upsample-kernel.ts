/**
 * x2 trilinear upsampling (PyTorch's `interpolate(scale_factor=2, mode='trilinear',
 * align_corners=False)`, see ops/upsample-trilinear.ts) and its gradient as kernels on tfjs's
 * wasm backend: three separable passes over the heap instead of ~30 slice/concat/stack/mul/add
 * ops and their autodiff gradients.
 *
 * Along one axis of length n, output 2i is 0.75 x[i] + 0.25 x[max(i-1, 0)] and output 2i+1 is
 * 0.75 x[i] + 0.25 x[min(i+1, n-1)]. The gradient applies the adjoint of each axis pass in
 * reverse order. Channel counts in multiples of 4 run the SIMD passes (assembly/resample.ts)
 * with their intermediates in heap scratch memory; others TypeScript loops.
 *
 * Kernel 'LesionsegUpsample2x': inputs {x [N, D, H, W, C]}, output [N, 2D, 2H, 2W, C].
 * Kernel 'LesionsegUpsample2xGrad': inputs {dy [N, 2D, 2H, 2W, C]}, output [N, D, H, W, C].
 */
import * as tf from '@tensorflow/tfjs-core';
import { CustomKernels, kernelOnActiveBackend } from './kernel-overrides.ts';
import { simdKernelsFor } from './simd-kernels.ts';
import { byteOffset, floatOffset, heapF32, withScratch, type WasmBackend } from './wasm-heap.ts';

export const UPSAMPLE_KERNEL = 'LesionsegUpsample2x';
export const UPSAMPLE_GRAD_KERNEL = 'LesionsegUpsample2xGrad';

type Info = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

/** View [outer, n, inner] of src (from s0) upsampled along n into dst [outer, 2n, inner] (from d0). */
function upAxis(src: Float32Array, s0: number, dst: Float32Array, d0: number, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const sb = s0 + o * n * inner;
    const db = d0 + o * 2 * n * inner;
    for (let i = 0; i < n; i++) {
      const cur = sb + i * inner;
      const prev = sb + Math.max(i - 1, 0) * inner;
      const next = sb + Math.min(i + 1, n - 1) * inner;
      const even = db + 2 * i * inner;
      const odd = even + inner;
      for (let k = 0; k < inner; k++) {
        const c = 0.75 * src[cur + k];
        dst[even + k] = c + 0.25 * src[prev + k];
        dst[odd + k] = c + 0.25 * src[next + k];
      }
    }
  }
}

/** The adjoint of upAxis: g [outer, 2n, inner] (from g0) -> dst [outer, n, inner] (from d0). */
function downAxis(g: Float32Array, g0: number, dst: Float32Array, d0: number, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const gb = g0 + o * 2 * n * inner;
    const db = d0 + o * n * inner;
    for (let j = 0; j < n; j++) {
      const even = gb + 2 * j * inner; // g[2j]
      const odd = even + inner; // g[2j+1]
      const d = db + j * inner;
      for (let k = 0; k < inner; k++) {
        let v = 0.75 * (g[even + k] + g[odd + k]);
        // out[2(j+1)] reads x[j] as its previous neighbour; out[0] reads x[0] twice (clamped).
        v += 0.25 * (j + 1 < n ? g[even + 2 * inner + k] : 0) + (j === 0 ? 0.25 * g[even + k] : 0);
        // out[2(j-1)+1] reads x[j] as its next neighbour; out[2n-1] reads x[n-1] twice.
        v += 0.25 * (j >= 1 ? g[even - inner + k] : 0) + (j === n - 1 ? 0.25 * g[odd + k] : 0);
        dst[d + k] = v;
      }
    }
  }
}

const upsample: KernelFunc = (args) => {
  const { inputs, backend } = args as unknown as { inputs: { x: Info }; backend: WasmBackend };
  const [n, d, h, w, c] = inputs.x.shape;
  const out = backend.makeOutput([n, 2 * d, 2 * h, 2 * w, c], 'float32');
  const simd = c % 4 === 0 ? simdKernelsFor(backend) : undefined;
  if (simd) {
    const t1Bytes = 4 * n * 2 * d * h * w * c;
    withScratch(backend, t1Bytes + 4 * n * 2 * d * 2 * h * w * c, (t1) => {
      const t2 = t1 + t1Bytes;
      simd.upsampleAxis(byteOffset(backend, inputs.x), t1, n, d, h * w * c);
      simd.upsampleAxis(t1, t2, n * 2 * d, h, w * c);
      simd.upsampleAxis(t2, byteOffset(backend, out), n * 2 * d * 2 * h, w, c);
    });
    return out;
  }
  const heap = heapF32(backend);
  const t1 = new Float32Array(n * 2 * d * h * w * c);
  const t2 = new Float32Array(n * 2 * d * 2 * h * w * c);
  upAxis(heap, floatOffset(backend, inputs.x), t1, 0, n, d, h * w * c);
  upAxis(t1, 0, t2, 0, n * 2 * d, h, w * c);
  upAxis(t2, 0, heap, floatOffset(backend, out), n * 2 * d * 2 * h, w, c);
  return out;
};

const upsampleGrad: KernelFunc = (args) => {
  const { inputs, backend } = args as unknown as { inputs: { dy: Info }; backend: WasmBackend };
  const [n, d2, h2, w2, c] = inputs.dy.shape;
  const [d, h, w] = [d2 / 2, h2 / 2, w2 / 2];
  const out = backend.makeOutput([n, d, h, w, c], 'float32');
  const simd = c % 4 === 0 ? simdKernelsFor(backend) : undefined;
  if (simd) {
    const t2Bytes = 4 * n * d2 * h2 * w * c;
    withScratch(backend, t2Bytes + 4 * n * d2 * h * w * c, (t2) => {
      const t1 = t2 + t2Bytes;
      simd.upsampleAxisAdjoint(byteOffset(backend, inputs.dy), t2, n * d2 * h2, w, c);
      simd.upsampleAxisAdjoint(t2, t1, n * d2, h, w * c);
      simd.upsampleAxisAdjoint(t1, byteOffset(backend, out), n, d, h * w * c);
    });
    return out;
  }
  const heap = heapF32(backend);
  const t2 = new Float32Array(n * d2 * h2 * w * c);
  const t1 = new Float32Array(n * d2 * h * w * c);
  downAxis(heap, floatOffset(backend, inputs.dy), t2, 0, n * d2 * h2, w, c);
  downAxis(t2, 0, t1, 0, n * d2, h, w * c);
  downAxis(t1, 0, heap, floatOffset(backend, out), n, d, h * w * c);
  return out;
};

/** The upsampling kernel's gradient (global in tfjs; the webgpu kernels of the same name use it too). */
export const UPSAMPLE_GRADIENT: Parameters<typeof tf.registerGradient>[0] = {
  kernelName: UPSAMPLE_KERNEL,
  gradFunc: (dy) => {
    const g = Array.isArray(dy) ? dy[0] : dy;
    return { x: () => tf.engine().runKernel(UPSAMPLE_GRAD_KERNEL, { dy: g }, {}) as tf.Tensor };
  },
};

const kernels = new CustomKernels(
  'wasm',
  [
    [UPSAMPLE_KERNEL, upsample],
    [UPSAMPLE_GRAD_KERNEL, upsampleGrad],
  ],
  UPSAMPLE_GRADIENT,
);

/** Register both kernels for 'wasm' and the gradient of the forward one (idempotent). */
export function registerUpsampleKernels(): void {
  kernels.register();
}

export function unregisterUpsampleKernels(): void {
  kernels.unregister();
}

/** Whether the active backend has the upsampling kernel. */
export function upsampleKernelActive(): boolean {
  return kernelOnActiveBackend(UPSAMPLE_KERNEL);
}
