import type { Vec3, Volume } from '../volume.ts';
import { voxelCount } from '../volume.ts';
import { affineMaxDiff } from '../nifti/affine.ts';
import type { PreprocessedPatient } from '../sampling/patient.ts';
import { precomputePositives } from '../sampling/patient.ts';
import { forwardTables, workingGrid } from './grid.ts';
import { resampleMask, resampleTrilinear } from './resample.ts';
import { zscoreInPlace } from './zscore.ts';

/** Inputs of {@link preprocessPatient}: both FLAIRs and (for training/validation) the new-lesion mask, on one grid. */
export interface PatientVolumes {
  id: string;
  baseline: Volume;
  followup: Volume;
  mask?: Volume;
}

export interface PreprocessOptions {
  /** Working voxel size in mm (default 0.5, the paper's). */
  spacing?: number | Vec3;
}

/**
 * The paper's preprocessing: resample both FLAIRs to the working spacing (trilinear), z-score
 * each on its own, interleave them as 2 channels; resample the mask with {@link resampleMask};
 * list its positive voxels. Memory: the 2-channel output (8 bytes/voxel) plus the 1-byte mask;
 * no per-channel temporary (channels are resampled straight into the interleaved buffer).
 */
export function preprocessPatient(p: PatientVolumes, options: PreprocessOptions = {}): PreprocessedPatient {
  const { baseline, followup, mask } = p;
  for (const [name, v] of [['follow-up', followup], ['mask', mask]] as const) {
    if (!v) continue;
    if (v.shape.some((s, i) => s !== baseline.shape[i]) || affineMaxDiff(v.affine, baseline.affine) > 1e-3) {
      throw new Error(`patient ${p.id}: ${name} grid differs from the baseline's`);
    }
  }
  const g = workingGrid(baseline.shape, baseline.affine, options.spacing ?? 0.5);
  const tables = forwardTables(g);
  const n = voxelCount(g.targetShape);
  const image = new Float32Array(2 * n);
  resampleTrilinear(baseline.data, baseline.shape, tables, image, 2, 0);
  resampleTrilinear(followup.data, followup.shape, tables, image, 2, 1);
  const s0 = zscoreInPlace(image, 2, 0);
  const s1 = zscoreInPlace(image, 2, 1);
  const workMask = mask ? resampleMask(mask.data, g) : new Uint8Array(n);
  return {
    id: p.id,
    shape: g.targetShape,
    spacing: g.targetSpacing,
    affine: g.targetAffine,
    channels: 2,
    image,
    mask: workMask,
    positives: precomputePositives(workMask),
    padValue: [s0.min, s1.min],
    grid: g,
  };
}
