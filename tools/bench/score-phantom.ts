import { mulberry32, type Vec3 } from '@lesionseg/data';

/** Seeded generator (mulberry32, from @lesionseg/data). */
export const rng = mulberry32;

/** Ellipsoid centres and radii (voxels) of a phantom's lesions. */
export interface Blob {
  c: Vec3;
  r: Vec3;
}

export function randomBlobs(seed: number, shape: Vec3, n: number, minR: number, maxR: number): Blob[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({
    c: shape.map((s) => 0.15 * s + 0.7 * s * r()) as Vec3,
    r: [0, 1, 2].map(() => minR + (maxR - minR) * r()) as Vec3,
  }));
}

/** Paint ellipsoids into a 0/1 mask (only their bounding boxes are visited). */
export function paint(shape: Vec3, blobs: Blob[], shift: Vec3 = [0, 0, 0], scale = 1): Uint8Array {
  const [X, Y, Z] = shape;
  const m = new Uint8Array(X * Y * Z);
  for (const b of blobs) {
    const c = b.c.map((v, a) => v + shift[a]);
    const rad = b.r.map((v) => v * scale);
    const lo = c.map((v, a) => Math.max(0, Math.floor(v - rad[a])));
    const hi = c.map((v, a) => Math.min(shape[a] - 1, Math.ceil(v + rad[a])));
    for (let z = lo[2]; z <= hi[2]; z++)
      for (let y = lo[1]; y <= hi[1]; y++)
        for (let x = lo[0]; x <= hi[0]; x++) {
          const d = ((x - c[0]) / rad[0]) ** 2 + ((y - c[1]) / rad[1]) ** 2 + ((z - c[2]) / rad[2]) ** 2;
          if (d <= 1) m[x + X * (y + Y * z)] = 1;
        }
  }
  return m;
}

/** Sprinkle isolated voxels (tiny false positives) with probability p per voxel, seeded. */
export function sprinkle(m: Uint8Array, seed: number, count: number): void {
  const r = rng(seed);
  for (let k = 0; k < count; k++) m[Math.floor(r() * m.length)] = 1;
}
