import { readNifti } from '../nifti/read.ts';
import type { NiftiImage } from '../nifti/header.ts';
import { affineMaxDiff } from '../nifti/affine.ts';
import type { PatientVolumes } from '../preprocess/preprocess.ts';
import type { PatientFiles } from './layout.ts';
import { DatasetError } from './layout.ts';
import { checkBinaryMask, checkFiniteVoxels } from '../validate/voxels.ts';

/** One patient's images as read from disk, on their original grid. */
export interface LoadedPatient {
  id: string;
  baseline: NiftiImage;
  followup: NiftiImage;
  groundTruth?: NiftiImage;
  experts: NiftiImage[];
}

/**
 * Largest affine difference (mm) accepted between images of one patient. MSSEG-2's files
 * share the grid exactly; float32 header rounding after resaving can differ by ~1e-5.
 */
export const GRID_TOLERANCE_MM = 1e-3;

/**
 * How `b`'s grid differs from `a`'s: another shape, or an affine further than `tolerance` mm
 * (a NaN affine counts as different); null when they share the grid. The one grid comparison
 * behind the dataset check below and the scorer's prediction-against-ground-truth check.
 */
export function gridMismatch(
  a: Pick<NiftiImage, 'shape' | 'affine'>,
  b: Pick<NiftiImage, 'shape' | 'affine'>,
  tolerance: number,
): { kind: 'shape' } | { kind: 'affine'; diffMm: number } | null {
  if (a.shape.some((s, i) => s !== b.shape[i])) return { kind: 'shape' };
  const diffMm = affineMaxDiff(a.affine, b.affine);
  return diffMm <= tolerance ? null : { kind: 'affine', diffMm };
}

/** Throws a DatasetError naming the patient and the difference when `b` is not on `a`'s grid. */
export function checkSameGrid(id: string, a: NiftiImage, b: NiftiImage, tolerance = GRID_TOLERANCE_MM): void {
  const m = gridMismatch(a, b, tolerance);
  if (m?.kind === 'shape') {
    throw new DatasetError(`patient ${id}: ${b.path} has shape [${b.shape.join(', ')}] but ${a.path} has [${a.shape.join(', ')}]`);
  }
  if (m?.kind === 'affine') {
    throw new DatasetError(`patient ${id}: ${b.path} affine differs from ${a.path} by up to ${m.diffMm.toPrecision(3)} mm (tolerance ${tolerance})`);
  }
}

/**
 * Read a patient's FLAIRs and masks and check that they share one grid. An all-zero ground
 * truth (no new lesion) is a normal case. Expert masks are read only when asked.
 */
export async function loadPatient(files: PatientFiles, options: { experts?: boolean; tolerance?: number } = {}): Promise<LoadedPatient> {
  const [baseline, followup, groundTruth] = await Promise.all([
    readNifti(files.baseline),
    readNifti(files.followup),
    files.groundTruth ? readNifti(files.groundTruth) : Promise.resolve(undefined),
  ]);
  const experts = options.experts ? await Promise.all(files.experts.map((p) => readNifti(p))) : [];
  for (const other of [followup, groundTruth, ...experts]) {
    if (other) checkSameGrid(files.id, baseline, other, options.tolerance);
  }
  // The input policy (validate/voxels.ts), here so that train's first pass over the ground
  // truths (the split) and evaluate refuse the same files as score.
  checkFiniteVoxels(baseline, `patient ${files.id}: baseline FLAIR`);
  checkFiniteVoxels(followup, `patient ${files.id}: follow-up FLAIR`);
  if (groundTruth) checkBinaryMask(groundTruth, `patient ${files.id}: ground-truth mask`);
  for (const e of experts) checkBinaryMask(e, `patient ${files.id}: expert mask`);
  return { id: files.id, baseline, followup, groundTruth, experts };
}

/** The volumes `preprocessPatient` needs. */
export function patientVolumes(p: LoadedPatient): PatientVolumes {
  return { id: p.id, baseline: p.baseline, followup: p.followup, mask: p.groundTruth };
}

/** Number of new-lesion voxels of a loaded patient's ground truth (0 for none or no ground truth). */
export function lesionVoxelCount(p: LoadedPatient): number {
  if (!p.groundTruth) return 0;
  let n = 0;
  for (const v of p.groundTruth.data) if (v > 0.5) n++;
  return n;
}
