/**
 * Stride-1 3-D convolution and its two gradients written with 2-D/3-D tfjs ops that the wasm
 * backend runs fast (XNNPACK Conv2D and 2-D matMul, plain slices and concats on rank <= 4):
 *
 * - forward: the kd depth taps are stacked along channels, `[N*Do, H, W, kd*Ci]`, and one
 *   Conv2D with the kernel reshaped to `[kh, kw, kd*Ci, Co]` does the rest;
 * - input gradient: a forward conv of dy with the spatially flipped, in/out-swapped kernel and
 *   the complementary padding (stride 1 only);
 * - filter gradient: for each (kd, kh) tap, an im2col slab `[kw*Ci, L]` taken as column shifts
 *   of the channel-major padded input, and one matMul `slab x dy [L, Co]` (see below).
 * Dilation must be 1. Layout NDHWC, kernels `[kd, kh, kw, Ci, Co]`.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Zero padding per spatial axis: [before, after] for depth, height, width. */
export type Pads3 = [[number, number], [number, number], [number, number]];

function prod(a: readonly number[]): number {
  return a.reduce((x, y) => x * y, 1);
}

/** Pad depth, height and width using rank-3 views (rank-5 pads are slow on wasm). */
function pad3(x: tf.Tensor5D, p: Pads3): tf.Tensor5D {
  const [n, d, h, w, c] = x.shape;
  let y: tf.Tensor = x;
  if (p[0][0] || p[0][1]) y = tf.pad(tf.reshape(y, [n, d, h * w * c]), [[0, 0], p[0], [0, 0]]);
  const dp = d + p[0][0] + p[0][1];
  if (p[1][0] || p[1][1]) y = tf.pad(tf.reshape(y, [n * dp, h, w * c]), [[0, 0], p[1], [0, 0]]);
  const hp = h + p[1][0] + p[1][1];
  if (p[2][0] || p[2][1]) y = tf.pad(tf.reshape(y, [n * dp * hp, w, c]), [[0, 0], p[2], [0, 0]]);
  const wp = w + p[2][0] + p[2][1];
  return tf.reshape(y, [n, dp, hp, wp, c]);
}

/** y = conv3d(x, filter) with stride 1, explicit zero padding. */
export function conv3dStride1(x: tf.Tensor5D, filter: tf.Tensor5D, pads: Pads3): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, d, h, w, ci] = x.shape;
    const [kd, kh, kw, fci, co] = filter.shape;
    if (fci !== ci) throw new Error(`conv3d: input has ${ci} channels, filter expects ${fci}`);
    const dp = d + pads[0][0] + pads[0][1];
    const dOut = dp - kd + 1;
    const hOut = h + pads[1][0] + pads[1][1] - kh + 1;
    const wOut = w + pads[2][0] + pads[2][1] - kw + 1;
    // Depth padding now; height/width padding is Conv2D's.
    const xd = pad3(x, [pads[0], [0, 0], [0, 0]]);
    const v = tf.reshape(xd, [n, dp, h * w * ci]);
    let stacked: tf.Tensor;
    if (kd === 1) stacked = tf.reshape(v, [n * dOut * h * w, ci]);
    else {
      const taps: tf.Tensor[] = [];
      for (let a = 0; a < kd; a++) taps.push(tf.reshape(tf.slice(v, [0, a, 0], [n, dOut, h * w * ci]), [n * dOut * h * w, ci]));
      stacked = tf.concat(taps, 1);
    }
    const x2 = tf.reshape(stacked, [n * dOut, h, w, kd * ci]);
    const f2 = tf.reshape(tf.transpose(filter, [1, 2, 0, 3, 4]), [kh, kw, kd * ci, co]);
    const pad2: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], pads[1], pads[2], [0, 0]];
    const y = tf.conv2d(x2 as tf.Tensor4D, f2 as tf.Tensor4D, 1, pad2);
    return tf.reshape(y, [n, dOut, hOut, wOut, co]);
  });
}

/** The kernel whose forward conv of dy is dx: flipped spatially, in/out swapped ([kd, kh, kw, Co, Ci]). */
export function flippedFilter(filter: tf.Tensor5D): tf.Tensor5D {
  return tf.transpose(tf.reverse(filter, [0, 1, 2]), [0, 1, 2, 4, 3]);
}

