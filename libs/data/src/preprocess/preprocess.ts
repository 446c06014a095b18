import type { Vec3, Volume } from '../volume.ts';
import { voxelCount } from '../volume.ts';
import { affineMaxDiff } from '../nifti/affine.ts';
import type { PreprocessedPatient } from '../sampling/patient.ts';
import { precomputePositives } from '../sampling/patient.ts';
import { DatasetError } from '../dataset/layout.ts';
import { checkBinaryMask, checkFiniteVoxels, sourcePath } from '../validate/voxels.ts';
import { forwardTables, workingGrid } from './grid.ts';
import type { GridMapping } from './grid.ts';
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
  for (const [name, v] of [
    ['follow-up', followup],
    ['mask', mask],
  ] as const) {
    if (!v) continue;
    // `!(d <= tol)`: a NaN difference (non-finite affine) is a mismatch, not a pass.
    if (v.shape.some((s, i) => s !== baseline.shape[i]) || !(affineMaxDiff(v.affine, baseline.affine) <= 1e-3)) {
      throw new DatasetError(`patient ${p.id}: ${name} grid differs from the baseline's (or an affine is not finite)`);
    }
  }
  checkFiniteVoxels(baseline, `patient ${p.id}: baseline FLAIR`);
  checkFiniteVoxels(followup, `patient ${p.id}: follow-up FLAIR`);
  if (mask) checkBinaryMask(mask, `patient ${p.id}: ground-truth mask`);
  const g = checkedWorkingGrid(p.id, baseline, options.spacing ?? 0.5);
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

/**
 * Most voxels of a working grid: 2^28 (268M) voxels are 2 GiB as the 2-channel float32 image
 * (a 0.5 mm MSSEG-2 brain is ~75M). More means the input's voxel size is absurd for the working
 * spacing (a pixdim in cm or um, a mistyped spacing): refused before anything is allocated.
 */
export const MAX_WORKING_VOXELS = 2 ** 28;

/** {@link workingGrid} for a patient, with errors naming the patient (and file) instead of a RangeError. */
function checkedWorkingGrid(id: string, v: Volume, spacing: number | Vec3): GridMapping {
  const path = sourcePath(v);
  const name = path !== undefined ? ` (${path})` : '';
  let g: GridMapping;
  try {
    g = workingGrid(v.shape, v.affine, spacing);
  } catch (e) {
    throw new DatasetError(`patient ${id}${name}: ${(e as Error).message}`);
  }
  const n = voxelCount(g.targetShape);
  if (n > MAX_WORKING_VOXELS) {
    const fov = [0, 1, 2].map((a) => +(v.shape[a] * g.sourceSpacing[a]).toPrecision(4));
    throw new DatasetError(
      `patient ${id}${name}: ${v.shape.join('x')} voxels of ${g.sourceSpacing.map((s) => +s.toPrecision(4)).join('x')} mm (${fov.join('x')} mm) ` +
        `make a ${g.targetShape.join('x')} working grid at ${g.targetSpacing.join('x')} mm: ${n} voxels, over the limit of ${MAX_WORKING_VOXELS}; ` +
        "check the file's voxel size (pixdim/affine) against the working spacing",
    );
  }
  return g;
}
