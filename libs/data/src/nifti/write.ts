import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Volume } from '../volume.ts';
import { voxelCount } from '../volume.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { NiftiError } from './errors.ts';
import { DATATYPES } from './datatypes.ts';
import type { NiftiImage } from './header.ts';
import { affineMaxDiff, affineToQform } from './affine.ts';
import type { QForm } from './affine.ts';

const gzipAsync = promisify(gzip);

/** Options of {@link writeNifti}. */
export interface WriteNiftiOptions {
  /** Voxel type on disk (default float32). Integer types round to nearest; out-of-range values are an error. */
  datatype?: 'float32' | 'uint8' | 'int16';
  /**
   * A file this one is a sibling of (e.g. the FLAIR a mask was predicted for). Its orientation
   * codes, units and description are kept, and when the volume's affine equals the template's,
   * the template's qform/sform fields are copied verbatim so viewers overlay the two exactly.
   */
  template?: NiftiImage;
  /** Header description (descrip); at most 79 characters are kept. */
  description?: string;
}

/** NIFTI_XFORM_SCANNER_ANAT: what MSSEG-2 and most scanners' converters write. */
const XFORM_SCANNER = 1;
/** NIFTI_UNITS_MM | NIFTI_UNITS_SEC. */
const UNITS_MM_SEC = 2 | 8;
const HEADER_BYTES = 348;
const VOX_OFFSET = 352;

/**
 * Write a volume as NIfTI-1 (`.nii.gz` gzipped, `.nii` plain), little-endian, with the affine in
 * both the sform and the qform (a sheared affine's qform is its nearest rotation, as nibabel does).
 * The file appears atomically: it is written under a temporary name in the same folder and renamed.
 * Parent folders are created.
 *
 * @throws NiftiError naming the file for a bad extension, mismatched data length, values that do
 *   not fit the datatype, or an I/O failure.
 */
export async function writeNifti(path: string, volume: Volume, options: WriteNiftiOptions = {}): Promise<void> {
  const gz = path.endsWith('.nii.gz');
  if (!gz && !path.endsWith('.nii')) throw new NiftiError(path, 'output name must end in .nii or .nii.gz');
  const bytes = encodeNifti(path, volume, options);
  const out = gz ? await gzipAsync(bytes, { level: 6 }) : bytes;
  try {
    await writeFileAtomic(path, out);
  } catch (e) {
    const reason = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    throw new NiftiError(path, `cannot write file (${reason})`, { cause: e });
  }
}

/** The uncompressed bytes of a NIfTI-1 file holding `volume` (exported for tests and tools). */
export function encodeNifti(path: string, volume: Volume, options: WriteNiftiOptions = {}): Uint8Array {
  const datatype = options.datatype ?? 'float32';
  const info = DATATYPES[datatype];
  const n = voxelCount(volume.shape);
  if (volume.data.length !== n) {
    throw new NiftiError(path, `data has ${volume.data.length} values but shape [${volume.shape.join(', ')}] needs ${n}`);
  }
  const template = options.template;
  const sameGrid =
    template !== undefined &&
    template.header.version === 1 &&
    template.shape.every((s, i) => s === volume.shape[i]) &&
    affineMaxDiff(template.affine, volume.affine) === 0;

  const buf = new Uint8Array(VOX_OFFSET + n * info.bytes);
  const v = new DataView(buf.buffer);
  const le = true;
  v.setInt32(0, HEADER_BYTES, le);
  buf[38] = 'r'.charCodeAt(0); // "regular", as nibabel writes
  buf[39] = template?.header.dimInfo ?? 0;
  const dim = [3, volume.shape[0], volume.shape[1], volume.shape[2], 1, 1, 1, 1];
  dim.forEach((d, i) => v.setInt16(40 + 2 * i, d, le));
  v.setInt16(70, info.code, le);
  v.setInt16(72, info.bytes * 8, le);

  let qform: QForm;
  try {
    qform = affineToQform(volume.affine);
  } catch (e) {
    throw new NiftiError(path, (e as Error).message, { cause: e });
  }
  const pixdim = [qform.qfac, ...qform.zooms, 0, 0, 0, 0];
  let quatern = qform.quatern;
  let qoffset = qform.offset;
  let srow = volume.affine.slice(0, 3);
  if (sameGrid) {
    // Copy the template's stored geometry bit for bit rather than re-deriving it.
    const h = template.header;
    if (h.qformCode > 0) {
      pixdim[0] = h.pixdim[0] < 0 ? -1 : 1;
      for (let i = 1; i < 4; i++) pixdim[i] = h.pixdim[i];
      quatern = h.quatern;
      qoffset = h.qoffset;
    }
    if (h.sformCode !== 0) srow = h.srow;
  }
  pixdim.forEach((p, i) => v.setFloat32(76 + 4 * i, p, le));
  v.setFloat32(108, VOX_OFFSET, le);
  v.setFloat32(112, 1, le); // scl_slope: values are stored unscaled
  v.setFloat32(116, 0, le);
  buf[123] = template?.header.xyztUnits ?? UNITS_MM_SEC;
  const description = (options.description ?? template?.header.description ?? '').slice(0, 79);
  for (let i = 0; i < description.length; i++) buf[148 + i] = description.charCodeAt(i) & 0x7f;
  const qformCode = sameGrid && template.header.qformCode > 0 ? template.header.qformCode : XFORM_SCANNER;
  const sformCode = sameGrid && template.header.sformCode > 0 ? template.header.sformCode : XFORM_SCANNER;
  v.setInt16(252, qformCode, le);
  v.setInt16(254, sformCode, le);
  quatern.forEach((q, i) => v.setFloat32(256 + 4 * i, q, le));
  qoffset.forEach((q, i) => v.setFloat32(268 + 4 * i, q, le));
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, srow[r][c], le);
  buf.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0"
  // bytes 348..351: extension flag 0 (no extensions)

  encodeVoxels(path, volume.data, datatype, buf, VOX_OFFSET);
  return buf;
}

function encodeVoxels(path: string, data: Float32Array, datatype: 'float32' | 'uint8' | 'int16', buf: Uint8Array, offset: number): void {
  const n = data.length;
  if (datatype === 'float32') {
    new Float32Array(buf.buffer, offset, n).set(data);
    return;
  }
  const [lo, hi] = datatype === 'uint8' ? [0, 255] : [-32768, 32767];
  const out = datatype === 'uint8' ? new Uint8Array(buf.buffer, offset, n) : new Int16Array(buf.buffer, offset, n);
  for (let i = 0; i < n; i++) {
    const r = Math.round(data[i]);
    if (!(r >= lo && r <= hi)) {
      throw new NiftiError(path, `value ${data[i]} at voxel ${i} does not fit ${datatype} [${lo}, ${hi}]`);
    }
    out[i] = r;
  }
}
