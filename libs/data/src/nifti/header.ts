import type { Vec3 } from '../volume.ts';
import type { NiftiDatatype } from './datatypes.ts';

/**
 * The header fields we keep from a file: enough to write a new file on the same grid with the
 * same orientation codes (see `writeNifti`'s `template`), and to explain what the file says.
 */
export interface NiftiHeader {
  /** 1 for NIfTI-1 (348-byte header), 2 for NIfTI-2 (540-byte header). */
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[0..7] as stored. */
  dim: number[];
  /** pixdim[0..7] as stored (pixdim[0] is qfac). */
  pixdim: number[];
  datatypeCode: number;
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  /** quatern_b, quatern_c, quatern_d. */
  quatern: Vec3;
  /** qoffset_x, qoffset_y, qoffset_z. */
  qoffset: Vec3;
  /** srow_x, srow_y, srow_z as stored. */
  srow: [number[], number[], number[]];
  xyztUnits: number;
  dimInfo: number;
  intentCode: number;
  intentName: string;
  description: string;
  calMin: number;
  calMax: number;
}

/** A NIfTI file read into memory: the volume plus what is needed to write a sibling file. */
export interface NiftiImage {
  path: string;
  datatype: NiftiDatatype;
  header: NiftiHeader;
  shape: Vec3;
  spacing: Vec3;
  affine: number[][];
  data: Float32Array;
}
