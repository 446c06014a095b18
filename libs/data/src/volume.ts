/** A 3-vector: voxel counts, spacings or coordinates in (x, y, z) order. */
export type Vec3 = [number, number, number];

/**
 * A scalar 3-D image on a voxel grid.
 *
 * Memory order is x fastest: `index = x + X * (y + Y * z)`, the order NIfTI stores voxels in,
 * so a file's bytes map straight onto `data` without any transposition.
 */
export interface Volume {
  /** [X, Y, Z] voxel counts (NIfTI dim[1..3]). */
  shape: Vec3;
  /** Voxel size in mm (NIfTI pixdim[1..3]). */
  spacing: Vec3;
  /** 4x4 voxel -> world (RAS+ mm) matrix, row-major `affine[row][col]`. */
  affine: number[][];
  /** Voxel values (after scl_slope/scl_inter), x fastest. */
  data: Float32Array;
}

/** Number of voxels of a grid. */
export function voxelCount(shape: Vec3): number {
  return shape[0] * shape[1] * shape[2];
}

/** Linear index of voxel (x, y, z) in x-fastest order. */
export function voxelIndex(shape: Vec3, x: number, y: number, z: number): number {
  return x + shape[0] * (y + shape[1] * z);
}

/** Inverse of {@link voxelIndex}: the (x, y, z) of a linear index. */
export function voxelCoords(shape: Vec3, index: number): Vec3 {
  const x = index % shape[0];
  const rest = (index - x) / shape[0];
  const y = rest % shape[1];
  return [x, y, (rest - y) / shape[1]];
}

/** A deep copy of a 4x4 matrix (affines are shared by reference otherwise). */
export function copyAffine(affine: readonly (readonly number[])[]): number[][] {
  return affine.map((row) => row.slice());
}
