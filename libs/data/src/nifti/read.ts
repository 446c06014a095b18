import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import * as nifti from 'nifti-reader-js';
import type { Vec3 } from '../volume.ts';
import { NiftiError } from './errors.ts';
import { DATATYPES, HOST_LITTLE_ENDIAN, datatypeFromCode, decodeVoxels } from './datatypes.ts';
import type { NiftiDatatype } from './datatypes.ts';
import type { NiftiHeader, NiftiImage } from './header.ts';
import { baseAffine, qformToAffine } from './affine.ts';

const gunzipAsync = promisify(gunzip);

/**
 * Read a NIfTI-1 or NIfTI-2 file (`.nii` or `.nii.gz`, either byte order) as a 3-D volume.
 *
 * - Values are scaled by scl_slope/scl_inter unless the slope is 0, NaN or infinite (nibabel's rule).
 * - The affine follows nibabel: sform when sform_code != 0, else qform when qform_code != 0, else
 *   the Analyze-style pixdim affine (x flipped, centred).
 * - A 4-D file whose extra dimensions are all 1 reads as 3-D; 1-D/2-D files get trailing
 *   dimensions of 1. Anything with more than one volume is an error.
 *
 * @throws NiftiError naming the file and the problem for missing, empty, truncated, corrupt,
 *   non-NIfTI or unsupported files.
 */
export async function readNifti(path: string): Promise<NiftiImage> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (e) {
    throw new NiftiError(path, `cannot read file (${(e as Error).message})`, { cause: e });
  }
  if (file.length === 0) throw new NiftiError(path, 'file is empty');
  let bytes: Buffer = file;
  if (file.length >= 2 && file[0] === 0x1f && file[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(file);
    } catch (e) {
      throw new NiftiError(path, `corrupt or truncated gzip data (${(e as Error).message})`, { cause: e });
    }
  }
  return parseNifti(path, bytes);
}

