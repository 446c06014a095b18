/**
 * Sliding-window inference over a whole volume (paper: windows of 32, stride 24, overlaps
 * averaged, threshold 0.5 applied by the caller). Windows are batched through the model;
 * weighted probabilities are accumulated in one host Float32Array; the normaliser (how much
 * weight each voxel received) factors per axis, so memory is the input channels + one output
 * volume + one batch of windows.
 */
import * as tf from '@tensorflow/tfjs-core';
/** `[X, Y, Z]`, the same order as @lesionseg/data's Vec3. */
export type Vec3 = readonly [number, number, number];
import type { UNet } from '../unet/unet.ts';
import { patchesPerPass } from '../train/memory-budget.ts';
import { deviceLimits } from '../backend/device-limits.ts';
import { axisNormaliser, axisWeights, windowStarts } from './window-grid.ts';

export interface SlidingWindowOptions {
  /** Window side (cube); default 32. */
  window?: number;
  /** Step between windows; default 24. */
  stride?: number;
  /** Windows per forward pass; default the device's (8 on CPUs, 64 on a GPU), capped to fit `memoryBudget` and the device's largest binding. */
  batchSize?: number;
  /** Bytes one forward pass may use (default 1.5 GiB). */
  memoryBudget?: number;
  /** 'average' (paper: plain mean of overlapping predictions) or 'gaussian' (nnU-Net-style centre weighting). */
  weighting?: 'average' | 'gaussian';
  /** Called after each batch with windows done / total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between batches (rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Runs the forward passes instead of `model.forward` on this thread, e.g. a ReplicaPool's
   * `predictPatches` to use every core: (windows `[n, w, w, w, C]`) -> sigmoid probabilities `[n, w, w, w]`.
   */
  predict?: (batch: { images: Float32Array; count: number; shape: [number, number, number]; channels: number }) => Promise<Float32Array>;
}

/**
 * @param channels one volume per input channel (baseline, follow-up), each x fastest
 * @param shape `[X, Y, Z]`
 * @returns probabilities, x fastest, length X*Y*Z
 */
export async function slidingWindowPredict(
  model: UNet,
  channels: readonly Float32Array[],
  shape: Vec3,
  options: SlidingWindowOptions = {},
): Promise<Float32Array> {
  const [X, Y, Z] = shape;
  const n = X * Y * Z;
  const c = channels.length;
  if (c !== model.options.inChannels) throw new Error(`slidingWindowPredict: the model takes ${model.options.inChannels} channels, got ${c} volumes`);
  channels.forEach((v, i) => {
    if (v.length !== n) throw new Error(`slidingWindowPredict: channel ${i} has ${v.length} voxels, shape ${shape.join('x')} needs ${n}`);
  });
  const w = options.window ?? 32;
  const stride = options.stride ?? 24;
  const weighting = options.weighting ?? 'average';
  const batchSize = patchesPerPass(options.batchSize ?? deviceLimits().windowBatch, model.options, [w, w, w], 'infer', options.memoryBudget);
  const sx = windowStarts(X, w, stride);
  const sy = windowStarts(Y, w, stride);
  const sz = windowStarts(Z, w, stride);
  const windows: Vec3[] = [];
  for (const z of sz) for (const y of sy) for (const x of sx) windows.push([x, y, z]);
  const aw = axisWeights(w, weighting);
  const nx = axisNormaliser(X, sx, aw);
  const ny = axisNormaliser(Y, sy, aw);
  const nz = axisNormaliser(Z, sz, aw);

  const acc = new Float32Array(n);
  const w3 = w * w * w;
  const input = new Float32Array(batchSize * w3 * c);
  for (let b0 = 0; b0 < windows.length; b0 += batchSize) {
    options.signal?.throwIfAborted();
    const batch = windows.slice(b0, b0 + batchSize);
    input.fill(0); // windows hanging over the volume's edge (volume smaller than a window) see zeros
    batch.forEach(([x0, y0, z0], k) => {
      for (let z = 0; z < w && z0 + z < Z; z++)
        for (let y = 0; y < w && y0 + y < Y; y++) {
          const src = x0 + X * (y0 + y + Y * (z0 + z));
          const dst = (k * w3 + w * (y + w * z)) * c;
          const len = Math.min(w, X - x0);
          for (let ch = 0; ch < c; ch++) {
            const vol = channels[ch];
            for (let x = 0; x < len; x++) input[dst + x * c + ch] = vol[src + x];
          }
        }
    });
    let p: Float32Array;
    if (options.predict) p = await options.predict({ images: input.subarray(0, batch.length * w3 * c), count: batch.length, shape: [w, w, w], channels: c });
    else {
      const probs = tf.tidy(() => tf.sigmoid(model.forward(tf.tensor5d(input.subarray(0, batch.length * w3 * c), [batch.length, w, w, w, c]), false)));
      p = (await probs.data()) as Float32Array;
      probs.dispose();
    }
    batch.forEach(([x0, y0, z0], k) => {
      for (let z = 0; z < w && z0 + z < Z; z++)
        for (let y = 0; y < w && y0 + y < Y; y++) {
          const wzy = aw[z] * aw[y];
          const dst = x0 + X * (y0 + y + Y * (z0 + z));
          const src = k * w3 + w * (y + w * z);
          const len = Math.min(w, X - x0);
          for (let x = 0; x < len; x++) acc[dst + x] += p[src + x] * wzy * aw[x];
        }
    });
    options.onProgress?.(Math.min(b0 + batchSize, windows.length), windows.length);
  }
  for (let z = 0; z < Z; z++)
    for (let y = 0; y < Y; y++) {
      const nzy = nz[z] * ny[y];
      const row = X * (y + Y * z);
      for (let x = 0; x < X; x++) acc[row + x] /= nzy * nx[x];
    }
  return acc;
}

/** Number of windows `slidingWindowPredict` runs for a volume. */
export function windowCount(shape: Vec3, window = 32, stride = 24): number {
  return shape.reduce((m, s) => m * windowStarts(s, window, stride).length, 1);
}
