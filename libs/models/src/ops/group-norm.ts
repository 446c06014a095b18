/**
 * GroupNorm with PyTorch's semantics (torch.nn.GroupNorm): for each sample, channels are split
 * into `groups` consecutive groups; each group is normalised with its mean and *biased*
 * variance over (channels of the group x all voxels), eps inside the square root, then a
 * per-channel affine (gamma, beta). tfjs has no such op. On the wasm backend it runs as one
 * fused kernel with its own gradient kernel (wasm/group-norm-kernel.ts); elsewhere it is built
 * from tfjs ops so autodiff gives its gradients.
 *
 * Shapes are kept at rank <= 4 on purpose: rank-5 reductions and broadcasts take slow generic
 * paths on the wasm backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GROUP_NORM_KERNEL, groupNormKernelActive } from '../wasm/group-norm-kernel.ts';

export const GROUP_NORM_EPS = 1e-5;

/**
 * @param x channels-last tensor `[N, ...spatial, C]`
 * @param gamma `[C]` scale
 * @param beta `[C]` shift
 */
export function groupNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, eps = GROUP_NORM_EPS): tf.Tensor {
  const shape = x.shape;
  const n = shape[0];
  const c = shape[shape.length - 1];
  if (c % groups !== 0) throw new Error(`groupNorm: ${c} channels cannot be split into ${groups} groups`);
  const spatial = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  const cg = c / groups;
  if (groupNormKernelActive() && x.dtype === 'float32') return tf.tidy(() => fusedKernel(x, tf.zeros([c]), gamma, beta, groups, eps, false));
  return tf.tidy(() => {
    // [N, S, G, Cg]: statistics over axes 1 and 3.
    const v = tf.reshape(x, [n, spatial, groups, cg]);
    const count = spatial * cg;
    // Sum over voxels first ([N, G*Cg]) then over the channels of a group: both are
    // innermost-axis reductions after a reshape, which every backend does quickly.
    const sumC = tf.sum(tf.reshape(x, [n, spatial, c]), 1); // [N, C]
    const mean = tf.div(tf.sum(tf.reshape(sumC, [n, groups, cg]), 2), count); // [N, G]
    const centered = tf.sub(v, tf.reshape(mean, [n, 1, groups, 1]));
    const sqC = tf.sum(tf.reshape(tf.square(centered), [n, spatial, c]), 1);
    const variance = tf.div(tf.sum(tf.reshape(sqC, [n, groups, cg]), 2), count); // [N, G]
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const normalized = tf.mul(centered, tf.reshape(invStd, [n, 1, groups, 1]));
    const flat = tf.reshape(normalized, [n * spatial, c]);
    const out = tf.add(tf.mul(flat, gamma), beta);
    return tf.reshape(out, shape);
  });
}

/** The wasm kernel: y = [relu](GroupNorm(x + bias)); its statistics outputs are dropped (the gradient saves its own). */
function fusedKernel(x: tf.Tensor, bias: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number, relu: boolean): tf.Tensor {
  const [y, mean, rstd] = tf.engine().runKernel(GROUP_NORM_KERNEL, { x, bias, gamma, beta }, { groups, eps, relu } as never) as tf.Tensor[];
  tf.dispose([mean, rstd]);
  return y;
}

/**
 * relu(GroupNorm(x + bias)): the UNet's conv bias, normalisation and activation. One fused
 * kernel (and one gradient kernel) on wasm; the same ops composed elsewhere.
 */
export function biasGroupNormRelu(x: tf.Tensor, bias: tf.Tensor1D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, eps = GROUP_NORM_EPS): tf.Tensor {
  const c = x.shape[x.shape.length - 1];
  if (c % groups !== 0) throw new Error(`groupNorm: ${c} channels cannot be split into ${groups} groups`);
  if (groupNormKernelActive() && x.dtype === 'float32') return fusedKernel(x, bias, gamma, beta, groups, eps, true);
  return tf.tidy(() => {
    // A 2-D bias broadcast (rank-5 broadcasts are slow on wasm).
    const shifted = tf.reshape(tf.add(tf.reshape(x, [-1, c]), bias), x.shape);
    return tf.relu(groupNorm(shifted, gamma, beta, groups, eps));
  });
}

/** Groups used for a layer with `channels` channels when `requested` groups are asked for:
 * the largest divisor of `channels` not above `requested` (8 groups on 4 channels gives 4). */
export function groupsFor(channels: number, requested: number): number {
  for (let g = Math.min(requested, channels); g >= 1; g--) if (channels % g === 0) return g;
  return 1;
}