/** Parse an uncompressed NIfTI byte buffer; `path` is only used in error messages and the result. */
export function parseNifti(path: string, bytes: Uint8Array): NiftiImage {
  if (bytes.length < 348) {
    throw new NiftiError(path, `not a NIfTI file: ${bytes.length} bytes is shorter than a NIfTI-1 header (348)`);
  }
  const first = new DataView(bytes.buffer, bytes.byteOffset, 348);
  const sizeLE = first.getInt32(0, true);
  const sizeBE = first.getInt32(0, false);
  const sizeofHdr = sizeLE === 348 || sizeLE === 540 ? sizeLE : sizeBE === 348 || sizeBE === 540 ? sizeBE : -1;
  if (sizeofHdr < 0) {
    throw new NiftiError(path, `not a NIfTI file: header size field is ${sizeLE}, expected 348 (NIfTI-1) or 540 (NIfTI-2)`);
  }
  const version: 1 | 2 = sizeofHdr === 348 ? 1 : 2;
  if (bytes.length < sizeofHdr) throw new NiftiError(path, `truncated header: ${bytes.length} of ${sizeofHdr} bytes`);
  const magic = version === 1 ? ascii(bytes, 344, 4) : ascii(bytes, 4, 4);
  if (version === 1 && magic === 'ni1') {
    throw new NiftiError(path, 'is a NIfTI-1 .hdr/.img pair header; only single-file .nii/.nii.gz is supported');
  }
  if ((version === 1 && magic !== 'n+1') || (version === 2 && magic !== 'n+2')) {
    throw new NiftiError(path, `not a NIfTI file: bad magic ${JSON.stringify(magic)}`);
  }
  // The parser gets its own exact ArrayBuffer (small Buffers live in a shared pool) holding the
  // header and any extensions, i.e. everything before vox_offset, not a copy of the whole file.
  const headerLE = sizeLE === sizeofHdr;
  const declaredOffset = version === 1 ? first.getFloat32(108, headerLE) : Number(new DataView(bytes.buffer, bytes.byteOffset, 176).getBigInt64(168, headerLE));
  const headerBytes = Math.min(bytes.length, Math.max(sizeofHdr + 4, Number.isFinite(declaredOffset) ? declaredOffset : 0));
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + headerBytes) as ArrayBuffer;
  const view = new DataView(ab);
  let parsed: ReturnType<typeof nifti.readHeader>;
  try {
    parsed = nifti.readHeader(ab);
  } catch (e) {
    throw new NiftiError(path, `unreadable header (${(e as Error).message})`, { cause: e });
  }
  const le = parsed.littleEndian;
  const header: NiftiHeader = {
    version,
    littleEndian: le,
    dim: Array.from(parsed.dims, Number),
    pixdim: Array.from(parsed.pixDims, Number),
    datatypeCode: parsed.datatypeCode,
    voxOffset: Number(parsed.vox_offset),
    sclSlope: parsed.scl_slope,
    sclInter: parsed.scl_inter,
    qformCode: parsed.qform_code,
    sformCode: parsed.sform_code,
    quatern: [parsed.quatern_b, parsed.quatern_c, parsed.quatern_d],
    qoffset: [parsed.qoffset_x, parsed.qoffset_y, parsed.qoffset_z],
    srow: readSrow(view, version, le),
    xyztUnits: parsed.xyzt_units,
    dimInfo: parsed.dim_info,
    intentCode: parsed.intent_code,
    intentName: parsed.intent_name,
    description: parsed.description,
    calMin: parsed.cal_min,
    calMax: parsed.cal_max,
  };

  const shape = gridShape(path, header.dim);
  const datatype = datatypeFromCode(header.datatypeCode);
  if (!datatype) {
    throw new NiftiError(
      path,
      `unsupported datatype code ${header.datatypeCode}; supported: ${Object.keys(DATATYPES).join(', ')}`,
    );
  }
  const info = DATATYPES[datatype];
  const nbytes = shape[0] * shape[1] * shape[2] * info.bytes;
  const offset = header.voxOffset;
  if (!Number.isInteger(offset) || offset < sizeofHdr) {
    throw new NiftiError(path, `invalid vox_offset ${offset} (must be an integer >= ${sizeofHdr})`);
  }
  if (bytes.length < offset + nbytes) {
    throw new NiftiError(
      path,
      `truncated voxel data: expected ${nbytes} bytes of ${datatype} after offset ${offset}, found ${Math.max(0, bytes.length - offset)}`,
    );
  }
  // A typed-array view needs aligned bytes, and byte swapping must not touch the caller's buffer:
  // view the file bytes directly when both hold (the usual little-endian case, saving one copy
  // of the voxel data), else work on a private copy.
  const start = bytes.byteOffset + offset;
  const direct = le === HOST_LITTLE_ENDIAN && start % info.bytes === 0;
  const raw = direct ? new Uint8Array(bytes.buffer, start, nbytes) : Uint8Array.from(bytes.subarray(offset, offset + nbytes));
  const data = decodeVoxels(raw, datatype, le, scaling(path, header));

  const zooms: Vec3 = [header.pixdim[1], header.pixdim[2], header.pixdim[3]];
  return {
    path,
    datatype,
    header,
    shape,
    spacing: zooms.map((z) => Math.abs(z)) as Vec3,
    affine: bestAffine(path, header, shape),
    data,
  };
}

function ascii(bytes: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function readSrow(view: DataView, version: 1 | 2, le: boolean): [number[], number[], number[]] {
  const rows: number[][] = [];
  for (let r = 0; r < 3; r++) {
    const row: number[] = [];
    for (let c = 0; c < 4; c++) {
      row.push(version === 1 ? view.getFloat32(280 + 16 * r + 4 * c, le) : view.getFloat64(400 + 32 * r + 8 * c, le));
    }
    rows.push(row);
  }
  return rows as [number[], number[], number[]];
}

function gridShape(path: string, dim: number[]): Vec3 {
  const ndim = dim[0];
  if (!(ndim >= 1 && ndim <= 7)) throw new NiftiError(path, `invalid dim[0] = ${ndim} (must be 1..7)`);
  const sizes = dim.slice(1, ndim + 1);
  if (sizes.some((s) => !(Number.isInteger(s) && s >= 1))) {
    throw new NiftiError(path, `invalid dimensions [${sizes.join(', ')}]`);
  }
  const extra = sizes.slice(3);
  if (extra.some((s) => s !== 1)) {
    throw new NiftiError(
      path,
      `has ${ndim} dimensions [${sizes.join(', ')}]: only 3-D images (or 4-D with a single volume) are supported`,
    );
  }
  return [sizes[0] ?? 1, sizes[1] ?? 1, sizes[2] ?? 1];
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

/** The datatype name of a file's voxels, for messages and `nifti-info`. */
export type { NiftiDatatype };
