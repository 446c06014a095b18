import type { NiftiImage, Vec3 } from '@lesionseg/data';
import { checkBinaryMask, gridMismatch, readNifti } from '@lesionseg/data';
import type { RunMask } from '@lesionseg/metrics';
import { extractRuns } from '@lesionseg/metrics';
import { InputError } from './inputs.ts';

/**
 * Largest affine entry difference (mm) still called "the same grid". Files written by different
 * tools round the affine through float32 (and qform quaternions), which moves entries by ~1e-5.
 */
export const AFFINE_TOLERANCE_MM = 1e-4;

/** A mask file reduced to what scoring needs: runs of lesion voxels and the grid. */
export interface LoadedMask {
  path: string;
  shape: Vec3;
  spacing: Vec3;
  affine: number[][];
  runs: RunMask;
}

/**
 * Read a mask and encode it as runs at once, so the float voxel array can be freed before the
 * next file is read (a 0.5 mm patient is ~300 MB as Float32). Non-binary masks are refused with
 * the data library's rule and wording (the same as train and evaluate): Anima would silently
 * truncate values (0.7 -> background, 255 -> lesion), and a probability map or a label map passed
 * by mistake is better stopped here. The voxel size is the reader's: the affine's, checked finite
 * and > 0 (a pixdim of 0 would make every lesion "smaller than 3 mm3").
 */
export async function loadMask(path: string, role: string): Promise<LoadedMask> {
  const img: NiftiImage = await readNifti(path);
  const runs = extractRuns(img.data, img.shape);
  // The runs already saw every value: the full check (a second pass) runs only for a bad mask.
  if (runs.otherValues.length > 0) checkBinaryMask(img, `${role} mask`);
  return { path, shape: img.shape, spacing: img.spacing, affine: img.affine, runs };
}

/**
 * A prediction against its ground truth (data's grid comparison, the scorer's tolerance and
 * wording): refuse different shapes always, and different affines unless geometry is ignored.
 */
export function checkMaskGrid(gt: LoadedMask, pred: LoadedMask, ignoreGeometry: boolean): void {
  const m = gridMismatch(gt, pred, AFFINE_TOLERANCE_MM);
  if (m?.kind === 'shape') {
    throw new InputError(`${pred.path}: grid ${pred.shape.join('x')} does not match the ground truth ${gt.path} (${gt.shape.join('x')})`);
  }
  if (!ignoreGeometry && m?.kind === 'affine') {
    throw new InputError(
      `${pred.path}: affine differs from the ground truth ${gt.path} by up to ${m.diffMm.toPrecision(3)} mm (tolerance ${AFFINE_TOLERANCE_MM}); ` +
        'resample the prediction onto the ground-truth grid, or pass --ignore-geometry if the voxels do correspond',
    );
  }
}
