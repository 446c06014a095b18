/**
 * x2 trilinear upsampling with PyTorch's semantics:
 * `F.interpolate(x, scale_factor=2, mode='trilinear', align_corners=False)`.
 *
 * With align_corners=False the source coordinate of output index o is (o + 0.5) / 2 - 0.5,
 * clamped below at 0. For one axis of length n that gives, for input index i:
 *   out[2i]   = 0.75 x[i] + 0.25 x[max(i-1, 0)]
 *   out[2i+1] = 0.75 x[i] + 0.25 x[min(i+1, n-1)]
 * Trilinear is separable, so the three axes are done one after another. On the wasm backend it
 * runs as one kernel with its own gradient kernel (wasm/upsample-kernel.ts); elsewhere it is
 * built from slice / concat / stack / reshape, so autodiff gives the gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UPSAMPLE_KERNEL, upsampleKernelActive } from '../wasm/upsample-kernel.ts';

/** Upsample one axis of a rank-3 view `[outer, n, inner]` by 2. */
function upsampleAxis(v: tf.Tensor3D): tf.Tensor3D {
  const [outer, n, inner] = v.shape;
  if (n === 1) return tf.concat([v, v], 1);
  const first = tf.slice(v, [0, 0, 0], [outer, 1, inner]);
  const last = tf.slice(v, [0, n - 1, 0], [outer, 1, inner]);
  const prev = tf.concat([first, tf.slice(v, [0, 0, 0], [outer, n - 1, inner])], 1);
  const next = tf.concat([tf.slice(v, [0, 1, 0], [outer, n - 1, inner]), last], 1);
  const main = tf.mul(v, 0.75);
  const even = tf.add(main, tf.mul(prev, 0.25));
  const odd = tf.add(main, tf.mul(next, 0.25));
  // Interleave: [outer, n, 2, inner] -> [outer, 2n, inner].
  return tf.reshape(tf.stack([even, odd], 2), [outer, 2 * n, inner]);
}

/** @param x `[N, D, H, W, C]` -> `[N, 2D, 2H, 2W, C]` */
export function upsampleTrilinear2x(x: tf.Tensor5D): tf.Tensor5D {
  const [n, d, h, w, c] = x.shape;
  if (upsampleKernelActive() && x.dtype === 'float32') return tf.engine().runKernel(UPSAMPLE_KERNEL, { x }, {}) as tf.Tensor5D;
  return tf.tidy(() => {
    let v = upsampleAxis(tf.reshape(x, [n, d, h * w * c]));
    v = upsampleAxis(tf.reshape(v, [n * 2 * d, h, w * c]));
    v = upsampleAxis(tf.reshape(v, [n * 2 * d * 2 * h, w, c]));
    return tf.reshape(v, [n, 2 * d, 2 * h, 2 * w, c]);
  });
}
