/**
 * y = [relu](GroupNorm(x + bias)) and its gradient on tfjs's `webgpu` backend: the same kernel
 * names and contract as the wasm kernels (wasm/group-norm-kernel.ts), so `biasGroupNormRelu` and
 * `groupNorm` in ops/group-norm.ts take them whenever the active backend has them, and the one
 * registered gradient serves both backends.
 *
 * Why: composed from tfjs ops, each of the UNet's bias + GroupNorm + ReLU is ~15 dispatches
 * forward and ~25 backward (Sum, Multiply, Add, Sub, Square, Rsqrt, Step, ...); on a GPU that
 * many small dispatches per layer leave it latency-bound. Here: 4 forward, 7 backward.
 *
 * Numerics (float32 throughout): per-chunk channel sums are shifted by the channel's first value
 * in the sample, per-channel centred sums of squares are combined over a group with the
 * parallel-variance formula, and the backward sums are of g and g * xhat (not of g * x), so
 * large means do not cancel digits.
 *
 * Forward passes: chunk partials [N, chunks, C, 2] -> mean [N, G], rstd [N, G] -> y.
 * Backward: partials [N, chunks, C, 3] of (g, g xhat, xhat) -> their sums [N, C, 3] ->
 * per-(n, c) coefficients (A, B, C') with dx = A g + B (x + bias) + C' -> dx; dgamma, dbeta, dbias.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CustomKernels } from '../wasm/kernel-overrides.ts';
import { GROUP_NORM_GRAD_KERNEL, GROUP_NORM_GRADIENT, GROUP_NORM_KERNEL, type GroupNormAttrs } from '../wasm/group-norm-kernel.ts';
import { perItem, runPerItem as run, type WebgpuBackend } from './program.ts';

type Info = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];
type Attrs = GroupNormAttrs;

/** How many calls ran here (tests assert the fused path was taken). */
export const webgpuGroupNormCounts = { forward: 0, backward: 0 };

const CHUNK = 512; // voxels one thread sums per channel

function dims(x: Info, groups: number) {
  const n = x.shape[0];
  const c = x.shape[x.shape.length - 1];
  const voxels = x.shape.reduce((a, b) => a * b, 1) / n / c;
  return { n, c, g: groups, cg: c / groups, voxels, chunks: Math.ceil(voxels / CHUNK) };
}

