import { mulberry32, type Vec3 } from '@lesionseg/data';

/** Test helper: an empty 0/1 mask on a grid. */
export function emptyMask(shape: Vec3): Uint8Array {
  return new Uint8Array(shape[0] * shape[1] * shape[2]);
}

/** Set the inclusive box [x0..x1] x [y0..y1] x [z0..z1] to 1 (the spec's notation). */
export function box(m: Uint8Array, shape: Vec3, x: [number, number], y: [number, number], z: [number, number]): Uint8Array {
  for (let k = z[0]; k <= z[1]; k++) for (let j = y[0]; j <= y[1]; j++) for (let i = x[0]; i <= x[1]; i++) m[i + shape[0] * (j + shape[1] * k)] = 1;
  return m;
}

/** Set single voxels to 1. */
export function voxels(m: Uint8Array, shape: Vec3, ...ps: Vec3[]): Uint8Array {
  for (const [i, j, k] of ps) m[i + shape[0] * (j + shape[1] * k)] = 1;
  return m;
}

/** Mulberry32 (from @lesionseg/data): a small seeded generator so random tests are reproducible. */
export const rng = mulberry32;
