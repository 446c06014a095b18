import type { PatchSpec } from './patches.ts';

/**
 * A batch of patches in the layout the models library consumes (channels last, x fastest):
 * `images` is `[count, P, P, P, 2]` = `[batch, z, y, x, channel]` and `masks` is
 * `[count, P, P, P, 1]`, both one contiguous Float32Array.
 */
export interface ExtractedBatch {
  images: Float32Array;
  masks: Float32Array;
  count: number;
  /** Patch edge P. */
  size: number;
  channels: 2;
  /** 1 where the patch's mask holds at least one new-lesion voxel. */
  containsLesion: Uint8Array;
}

/**
 * Copy patches into one batch. Voxels outside the volume get the patient's `padValue` per
 * channel in the image and 0 in the mask. Pass `out` (from a previous call with the same count
 * and size) to reuse its buffers and avoid allocating ~17 MB per OHEM step.
 */
export function extractBatch(specs: readonly PatchSpec[], out?: ExtractedBatch): ExtractedBatch {
  if (specs.length === 0) throw new Error('extractBatch: no patches');
  const size = specs[0].size;
  if (specs.some((s) => s.size !== size)) throw new Error('extractBatch: all patches must have the same size');
  const per = size * size * size;
  const count = specs.length;
  const batch: ExtractedBatch =
    out && out.count === count && out.size === size
      ? out
      : {
          images: new Float32Array(count * per * 2),
          masks: new Float32Array(count * per),
          count,
          size,
          channels: 2,
          containsLesion: new Uint8Array(count),
        };
  for (let b = 0; b < count; b++) batch.containsLesion[b] = copyPatch(specs[b], batch, b * per);
  return batch;
}

/** Copies one patch at voxel offset `base` of the batch; returns 1 if its mask has a lesion voxel. */
function copyPatch(spec: PatchSpec, batch: ExtractedBatch, base: number): number {
  const { patient, origin, size } = spec;
  const [X, Y, Z] = patient.shape;
  const [x0, y0, z0] = origin;
  const { image, mask, padValue } = patient;
  const img = batch.images;
  const msk = batch.masks;
  // The x-range inside the volume is the same for every row of the patch.
  const xs = Math.max(0, -x0);
  const xe = Math.min(size, X - x0);
  let lesion = 0;
  for (let pz = 0; pz < size; pz++) {
    const z = z0 + pz;
    for (let py = 0; py < size; py++) {
      const y = y0 + py;
      const row = base + size * (py + size * pz); // patch voxel index of (0, py, pz)
      const inside = z >= 0 && z < Z && y >= 0 && y < Y && xe > xs;
      if (!inside) {
        fillPad(img, msk, row, 0, size, padValue);
        continue;
      }
      if (xs > 0) fillPad(img, msk, row, 0, xs, padValue);
      if (xe < size) fillPad(img, msk, row, xe, size, padValue);
      const src = x0 + xs + X * (y + Y * z); // volume voxel index of the first inside voxel
      // Plain loops: rows are short (P voxels), where subarray()+set() costs more in allocations than it saves.
      const len = xe - xs;
      for (let i = 0, s2 = 2 * src, d2 = 2 * (row + xs); i < 2 * len; i++) img[d2 + i] = image[s2 + i];
      for (let i = 0, d = row + xs; i < len; i++) {
        const m = mask[src + i];
        msk[d + i] = m;
        lesion |= m;
      }
    }
  }
  return lesion ? 1 : 0;
}

/** Pad voxels [from, to) of a patch row: padValue per channel, mask 0. */
export function fillPad(img: Float32Array, msk: Float32Array, row: number, from: number, to: number, pad: [number, number]): void {
  for (let i = from; i < to; i++) {
    img[2 * (row + i)] = pad[0];
    img[2 * (row + i) + 1] = pad[1];
    msk[row + i] = 0;
  }
}
