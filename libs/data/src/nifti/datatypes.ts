/** The voxel types we read (and, for a subset, write). */
export type NiftiDatatype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

type TypedArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

interface DatatypeInfo {
  code: number;
  bytes: number;
  array: TypedArrayCtor;
}

/** NIfTI-1 datatype codes (nifti1.h, NIFTI_TYPE_*). */
export const DATATYPES: Record<NiftiDatatype, DatatypeInfo> = {
  uint8: { code: 2, bytes: 1, array: Uint8Array },
  int16: { code: 4, bytes: 2, array: Int16Array },
  int32: { code: 8, bytes: 4, array: Int32Array },
  float32: { code: 16, bytes: 4, array: Float32Array },
  float64: { code: 64, bytes: 8, array: Float64Array },
  int8: { code: 256, bytes: 1, array: Int8Array },
  uint16: { code: 512, bytes: 2, array: Uint16Array },
  uint32: { code: 768, bytes: 4, array: Uint32Array },
};

/** Datatype name for a NIfTI code, or undefined for codes we do not support (complex, RGB, int64...). */
export function datatypeFromCode(code: number): NiftiDatatype | undefined {
  for (const [name, info] of Object.entries(DATATYPES)) if (info.code === code) return name as NiftiDatatype;
  return undefined;
}

/** Whether this machine stores numbers little-endian (every platform Node supports in practice). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverse the byte order of each `bytes`-sized element in place (big-endian files on a little-endian host). */
export function swapBytes(buf: Uint8Array, bytes: number): void {
  if (bytes === 1) return;
  for (let i = 0; i < buf.length; i += bytes) {
    for (let a = i, b = i + bytes - 1; a < b; a++, b--) {
      const t = buf[a];
      buf[a] = buf[b];
      buf[b] = t;
    }
  }
}

/**
 * Decode raw voxel bytes into float32 values, applying `value * slope + inter` when scaling is on.
 * `raw` must be aligned to the element size; for a byte order other than the host's it must be
 * a private copy (it is byte-swapped in place).
 */
export function decodeVoxels(raw: Uint8Array, datatype: NiftiDatatype, littleEndian: boolean, scaling: { slope: number; inter: number } | null): Float32Array {
  const info = DATATYPES[datatype];
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(raw, info.bytes);
  const n = raw.length / info.bytes;
  const typed = new info.array(raw.buffer as ArrayBuffer, raw.byteOffset, n);
  const out = new Float32Array(n);
  if (scaling) {
    const { slope, inter } = scaling;
    // Scale in float64 (as nibabel does) and round once when storing.
    for (let i = 0; i < n; i++) out[i] = typed[i] * slope + inter;
  } else {
    out.set(typed);
  }
  return out;
}
