import type { Vec3 } from '../volume.ts';
import type { GridMapping } from '../preprocess/grid.ts';

/**
 * A patient ready for training or inference, on the working grid (default 0.5 mm isotropic).
 *
 * `image` interleaves the two z-scored FLAIRs, channel fastest:
 * `image[c + 2 * (x + X * (y + Y * z))]`, c = 0 baseline (time01), c = 1 follow-up (time02).
 * That is the `[z, y, x, 2]` channels-last layout of a model patch, so extraction copies whole
 * x-runs of `2 * P` floats.
 */
export interface PreprocessedPatient {
  id: string;
  /** Working grid [X, Y, Z]. */
  shape: Vec3;
  /** Working voxel size in mm. */
  spacing: Vec3;
  /** Working voxel -> world (RAS+ mm). */
  affine: number[][];
  /** Always 2 (baseline, follow-up). */
  channels: 2;
  /** Interleaved z-scored images, length 2 * X * Y * Z. */
  image: Float32Array;
  /** New-lesion mask on the working grid, 0/1 (all zero for patients without new lesions or without ground truth). */
  mask: Uint8Array;
  /** Linear voxel indices (x fastest) where `mask` is 1, ascending; see {@link precomputePositives}. */
  positives: Uint32Array;
  /** Per-channel value written outside the volume (the channel's minimum: air, not mean brain). */
  padValue: [number, number];
  /** How the working grid maps to the patient's original grid (for the inverse transform). */
  grid: GridMapping;
}

/**
 * Linear indices (x fastest) of every voxel above 0.5, in ascending order. Computed once per
 * patient so that a positive patch costs O(1) instead of a scan of ~60 M voxels.
 */
export function precomputePositives(mask: ArrayLike<number>): Uint32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0.5) n++;
  const out = new Uint32Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i] > 0.5) out[k++] = i;
  return out;
}
