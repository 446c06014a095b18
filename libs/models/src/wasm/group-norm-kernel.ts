/**
 * y = [relu](GroupNorm(x + bias)) as one kernel, and its gradient as one kernel, on tfjs's wasm
 * backend, with PyTorch's GroupNorm semantics (see ops/group-norm.ts, which uses them on 'wasm'
 * and composes tfjs ops elsewhere). The UNet's conv bias and ReLU around each GroupNorm are
 * folded in, so a layer's element-wise work is two passes forward and two backward.
 *
 * Why: composed from tfjs ops, bias + GroupNorm + ReLU and their autodiff gradients are ~20
 * element-wise passes and reductions over the activation; on the wasm backend they took about as
 * long as the convolutions. Math (sums over a sample's group, M = voxels x channels in it):
 *   v = x + bias, xhat = (v - mean) rstd, z = gamma xhat + beta, y = relu(z), g = dy [z > 0]
 *   dgamma[c] = sum g xhat, dbeta[c] = sum g,
 *   dv = rstd gamma g - rstd/M (sum_grp gamma g) - xhat rstd/M (sum_grp gamma g xhat),
 *   dx = dv, dbias[c] = sum dv.
 * Two implementations: the SIMD one (assembly/group-norm.ts) when the channel count is a
 * multiple of 4, and a TypeScript loop over the heap (float64 sums) otherwise.
 *
 * Kernel 'LesionsegGroupNorm': inputs {x [N, ..., C], bias [C], gamma [C], beta [C]},
 * attrs {groups, eps, relu}; outputs [y, mean [N, G], rstd [N, G]].
 * Kernel 'LesionsegGroupNormGrad': inputs {dy, x, y, bias, gamma, mean, rstd}, attrs {groups,
 * relu}; outputs [dx, dgamma, dbeta, dbias].
 */
import * as tf from '@tensorflow/tfjs-core';
import { CustomKernels, kernelOnActiveBackend } from './kernel-overrides.ts';
import { simdKernelsFor } from './simd-kernels.ts';
import { byteOffset, floatOffset, heapF32, withScratch, type WasmBackend } from './wasm-heap.ts';

export const GROUP_NORM_KERNEL = 'LesionsegGroupNorm';
export const GROUP_NORM_GRAD_KERNEL = 'LesionsegGroupNormGrad';

type Info = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];
/** The attributes both backends' GroupNorm kernels take (wasm here, webgpu in ../webgpu/group-norm.ts). */
export interface GroupNormAttrs {
  groups: number;
  eps: number;
  relu: boolean;
}
type Attrs = GroupNormAttrs;

function dims(x: Info, groups: number) {
  const n = x.shape[0];
  const c = x.shape[x.shape.length - 1];
  const size = x.shape.reduce((a, b) => a * b, 1);
  const voxels = n === 0 ? 0 : size / n / c;
  return { n, c, voxels, cg: c / groups, count: voxels * (c / groups) };
}

const forward: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { x: Info; bias: Info; gamma: Info; beta: Info }; backend: WasmBackend; attrs: Attrs };
  const { x, bias, gamma, beta } = inputs;
  const g = attrs.groups;
  const { n, c, voxels, cg, count } = dims(x, g);
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([n, g], 'float32');
  const rstd = backend.makeOutput([n, g], 'float32');
  const simd = c % 4 === 0 && voxels > 0 ? simdKernelsFor(backend) : undefined;
  if (simd) {
    const at = (t: Info) => byteOffset(backend, t);
    withScratch(backend, 64 * c, (scratch) =>
      simd.groupNormForward(at(x), at(bias), at(gamma), at(beta), at(y), at(mean), at(rstd), scratch, n, voxels, c, g, attrs.eps, attrs.relu ? 1 : 0),
    );
    return [y, mean, rstd];
  }
  const heap = heapF32(backend);
  const [xo, bio, go, bo, yo, mo, ro] = [x, bias, gamma, beta, y, mean, rstd].map((t) => floatOffset(backend, t));
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  for (let s = 0; s < n; s++) {
    const base = s * voxels * c;
    s1.fill(0);
    s2.fill(0);
    let i = xo + base;
    for (let v = 0; v < voxels; v++) {
      for (let ch = 0; ch < c; ch++, i++) {
        const val = heap[i] + heap[bio + ch];
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
        b[ch] = heap[bo + ch] + a[ch] * (heap[bio + ch] - m); // y = a x + b
      }
    }
    i = base;
    for (let v = 0; v < voxels; v++) {
      for (let ch = 0; ch < c; ch++, i++) {
        const z = heap[xo + i] * a[ch] + b[ch];
        heap[yo + i] = attrs.relu && !(z > 0) ? 0 : z;
      }
    }
  }
  return [y, mean, rstd];
};

