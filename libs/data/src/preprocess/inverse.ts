import type { Volume } from '../volume.ts';
import { voxelCount } from '../volume.ts';
import type { GridMapping } from './grid.ts';
import { inverseTables } from './grid.ts';
import { resampleTrilinear } from './resample.ts';

/**
 * Probabilities on the working grid back to the patient's original grid: trilinear
 * interpolation at each original voxel centre (the average of the working voxels it covers
 * when the working grid is finer). Returns the original-grid volume of probabilities.
 */
export function probabilitiesToOriginal(prob: Float32Array, g: GridMapping): Volume {
  if (prob.length !== voxelCount(g.targetShape)) {
    throw new Error(`probabilitiesToOriginal: ${prob.length} values for working grid [${g.targetShape.join(', ')}]`);
  }
  const data = resampleTrilinear(prob, g.targetShape, inverseTables(g), new Float32Array(voxelCount(g.sourceShape)));
  return { shape: [...g.sourceShape], spacing: [...g.sourceSpacing], affine: g.sourceAffine.map((r) => r.slice()), data };
}

/** A new volume: 1 where `v >= threshold` (default 0.5, the paper's; `>=` as MONAI's AsDiscrete), else 0. */
export function binarize(volume: Volume, threshold = 0.5): Volume {
  const data = new Float32Array(volume.data.length);
  for (let i = 0; i < data.length; i++) data[i] = volume.data[i] >= threshold ? 1 : 0;
  return { ...volume, data };
}

/**
 * The full inverse of preprocessing for inference: working-grid probabilities -> binary mask
 * on the original grid (threshold 0.5). Write it with `writeNifti(path, mask, { datatype:
 * 'uint8', template: originalFlair })` to keep the original header and affine.
 */
export function predictionToOriginalMask(prob: Float32Array, g: GridMapping, threshold = 0.5): Volume {
  return binarize(probabilitiesToOriginal(prob, g), threshold);
}
