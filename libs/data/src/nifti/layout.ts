import * as nifti from 'nifti-reader-js';
import type { Vec3 } from '../volume.ts';
import { NiftiError } from './errors.ts';
import { DATATYPES, datatypeFromCode } from './datatypes.ts';
import type { NiftiDatatype } from './datatypes.ts';
import type { NiftiHeader } from './header.ts';

/**
 * Bytes that always hold a whole header (NIfTI-2's 540 plus the 4-byte extension flag): reading
 * this much of a file (or of its inflated stream) is enough to know how many bytes the image has.
 */
export const HEADER_PROBE_BYTES = 544;

/**
 * Smallest vox_offset of a single-file image: the header plus the 4-byte extension flag
 * (nifti1.h; nibabel refuses less). 348 would read the flag as voxels, shifting the image.
 */
const MIN_VOX_OFFSET = { 1: 352, 2: 544 } as const;

/** What a header says about where the voxels are: enough to read exactly them and no more. */
export interface ImageLayout {
  header: NiftiHeader;
  shape: Vec3;
  datatype: NiftiDatatype;
  /** Byte offset of the first voxel. */
  offset: number;
  /** Bytes of voxel data (the file's length is exactly offset + nbytes). */
  nbytes: number;
}

/**
 * Parse and check the header at the start of `head` (at least {@link HEADER_PROBE_BYTES} bytes,
 * or the whole file when shorter). Throws a NiftiError naming the file for anything that is not a
 * readable single-file 3-D NIfTI image.
 */
export function imageLayout(path: string, head: Uint8Array): ImageLayout {
  if (head.length < 348) {
    throw new NiftiError(path, `not a NIfTI file: ${head.length} bytes is shorter than a NIfTI-1 header (348)`);
  }
  const first = new DataView(head.buffer, head.byteOffset, 348);
  const sizeLE = first.getInt32(0, true);
  const sizeBE = first.getInt32(0, false);
  const sizeofHdr = sizeLE === 348 || sizeLE === 540 ? sizeLE : sizeBE === 348 || sizeBE === 540 ? sizeBE : -1;
  if (sizeofHdr < 0) {
    throw new NiftiError(path, `not a NIfTI file: header size field is ${sizeLE}, expected 348 (NIfTI-1) or 540 (NIfTI-2)`);
  }
  const version: 1 | 2 = sizeofHdr === 348 ? 1 : 2;
  if (head.length < sizeofHdr) throw new NiftiError(path, `truncated header: ${head.length} of ${sizeofHdr} bytes`);
  const magic = version === 1 ? ascii(head, 344, 4) : ascii(head, 4, 4);
  if (version === 1 && magic === 'ni1') {
    throw new NiftiError(path, 'is a NIfTI-1 .hdr/.img pair header; only single-file .nii/.nii.gz is supported');
  }
  if ((version === 1 && magic !== 'n+1') || (version === 2 && magic !== 'n+2')) {
    throw new NiftiError(path, `not a NIfTI file: bad magic ${JSON.stringify(magic)}`);
  }
  // The parser gets its own exact ArrayBuffer (small Buffers live in a shared pool) holding the
  // header only. Extensions are not read (vox_offset says where the voxels start): the copy's
  // extension flag is cleared so the parser does not look past the bytes it was given.
  const ab = head.buffer.slice(head.byteOffset, head.byteOffset + Math.min(head.length, sizeofHdr + 4)) as ArrayBuffer;
  if (ab.byteLength >= sizeofHdr + 4) new Uint8Array(ab, sizeofHdr, 4).fill(0);
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
    throw new NiftiError(path, `unsupported datatype code ${header.datatypeCode}; supported: ${Object.keys(DATATYPES).join(', ')}`);
  }
  const offset = header.voxOffset;
  const minOffset = MIN_VOX_OFFSET[version];
  if (!Number.isInteger(offset) || offset < minOffset) {
    throw new NiftiError(
      path,
      `invalid vox_offset ${offset}: a single-file NIfTI-${version} image needs an integer >= ${minOffset} (header + 4-byte extension flag)`,
    );
  }
  return { header, shape, datatype, offset, nbytes: shape[0] * shape[1] * shape[2] * DATATYPES[datatype].bytes };
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
    throw new NiftiError(path, `has ${ndim} dimensions [${sizes.join(', ')}]: only 3-D images (or 4-D with a single volume) are supported`);
  }
  return [sizes[0] ?? 1, sizes[1] ?? 1, sizes[2] ?? 1];
}