const gradient: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { dy: Info; x: Info; y: Info; bias: Info; gamma: Info; mean: Info; rstd: Info };
    backend: WasmBackend;
    attrs: Attrs;
  };
  const { dy, x, y, bias, gamma, mean, rstd } = inputs;
  const g = attrs.groups;
  const { n, c, voxels, cg, count } = dims(x, g);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([c], 'float32');
  const dbeta = backend.makeOutput([c], 'float32');
  const dbias = backend.makeOutput([c], 'float32');
  const simd = c % 4 === 0 && voxels > 0 ? simdKernelsFor(backend) : undefined;
  if (simd) {
    const at = (t: Info) => byteOffset(backend, t);
    withScratch(backend, 64 * c, (scratch) =>
      simd.groupNormBackward(
        at(dy),
        at(x),
        at(y),
        at(bias),
        at(gamma),
        at(mean),
        at(rstd),
        at(dx),
        at(dgamma),
        at(dbeta),
        at(dbias),
        scratch,
        n,
        voxels,
        c,
        g,
        attrs.relu ? 1 : 0,
      ),
    );
    return [dx, dgamma, dbeta, dbias];
  }
  const heap = heapF32(backend);
  const [dyo, xo, yo, bio, go, mo, ro, dxo, dgo, dbo, dbio] = [dy, x, y, bias, gamma, mean, rstd, dx, dgamma, dbeta, dbias].map((t) => floatOffset(backend, t));
  const grad = (i: number) => (attrs.relu && !(heap[yo + i] > 0) ? 0 : heap[dyo + i]);
  const sumG = new Float64Array(c);
  const sumGV = new Float64Array(c);
  const sumV = new Float64Array(c);
  const dg = new Float64Array(c);
  const db = new Float64Array(c);
  const dbi = new Float64Array(c);
  const ka = new Float64Array(c);
  const kb = new Float64Array(c);
  const kc = new Float64Array(c);
  for (let s = 0; s < n; s++) {
    const base = s * voxels * c;
    sumG.fill(0);
    sumGV.fill(0);
    sumV.fill(0);
    let i = base;
    for (let v = 0; v < voxels; v++) {
      for (let ch = 0; ch < c; ch++, i++) {
        const d = grad(i);
        const val = heap[xo + i] + heap[bio + ch];
        sumG[ch] += d;
        sumGV[ch] += d * val;
        sumV[ch] += val;
      }
    }
    for (let grp = 0; grp < g; grp++) {
      const m = heap[mo + s * g + grp];
      const r = heap[ro + s * g + grp];
      let t1 = 0; // sum over the group of gamma g
      let t2 = 0; // sum over the group of gamma g xhat
      for (let ch = grp * cg; ch < (grp + 1) * cg; ch++) {
        const gXhat = r * (sumGV[ch] - m * sumG[ch]);
        dg[ch] += gXhat;
        db[ch] += sumG[ch];
        t1 += heap[go + ch] * sumG[ch];
        t2 += heap[go + ch] * gXhat;
      }
      for (let ch = grp * cg; ch < (grp + 1) * cg; ch++) {
        ka[ch] = r * heap[go + ch];
        kb[ch] = (-r * r * t2) / count;
        kc[ch] = (-r * t1) / count + (m * r * r * t2) / count;
        dbi[ch] += ka[ch] * sumG[ch] + kb[ch] * sumV[ch] + kc[ch] * voxels;
      }
    }
    i = base;
    for (let v = 0; v < voxels; v++) {
      for (let ch = 0; ch < c; ch++, i++) heap[dxo + i] = ka[ch] * grad(i) + kb[ch] * (heap[xo + i] + heap[bio + ch]) + kc[ch];
    }
  }
  for (let ch = 0; ch < c; ch++) {
    heap[dgo + ch] = dg[ch];
    heap[dbo + ch] = db[ch];
    heap[dbio + ch] = dbi[ch];
  }
  return [dx, dgamma, dbeta, dbias];
};

/** The fused kernel's gradient (global in tfjs; the webgpu kernels of the same name use it too). */
export const GROUP_NORM_GRADIENT: Parameters<typeof tf.registerGradient>[0] = {
  kernelName: GROUP_NORM_KERNEL,
  inputsToSave: ['x', 'bias', 'gamma'],
  outputsToSave: [true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, bias, gamma, y, mean, rstd] = saved;
    const dyY = Array.isArray(dy) ? dy[0] : dy;
    const [dx, dgamma, dbeta, dbias] = tf.engine().runKernel(GROUP_NORM_GRAD_KERNEL, { dy: dyY, x, y, bias, gamma, mean, rstd }, attrs as never) as tf.Tensor[];
    return { x: () => dx, bias: () => dbias, gamma: () => dgamma, beta: () => dbeta };
  },
};

const kernels = new CustomKernels(
  'wasm',
  [
    [GROUP_NORM_KERNEL, forward],
    [GROUP_NORM_GRAD_KERNEL, gradient],
  ],
  GROUP_NORM_GRADIENT,
);

/** Register both kernels for 'wasm' and the gradient of the forward one (idempotent). */
export function registerGroupNormKernels(): void {
  kernels.register();
}

export function unregisterGroupNormKernels(): void {
  kernels.unregister();
}

/** Whether the active backend has the fused kernel. */
export function groupNormKernelActive(): boolean {
  return kernelOnActiveBackend(GROUP_NORM_KERNEL);
}
