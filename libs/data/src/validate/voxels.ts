/**
 * Input policy for voxel values, one rule for every command (train, predict, evaluate, score):
 * - FLAIR images: every voxel finite. NaN/Inf voxels are refused, not replaced: a replacement
 *   value (0, the minimum) changes the z-scoring statistics and the network's input silently,
 *   and the right fix (mask, inpaint, re-export) is the user's to choose.
 * - Masks (ground truths, expert masks, predictions to score): exactly 0 and 1. Anything else
 *   ({0,2}, {0,255}, {0,0.5}, NaN, a probability map) is refused: thresholding it would guess
 *   what the file means, and training and scoring would guess differently.
 * Errors name the file (when the volume came from one) and count the offending voxels.
 */
import type { Volume } from '../volume.ts';
import { NiftiError } from '../nifti/errors.ts';
import { DatasetError } from '../dataset/layout.ts';

/** Distinct offending values listed in a message. */
const SHOWN_VALUES = 8;

/** The file a volume was read from, when it is a NiftiImage. */
export function sourcePath(v: Volume): string | undefined {
  const p = (v as { path?: unknown }).path;
  return typeof p === 'string' ? p : undefined;
}

/** Throws a NiftiError naming the volume's file, or a DatasetError for a volume made in memory. */
function refuse(v: Volume, problem: string): never {
  const path = sourcePath(v);
  throw path !== undefined ? new NiftiError(path, problem) : new DatasetError(problem);
}

/** Number of NaN or infinite voxels. */
export function countNonFinite(data: Float32Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) n++;
  return n;
}

/** Throws (naming the file and the count) when an image has NaN or infinite voxels. */
export function checkFiniteVoxels(v: Volume, what: string): void {
  const bad = countNonFinite(v.data);
  if (bad === 0) return;
  let nan = 0;
  for (const x of v.data) if (Number.isNaN(x)) nan++;
  refuse(
    v,
    `${what} has ${bad} of ${v.data.length} voxels not finite (${nan} NaN, ${bad - nan} infinite); ` +
      'replace them before use (e.g. with 0 or the image minimum), they would make every prediction and loss NaN',
  );
}

/** Voxels other than 0 and 1, and the first few distinct such values (NaN included). */
export function nonBinaryVoxels(data: ArrayLike<number>): { count: number; values: number[] } {
  let count = 0;
  const values: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x === 0 || x === 1) continue;
    count++;
    if (values.length < SHOWN_VALUES && !values.some((y) => Object.is(y, x))) values.push(x);
  }
  return { count, values };
}

/** Message part for non-binary voxels, e.g. "found values 2, 255 besides 0 and 1 (in 30 voxels)". */
export function nonBinaryProblem(found: { count: number; values: number[] }): string {
  const shown = [...found.values].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b)).map(String);
  const more = found.values.length >= SHOWN_VALUES ? ', ...' : '';
  return `found value${shown.length > 1 ? 's' : ''} ${shown.join(', ')}${more} besides 0 and 1 (in ${found.count} voxels)`;
}

/**
 * Throws (naming the file, the values and how many voxels) unless a mask holds only 0 and 1.
 * `role` reads in the message: "ground-truth mask", "prediction mask".
 */
export function checkBinaryMask(v: Volume, role: string): void {
  const found = nonBinaryVoxels(v.data);
  if (found.count > 0) refuse(v, `${role} is not binary: ${nonBinaryProblem(found)}`);
}
