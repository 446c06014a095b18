/**
 * A batch of training patches as the data lib hands them over: contiguous host arrays.
 * images: `[count, z, y, x, channels]` (channel fastest; channel 0 baseline, 1 follow-up);
 * masks: `[count, z, y, x]` with values 0/1.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface PatchBatch {
  images: Float32Array;
  masks?: Float32Array | Uint8Array;
  count: number;
  /** Patch shape `[z, y, x]`. */
  shape: readonly [number, number, number];
  /** Channels per voxel in `images`; default 2. */
  channels?: number;
}

function voxels(b: PatchBatch): number {
  return b.shape[0] * b.shape[1] * b.shape[2];
}

export function checkBatch(b: PatchBatch, needMasks: boolean): void {
  const c = b.channels ?? 2;
  const v = voxels(b);
  if (b.images.length !== b.count * v * c) {
    throw new Error(`PatchBatch: images has ${b.images.length} values, expected count ${b.count} x ${b.shape.join('x')} x ${c} channels = ${b.count * v * c}`);
  }
  if (needMasks && !b.masks) throw new Error('PatchBatch: masks are required here');
  if (b.masks && b.masks.length !== b.count * v) {
    throw new Error(`PatchBatch: masks has ${b.masks.length} values, expected count ${b.count} x ${b.shape.join('x')} = ${b.count * v}`);
  }
}

/** Patches [start, start+n) as tensors `[n, z, y, x, C]` and `[n, z, y, x, 1]` (no copy of the host arrays beyond tfjs's own). */
export function sliceBatch(b: PatchBatch, start: number, n: number): { x: tf.Tensor5D; y?: tf.Tensor5D } {
  const c = b.channels ?? 2;
  const v = voxels(b);
  const [z, yy, xx] = b.shape;
  const x = tf.tensor5d(b.images.subarray(start * v * c, (start + n) * v * c), [n, z, yy, xx, c]);
  if (!b.masks) return { x };
  const m = b.masks.subarray(start * v, (start + n) * v);
  const y = tf.tensor5d(m instanceof Float32Array ? m : Float32Array.from(m), [n, z, yy, xx, 1]);
  return { x, y };
}
