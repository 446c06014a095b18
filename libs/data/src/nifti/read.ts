import type { Vec3 } from '../volume.ts';
import { NiftiError } from './errors.ts';
import { DATATYPES, HOST_LITTLE_ENDIAN, decodeVoxels } from './datatypes.ts';
import type { NiftiDatatype } from './datatypes.ts';
import type { NiftiHeader, NiftiImage } from './header.ts';
import { affineZooms, baseAffine, det3, qformToAffine } from './affine.ts';
import { HEADER_PROBE_BYTES, imageLayout } from './layout.ts';
import type { ImageLayout } from './layout.ts';
import { checkLength, readImageBytes } from './source.ts';

/**
 * Read a NIfTI-1 or NIfTI-2 file (`.nii` or `.nii.gz`, either byte order) as a 3-D volume.
 *
 * - Values are scaled by scl_slope/scl_inter unless the slope is 0, NaN or infinite (nibabel's rule).
 * - The affine follows nibabel: sform when sform_code != 0, else qform when qform_code != 0, else
 *   the Analyze-style pixdim affine (x flipped, centred). `spacing` is that affine's voxel size
 *   (its column norms), the size the voxels really have in the world.
 * - A 4-D file whose extra dimensions are all 1 reads as 3-D; 1-D/2-D files get trailing
 *   dimensions of 1. Anything with more than one volume is an error.
 * - Only the header and the voxel bytes it announces are read (a gzip stream is inflated no
 *   further); data after the image is an error.
 *
 * @throws NiftiError naming the file and the problem for missing, empty, truncated, corrupt,
 *   non-NIfTI or unsupported files, a vox_offset inside the header, data after the image, and a
 *   non-finite pixdim or an affine that is not finite with non-zero voxel sizes.
 */
export async function readNifti(path: string): Promise<NiftiImage> {
  const { layout, voxels } = await readImageBytes(path);
  return decodeImage(path, layout, voxels);
}

/** Parse an uncompressed NIfTI byte buffer; `path` is only used in error messages and the result. */
export function parseNifti(path: string, bytes: Uint8Array): NiftiImage {
  const layout = imageLayout(path, bytes.subarray(0, HEADER_PROBE_BYTES));
  checkLength(path, layout, bytes.length);
  // A typed-array view needs aligned bytes, and byte swapping must not touch the caller's buffer:
  // view the buffer directly when both hold (the usual little-endian case, saving one copy of
  // the voxel data), else work on a private copy.
  const { offset, nbytes } = layout;
  const start = bytes.byteOffset + offset;
  const direct = layout.header.littleEndian === HOST_LITTLE_ENDIAN && start % DATATYPES[layout.datatype].bytes === 0;
  const raw = direct ? new Uint8Array(bytes.buffer, start, nbytes) : Uint8Array.from(bytes.subarray(offset, offset + nbytes));
  return decodeImage(path, layout, raw);
}

/** Voxel values and geometry of an image whose exact voxel bytes are `raw` (swapped in place if needed). */
function decodeImage(path: string, layout: ImageLayout, raw: Uint8Array): NiftiImage {
  const { header, shape, datatype } = layout;
  const data = decodeVoxels(raw, datatype, header.littleEndian, scaling(path, header));
  const affine = bestAffine(path, header, shape);
  return { path, datatype, header, shape, spacing: checkedZooms(path, header, affine), affine, data };
}

function scaling(path: string, h: NiftiHeader): { slope: number; inter: number } | null {
  const { sclSlope: slope, sclInter: inter } = h;
  if (slope === 0 || !Number.isFinite(slope)) return null;
  if (!Number.isFinite(inter)) throw new NiftiError(path, `valid scl_slope ${slope} but invalid scl_inter ${inter}`);
  if (slope === 1 && inter === 0) return null;
  return { slope, inter };
}

function bestAffine(path: string, h: NiftiHeader, shape: Vec3): number[][] {
  if (h.sformCode !== 0) return [...h.srow.map((r) => r.slice()), [0, 0, 0, 1]];
  const zooms: Vec3 = [h.pixdim[1], h.pixdim[2], h.pixdim[3]];
  if (h.qformCode !== 0) {
    if (zooms.some((z) => z < 0)) throw new NiftiError(path, `negative pixdim [${zooms.join(', ')}] with a qform`);
    try {
      return qformToAffine({ quatern: h.quatern, offset: h.qoffset, zooms, qfac: h.pixdim[0] < 0 ? -1 : 1 });
    } catch (e) {
      throw new NiftiError(path, (e as Error).message, { cause: e });
    }
  }
  return baseAffine(shape, zooms.map((z) => Math.abs(z)) as Vec3);
}

/**
 * The voxel size of the affine in use (its column norms), checked: pixdim[1..3] finite (a file
 * written on this grid copies them), the affine's entries finite, every voxel size finite and
 * > 0, and the matrix invertible. A zero or NaN voxel size would otherwise make every lesion
 * volume 0 (so "too small to count") and every resampling step NaN.
 */
function checkedZooms(path: string, h: NiftiHeader, affine: number[][]): Vec3 {
  const pix = h.pixdim.slice(1, 4);
  if (pix.some((p) => !Number.isFinite(p))) throw new NiftiError(path, `non-finite voxel size in pixdim [${pix.join(', ')}]`);
  const source =
    h.sformCode !== 0 ? `sform (sform_code ${h.sformCode})` : h.qformCode !== 0 ? `qform (qform_code ${h.qformCode})` : 'pixdim affine (no sform or qform)';
  const rows = affine.slice(0, 3);
  if (rows.some((row) => row.some((v) => !Number.isFinite(v)))) {
    throw new NiftiError(path, `the ${source} has non-finite entries [${rows.map((r) => `[${r.join(', ')}]`).join(', ')}]`);
  }
  const zooms = affineZooms(affine);
  if (zooms.some((z) => !(z > 0 && Number.isFinite(z))) || det3(affine) === 0) {
    throw new NiftiError(
      path,
      `the ${source} gives voxel size [${zooms.join(', ')}] mm: each must be finite and > 0, with independent axes (zero pixdim or a degenerate matrix?)`,
    );
  }
  return zooms;
}

/** The datatype name of a file's voxels, for messages and `nifti-info`. */
export type { NiftiDatatype };