const forward: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as { inputs: { x: Info; bias: Info; gamma: Info; beta: Info }; backend: WebgpuBackend; attrs: Attrs };
  const { x, bias, gamma, beta } = inputs;
  const d = dims(x, attrs.groups);
  const k = { C: d.c, CG: d.cg, G: d.g, S: d.voxels, CHUNKS: d.chunks, CHUNK };
  // partial[n][chunk][c] = (sum (x - x[n, 0, c]), sum (x - x[n, 0, c])^2) over the chunk's voxels.
  const partials = run(
    backend,
    perItem(
      'lesionsegGnStats',
      [d.n, d.chunks, d.c, 2],
      ['x'],
      k,
      `
    let c = i % C;
    let chunk = (i / C) % CHUNKS;
    let n = i / (C * CHUNKS);
    let base = n * S * C + c;
    let shift = x[base];
    var s1 = 0.0;
    var s2 = 0.0;
    for (var v = chunk * CHUNK; v < min(S, (chunk + 1) * CHUNK); v = v + 1) {
      let t = x[base + v * C] - shift;
      s1 = s1 + t;
      s2 = s2 + t * t;
    }
    result[2 * i] = s1;
    result[2 * i + 1] = s2;`,
      { items: d.n * d.chunks * d.c },
    ),
    [x],
  );
  // mean / rstd of v = x + bias per (n, group): channel means and centred sums of squares, combined.
  const stat = (which: 0 | 1) =>
    run(
      backend,
      perItem(
        'lesionsegGnFinal',
        [d.n, d.g],
        ['p', 'x', 'bias'],
        { ...k, WHICH: which, EPS: attrs.eps },
        `
    let grp = i % G;
    let n = i / G;
    var means : array<f32, ${d.cg}>;
    var m2s : array<f32, ${d.cg}>;
    var mean = 0.0;
    for (var j = 0; j < CG; j = j + 1) {
      let c = grp * CG + j;
      var s1 = 0.0;
      var s2 = 0.0;
      for (var ch = 0; ch < CHUNKS; ch = ch + 1) {
        let at = ((n * CHUNKS + ch) * C + c) * 2;
        s1 = s1 + p[at];
        s2 = s2 + p[at + 1];
      }
      means[j] = x[n * S * C + c] + bias[c] + s1 / f32(S);
      m2s[j] = max(s2 - s1 * s1 / f32(S), 0.0);
      mean = mean + means[j];
    }
    mean = mean / f32(CG);
    var m2 = 0.0;
    for (var j = 0; j < CG; j = j + 1) {
      let dm = means[j] - mean;
      m2 = m2 + m2s[j] + f32(S) * dm * dm;
    }
    if (WHICH == 0) { result[i] = mean; } else { result[i] = inverseSqrt(m2 / f32(S * CG) + EPS); }`,
      ),
      [partials, x, bias],
    );
  const mean = stat(0);
  const rstd = stat(1);
  backend.disposeData(partials.dataId);
  const y = run(
    backend,
    perItem(
      'lesionsegGnApply',
      [...x.shape],
      ['x', 'bias', 'gamma', 'beta', 'mean', 'rstd'],
      { ...k, RELU: attrs.relu ? 1 : 0 },
      `
    let c = i % C;
    let ng = (i / (S * C)) * G + c / CG;
    let a = rstd[ng] * gamma[c];
    var z = a * (x[i] + bias[c] - mean[ng]) + beta[c];
    if (RELU == 1 && !(z > 0.0)) { z = 0.0; }
    result[i] = z;`,
    ),
    [x, bias, gamma, beta, mean, rstd],
  );
  webgpuGroupNormCounts.forward++;
  return [y, mean, rstd];
};