/** Padding of that dx conv: the complement of the forward pads within the kernel. */
export function fullPads(kernel: readonly number[], pads: Pads3): Pads3 {
  const full = pads.map(([b, a], i) => [kernel[i] - 1 - b, kernel[i] - 1 - a]) as Pads3;
  if (full.some(([b, a]) => b < 0 || a < 0)) throw new Error('conv3d input gradient: padding larger than the kernel is not supported');
  return full;
}

/** dx of y = conv3d(x, filter, stride 1, pads), given dy. */
export function conv3dStride1BackpropInput(dy: tf.Tensor5D, filter: tf.Tensor5D, pads: Pads3): tf.Tensor5D {
  return tf.tidy(() => conv3dStride1(dy, flippedFilter(filter), fullPads(filter.shape, pads)));
}

/**
 * dfilter of y = conv3d(x, filter, stride 1, pads), given dy:
 *   dW[a, b, c, ci, co] = sum over (n, d, h, w) of xp[n, d+a, h+b, w+c, ci] * dy[n, d, h, w, co]
 * Flattened over the padded grid (n, Dp, Hp, Wp), the tap (a, b, c) is a plain shift by
 * off = a*Hp*Wp + b*Wp + c, provided dy is embedded in a zero grid of the same size (its zeros
 * kill the terms that wrap around a row, plane or sample). So each tap's im2col block is a
 * column range of the channel-major input [Ci, L]: a copy with long contiguous runs, instead of
 * a gather of W-float rows. One matMul per (a, b): slab [kw*Ci, L] x dy [L, Co] (the small
 * dimension as XNNPACK's packed operand, 2x faster than the other way round).
 * Tried and no faster: blocks of L per matMul; one slab per depth tap; per-(a, b) rank-5 slices
 * (W-float rows). Slower: one Conv2D per depth tap with dy as a [H, W, (n, d), Co] kernel
 * (rank-5 transposes, huge kernels).
 */
export function conv3dStride1BackpropFilter(x: tf.Tensor5D, dy: tf.Tensor5D, filterShape: readonly number[], pads: Pads3): tf.Tensor5D {
  return tf.tidy(() => {
    const [kd, kh, kw, ci, co] = filterShape;
    const [n, dOut, hOut, wOut] = dy.shape;
    const xp = pad3(x, pads);
    const [, dp, hp, wp] = xp.shape;
    const len = n * dp * hp * wp;
    const maxShift = (kd - 1) * hp * wp + (kh - 1) * wp + (kw - 1);
    const xT = tf.transpose(tf.reshape(xp, [len, ci])); // [Ci, L], a 2-D transpose (rank-5 ones are slow on wasm)
    const xTp =
      maxShift > 0
        ? tf.pad(xT, [
            [0, 0],
            [0, maxShift],
          ])
        : xT;
    const dyGrid = tf.reshape(
      pad3(dy, [
        [0, dp - dOut],
        [0, hp - hOut],
        [0, wp - wOut],
      ]),
      [len, co],
    );
    const rows: tf.Tensor[] = [];
    for (let a = 0; a < kd; a++) {
      for (let b = 0; b < kh; b++) {
        const cols: tf.Tensor[] = [];
        for (let c = 0; c < kw; c++) cols.push(tf.slice(xTp, [0, a * hp * wp + b * wp + c], [ci, len]));
        const slab = cols.length === 1 ? cols[0] : tf.concat(cols, 0); // [kw*Ci, L]
        rows.push(tf.matMul(slab as tf.Tensor2D, dyGrid as tf.Tensor2D)); // [kw*Ci, Co]
        tf.dispose([slab, ...cols]);
      }
    }
    return tf.reshape(rows.length === 1 ? rows[0] : tf.concat(rows, 0), [kd, kh, kw, ci, co]);
  });
}

/** Explicit pads from tfjs's conv info (what 'same' / 'valid' / numbers resolve to). */
export function padsFromInfo(info: tf.backend_util.Conv3DInfo): Pads3 {
  const p = info.padInfo;
  return [
    [p.front, p.back],
    [p.top, p.bottom],
    [p.left, p.right],
  ];
}

export function sizeOf(shape: readonly number[]): number {
  return prod(shape);
}
