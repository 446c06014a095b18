/**
 * GroupNorm as one kernel (and one gradient kernel) on tfjs's wasm backend, with PyTorch's
 * semantics (see ops/group-norm.ts, which uses it on 'wasm' and composes tfjs ops elsewhere).
 *
 * Why: composed from tfjs ops, GroupNorm and its autodiff gradient are ~20 element-wise passes
 * and reductions over the activation, plus a saved copy per op; on the wasm backend they took
 * about as long as the convolutions. Here the forward is two passes over x (per-channel sums
 * and sums of squares in float64, then y = a[c] x + b[c]) and the gradient two passes over
 * (x, dy): per-channel sums of dy and dy x, then dx = a[c] dy + b[c] x + k[c], where
 *   xhat = (x - mean) rstd,  dgamma[c] = sum dy xhat,  dbeta[c] = sum dy,
 *   dx = rstd gamma dy - rstd/M (sum_g gamma dy) - xhat rstd/M (sum_g gamma dy xhat)
 * with sums over a sample's group (M = voxels x channels of the group).
 *
 * Kernel 'LesionsegGroupNorm': inputs {x [N, ..., C], gamma [C], beta [C]}, attrs {groups, eps};
 * outputs [y, mean [N, G], rstd [N, G]] (the statistics are saved for the gradient).
 * Kernel 'LesionsegGroupNormGrad': inputs {dy, x, gamma, mean, rstd}, attrs {groups};
 * outputs [dx, dgamma, dbeta].
 */
import * as tf from '@tensorflow/tfjs-core';
import { floatOffset, heapF32, type WasmBackend } from './wasm-heap.ts';

export const GROUP_NORM_KERNEL = 'LesionsegGroupNorm';
export const GROUP_NORM_GRAD_KERNEL = 'LesionsegGroupNormGrad';

type Info = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];

function dims(x: Info, groups: number) {
  const n = x.shape[0];
  const c = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  const voxels = n === 0 ? 0 : size / n / c;
  return { n, c, voxels, cg: c / groups, count: voxels * (c / groups) };
}

const forward: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { x: Info; gamma: Info; beta: Info }; backend: WasmBackend; attrs: { groups: number; eps: number } };
  const { x, gamma, beta } = inputs;
  const g = attrs.groups;
  const { n, c, voxels, cg, count } = dims(x, g);
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([n, g], 'float32');
  const rstd = backend.makeOutput([n, g], 'float32');
  const heap = heapF32(backend);
  const [xo, yo, go, bo, mo, ro] = [x, y, gamma, beta, mean, rstd].map((t) => floatOffset(backend, t));
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  for (let s = 0; s < n; s++) {
    const base = s * voxels * c;
    // Sum and sum of squares in float64 from float32 inputs: the variance from them is exact to
    // ~1e-12 relative here, far below float32 rounding.
    s1.fill(0);
    s2.fill(0);
    let i = xo + base;
    for (let v = 0; v < voxels; v++) {
      for (let ch = 0; ch < c; ch++, i++) {
        const val = heap[i];
        s1[ch] += val;
        s2[ch] += val * val;
      }
    }
    for (let grp = 0; grp < g; grp++) {
      let sum = 0;
      let sq = 0;
      for (let ch = grp * cg; ch < (grp + 1) * cg; ch++) {
        sum += s1[ch];
        sq += s2[ch];
      }
      const m = sum / count;
      const r = 1 / Math.sqrt(Math.max(sq / count - m * m, 0) + attrs.eps);
      heap[mo + s * g + grp] = m;
      heap[ro + s * g + grp] = r;
      for (let ch = grp * cg; ch < (grp + 1) * cg; ch++) {
        a[ch] = r * heap[go + ch];
        b[ch] = heap[bo + ch] - m * a[ch];
      }
    }
    i = base;
    for (let v = 0; v < voxels; v++) for (let ch = 0; ch < c; ch++, i++) heap[yo + i] = heap[xo + i] * a[ch] + b[ch];
  }
  return [y, mean, rstd];
};