const gradient: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { dy: Info; x: Info; y: Info; bias: Info; gamma: Info; mean: Info; rstd: Info };
    backend: WebgpuBackend;
    attrs: Attrs;
  };
  const { dy, x, y, bias, gamma, mean, rstd } = inputs;
  const d = dims(x, attrs.groups);
  const k = { C: d.c, CG: d.cg, G: d.g, S: d.voxels, CHUNKS: d.chunks, CHUNK, RELU: attrs.relu ? 1 : 0 };
  // g = dy [y > 0]; partial[n][chunk][c] = (sum g, sum g xhat, sum xhat).
  const partials = run(
    backend,
    perItem(
      'lesionsegGnGradStats',
      [d.n, d.chunks, d.c, 3],
      ['dy', 'x', 'y', 'bias', 'mean', 'rstd'],
      k,
      `
    let c = i % C;
    let chunk = (i / C) % CHUNKS;
    let n = i / (C * CHUNKS);
    let ng = n * G + c / CG;
    let m = mean[ng] - bias[c];
    let r = rstd[ng];
    var sg = 0.0;
    var sgx = 0.0;
    var sx = 0.0;
    for (var v = chunk * CHUNK; v < min(S, (chunk + 1) * CHUNK); v = v + 1) {
      let at = (n * S + v) * C + c;
      var g = dy[at];
      if (RELU == 1 && !(y[at] > 0.0)) { g = 0.0; }
      let xh = (x[at] - m) * r;
      sg = sg + g;
      sgx = sgx + g * xh;
      sx = sx + xh;
    }
    result[3 * i] = sg;
    result[3 * i + 1] = sgx;
    result[3 * i + 2] = sx;`,
      { items: d.n * d.chunks * d.c },
    ),
    [dy, x, y, bias, mean, rstd],
  );
  const sums = run(
    backend,
    perItem(
      'lesionsegGnGradSums',
      [d.n, d.c, 3],
      ['p'],
      k,
      `
    let q = i % 3;
    let c = (i / 3) % C;
    let n = i / (3 * C);
    var s = 0.0;
    for (var ch = 0; ch < CHUNKS; ch = ch + 1) { s = s + p[((n * CHUNKS + ch) * C + c) * 3 + q]; }
    result[i] = s;`,
    ),
    [partials],
  );
  backend.disposeData(partials.dataId);
  // dx = A g + B (x + bias) + C' with A = r gamma, B = -r^2 t2 / M, C' = -r t1 / M + r^2 t2 mean / M,
  // t1 = sum over the group of gamma sum g, t2 = of gamma sum g xhat, M = voxels x channels of the group.
  const coef = run(
    backend,
    perItem(
      'lesionsegGnGradCoef',
      [d.n, d.c, 3],
      ['sums', 'gamma', 'mean', 'rstd'],
      k,
      `
    let q = i % 3;
    let c = (i / 3) % C;
    let n = i / (3 * C);
    let grp = c / CG;
    let ng = n * G + grp;
    var t1 = 0.0;
    var t2 = 0.0;
    for (var j = 0; j < CG; j = j + 1) {
      let cc = grp * CG + j;
      t1 = t1 + gamma[cc] * sums[(n * C + cc) * 3];
      t2 = t2 + gamma[cc] * sums[(n * C + cc) * 3 + 1];
    }
    let r = rstd[ng];
    let count = f32(S * CG);
    if (q == 0) { result[i] = r * gamma[c]; }
    else if (q == 1) { result[i] = -r * r * t2 / count; }
    else { result[i] = -r * t1 / count + r * r * t2 * mean[ng] / count; }`,
    ),
    [sums, gamma, mean, rstd],
  );
  const dx = run(
    backend,
    perItem(
      'lesionsegGnGradDx',
      [...x.shape],
      ['dy', 'x', 'y', 'bias', 'coef'],
      k,
      `
    let c = i % C;
    let at = ((i / (S * C)) * C + c) * 3;
    var g = dy[i];
    if (RELU == 1 && !(y[i] > 0.0)) { g = 0.0; }
    result[i] = coef[at] * g + coef[at + 1] * (x[i] + bias[c]) + coef[at + 2];`,
    ),
    [dy, x, y, bias, coef],
  );
  // dbeta = sum_n sum g, dgamma = sum_n sum g xhat, dbias = sum_n sum dx
  //       = sum_n (A sum g + B sum (x + bias) + C' S), with sum (x + bias) = sum xhat / r + S mean.
  const paramGrad = (which: 0 | 1 | 2) =>
    run(
      backend,
      perItem(
        'lesionsegGnGradParam',
        [d.c],
        ['sums', 'coef', 'mean', 'rstd'],
        { ...k, N: d.n, WHICH: which },
        `
    let c = i;
    var s = 0.0;
    for (var n = 0; n < N; n = n + 1) {
      let at = (n * C + c) * 3;
      if (WHICH == 0) { s = s + sums[at + 1]; }
      else if (WHICH == 1) { s = s + sums[at]; }
      else {
        let ng = n * G + c / CG;
        let sumV = sums[at + 2] / rstd[ng] + f32(S) * mean[ng];
        s = s + coef[at] * sums[at] + coef[at + 1] * sumV + coef[at + 2] * f32(S);
      }
    }
    result[i] = s;`,
      ),
      [sums, coef, mean, rstd],
    );
  const dgamma = paramGrad(0);
  const dbeta = paramGrad(1);
  const dbias = paramGrad(2);
  backend.disposeData(sums.dataId);
  backend.disposeData(coef.dataId);
  webgpuGroupNormCounts.backward++;
  return [dx, dgamma, dbeta, dbias];
};

const kernels = new CustomKernels(
  'webgpu',
  [
    [GROUP_NORM_KERNEL, forward],
    [GROUP_NORM_GRAD_KERNEL, gradient],
  ],
  GROUP_NORM_GRADIENT,
);

export function registerWebgpuGroupNorm(): void {
  kernels.register();
}

export function unregisterWebgpuGroupNorm(): void {
  kernels.unregister();
}
