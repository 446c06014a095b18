import { gridMismatch, isFile, readNifti, type NiftiImage } from '@lesionseg/data';
import { AFFINE_TOLERANCE_MM } from '../score/load.ts';

export type ExistingOutput = { complete: true; lesionVoxels: number; lesionVolumeMm3: number } | { complete: false; reason: string | null };

/** One output file: reads in full, the expected datatype, the input's grid, the same settings key in its descrip. */
async function check(
  path: string,
  datatype: 'uint8' | 'float32',
  grid: NiftiImage,
  key: string,
): Promise<{ ok: true; image: NiftiImage } | { ok: false; reason: string }> {
  let img: NiftiImage;
  try {
    img = await readNifti(path); // decompresses and reads every voxel: a truncated file fails here
  } catch (e) {
    return { ok: false, reason: `${path} does not read in full (${(e as Error).message})` };
  }
  if (img.datatype !== datatype) return { ok: false, reason: `${path} is ${img.datatype}, not ${datatype}` };
  if (gridMismatch(grid, img, AFFINE_TOLERANCE_MM) !== null) {
    return { ok: false, reason: `${path} is not on the input's grid` };
  }
  const descrip = img.header.description ?? '';
  if (!` ${descrip} `.includes(` ${key} `)) return { ok: false, reason: `${path} was made with other settings (descrip "${descrip}", now "${key}")` };
  return { ok: true, image: img };
}

/**
 * Whether a patient's outputs from an earlier `predict --data` can be kept. Complete means: the
 * mask (and the probabilities, when asked for) exist, read in full (gzip stream and voxel data
 * complete), have the datatype predict writes, lie on flair1's grid, and their descrip carries
 * the same settings key (checkpoint weights' checksum, threshold, TTA, post-processing). Outputs
 * are renamed into place only when fully written, so a file cut short by a crash or a full disk
 * is unusual; it, or one made by another model, is redone. `reason` is null when nothing exists.
 */
export async function existingOutput(files: { flair1: string; mask: string; probabilities: string | null }, key: string): Promise<ExistingOutput> {
  const wanted = [files.mask, ...(files.probabilities ? [files.probabilities] : [])];
  const present = await Promise.all(wanted.map(isFile));
  if (!present.some(Boolean)) return { complete: false, reason: null };
  if (!present.every(Boolean)) return { complete: false, reason: `${wanted[present.indexOf(false)]} is missing` };
  const grid = await readNifti(files.flair1);
  const mask = await check(files.mask, 'uint8', grid, key);
  if (!mask.ok) return { complete: false, reason: mask.reason };
  if (files.probabilities) {
    const prob = await check(files.probabilities, 'float32', grid, key);
    if (!prob.ok) return { complete: false, reason: prob.reason };
  }
  let lesionVoxels = 0;
  for (const v of mask.image.data) lesionVoxels += v;
  const [sx, sy, sz] = mask.image.spacing;
  return { complete: true, lesionVoxels, lesionVolumeMm3: lesionVoxels * sx * sy * sz };
}