const gradient: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { dy: Info; x: Info; gamma: Info; mean: Info; rstd: Info }; backend: WasmBackend; attrs: { groups: number } };
  const { dy, x, gamma, mean, rstd } = inputs;
  const g = attrs.groups;
  const { n, c, voxels, cg, count } = dims(x, g);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([c], 'float32');
  const dbeta = backend.makeOutput([c], 'float32');
  const heap = heapF32(backend);
  const [dyo, xo, go, mo, ro, dxo, dgo, dbo] = [dy, x, gamma, mean, rstd, dx, dgamma, dbeta].map((t) => floatOffset(backend, t));
  const sumDy = new Float64Array(c);
  const sumDyX = new Float64Array(c);
  const dg = new Float64Array(c);
  const db = new Float64Array(c);
  const ka = new Float64Array(c);
  const kb = new Float64Array(c);
  const kc = new Float64Array(c);
  for (let s = 0; s < n; s++) {
    const base = s * voxels * c;
    sumDy.fill(0);
    sumDyX.fill(0);
    let i = base;
    for (let v = 0; v < voxels; v++) {
      for (let ch = 0; ch < c; ch++, i++) {
        const d = heap[dyo + i];
        sumDy[ch] += d;
        sumDyX[ch] += d * heap[xo + i];
      }
    }
    for (let grp = 0; grp < g; grp++) {
      const m = heap[mo + s * g + grp];
      const r = heap[ro + s * g + grp];
      let s1 = 0; // sum over the group of gamma dy
      let s2 = 0; // sum over the group of gamma dy xhat
      for (let ch = grp * cg; ch < (grp + 1) * cg; ch++) {
        const dyXhat = r * (sumDyX[ch] - m * sumDy[ch]);
        dg[ch] += dyXhat;
        db[ch] += sumDy[ch];
        s1 += heap[go + ch] * sumDy[ch];
        s2 += heap[go + ch] * dyXhat;
      }
      for (let ch = grp * cg; ch < (grp + 1) * cg; ch++) {
        ka[ch] = r * heap[go + ch];
        kb[ch] = (-r * r * s2) / count;
        kc[ch] = (-r * s1) / count + (m * r * r * s2) / count;
      }
    }
    i = base;
    for (let v = 0; v < voxels; v++) for (let ch = 0; ch < c; ch++, i++) heap[dxo + i] = ka[ch] * heap[dyo + i] + kb[ch] * heap[xo + i] + kc[ch];
  }
  for (let ch = 0; ch < c; ch++) {
    heap[dgo + ch] = dg[ch];
    heap[dbo + ch] = db[ch];
  }
  return [dx, dgamma, dbeta];
};

let registered = false;

/** Register both kernels for 'wasm' and the gradient of the forward one (idempotent). */
export function registerGroupNormKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: GROUP_NORM_KERNEL, backendName: 'wasm', kernelFunc: forward });
  tf.registerKernel({ kernelName: GROUP_NORM_GRAD_KERNEL, backendName: 'wasm', kernelFunc: gradient });
  if (!tf.getGradient(GROUP_NORM_KERNEL)) {
    tf.registerGradient({
      kernelName: GROUP_NORM_KERNEL,
      inputsToSave: ['x', 'gamma'],
      outputsToSave: [false, true, true],
      gradFunc: (dy, saved, attrs) => {
        const [x, gamma, mean, rstd] = saved;
        const dyY = Array.isArray(dy) ? dy[0] : dy;
        const [dx, dgamma, dbeta] = tf.engine().runKernel(GROUP_NORM_GRAD_KERNEL, { dy: dyY, x, gamma, mean, rstd }, attrs as never) as tf.Tensor[];
        return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
      },
    });
  }
}

export function unregisterGroupNormKernels(): void {
  if (!registered) return;
  registered = false;
  tf.unregisterKernel(GROUP_NORM_KERNEL, 'wasm');
  tf.unregisterKernel(GROUP_NORM_GRAD_KERNEL, 'wasm');
}

/** Whether the active backend has the fused kernel. */
export function groupNormKernelActive(): boolean {
  return tf.getKernel(GROUP_NORM_KERNEL, tf.getBackend()) !== undefined;
}
