/**
 * Test-time augmentation by flips and checkpoint ensembles, at the level of a batch of
 * sliding windows: a window predictor maps windows `[n, z, y, x, C]` to sigmoid probabilities
 * `[n, z, y, x]`. Flip TTA runs every window mirrored along each subset of the spatial axes,
 * mirrors each output back and averages the probabilities (nnU-Net's mirroring: all 8 subsets
 * of {z, y, x}); an ensemble averages the probabilities of several models. Both keep the
 * sliding-window blending, resampling and threshold unchanged.
 */
import type { PatchBatch } from '../train/patch-batch.ts';

export type WindowPredict = (batch: PatchBatch) => Promise<Float32Array>;

/** Spatial axes of a window: 0 = z, 1 = y, 2 = x. */
export type FlipAxes = readonly (0 | 1 | 2)[];

/** Every subset of {z, y, x}: identity, the 3 single flips, the 3 pairs, all three. */
export const ALL_FLIPS: readonly FlipAxes[] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];

/**
 * Mirror `count` blocks of `[z, y, x, channels]` (channels fastest) along `axes`. Flipping twice
 * is the identity, so the same function maps outputs back.
 */
export function flipWindows(data: Float32Array, count: number, shape: readonly [number, number, number], channels: number, axes: FlipAxes): Float32Array {
  const [Z, Y, X] = shape;
  const block = Z * Y * X * channels;
  if (data.length !== count * block) throw new Error(`flipWindows: ${data.length} values, expected ${count} x ${shape.join('x')} x ${channels}`);
  if (axes.length === 0) return data.slice();
  const fz = axes.includes(0);
  const fy = axes.includes(1);
  const fx = axes.includes(2);
  const out = new Float32Array(data.length);
  for (let n = 0; n < count; n++) {
    const base = n * block;
    for (let z = 0; z < Z; z++) {
      const sz = fz ? Z - 1 - z : z;
      for (let y = 0; y < Y; y++) {
        const sy = fy ? Y - 1 - y : y;
        const dst = base + (z * Y + y) * X * channels;
        const srcRow = base + (sz * Y + sy) * X * channels;
        for (let x = 0; x < X; x++) {
          const src = srcRow + (fx ? X - 1 - x : x) * channels;
          for (let c = 0; c < channels; c++) out[dst + x * channels + c] = data[src + c];
        }
      }
    }
  }
  return out;
}

/** `predict` with flip TTA: the mean over `flips` of the back-mirrored probabilities. */
export function withFlipTta(predict: WindowPredict, flips: readonly FlipAxes[] = ALL_FLIPS): WindowPredict {
  if (flips.length === 0) throw new Error('withFlipTta: no flips given');
  return async (batch) => {
    const channels = batch.channels ?? 2;
    const acc = new Float32Array(batch.count * batch.shape[0] * batch.shape[1] * batch.shape[2]);
    for (const axes of flips) {
      const images = flipWindows(batch.images, batch.count, batch.shape, channels, axes);
      const p = await predict({ ...batch, images });
      const back = flipWindows(p, batch.count, batch.shape, 1, axes);
      for (let i = 0; i < acc.length; i++) acc[i] += back[i];
    }
    for (let i = 0; i < acc.length; i++) acc[i] /= flips.length;
    return acc;
  };
}

/** The mean of several window predictors' probabilities (a checkpoint ensemble). */
export function averageWindows(members: readonly WindowPredict[]): WindowPredict {
  if (members.length === 0) throw new Error('averageWindows: no members');
  if (members.length === 1) return members[0];
  return async (batch) => {
    let acc: Float32Array | null = null;
    for (const m of members) {
      const p = await m(batch);
      if (acc === null) acc = p.slice();
      else for (let i = 0; i < acc.length; i++) acc[i] += p[i];
    }
    const out = acc as Float32Array;
    for (let i = 0; i < out.length; i++) out[i] /= members.length;
    return out;
  };
}
