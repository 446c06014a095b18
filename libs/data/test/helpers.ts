import type { PreprocessedPatient, Vec3 } from '../src/index.ts';
import { createRng, precomputePositives, workingGrid } from '../src/index.ts';

/** A small synthetic working-grid patient with random images and the given lesion voxels. */
export function tinyPatient(shape: Vec3, lesions: Vec3[], seed = 1): PreprocessedPatient {
  const rng = createRng(seed);
  const n = shape[0] * shape[1] * shape[2];
  const image = new Float32Array(2 * n);
  for (let i = 0; i < image.length; i++) image[i] = rng.next() * 4 - 2;
  const mask = new Uint8Array(n);
  for (const [x, y, z] of lesions) mask[x + shape[0] * (y + shape[1] * z)] = 1;
  const affine = [
    [0.5, 0, 0, 0],
    [0, 0.5, 0, 0],
    [0, 0, 0.5, 0],
    [0, 0, 0, 1],
  ];
  return {
    id: `tiny-${seed}`,
    shape,
    spacing: [0.5, 0.5, 0.5],
    affine,
    channels: 2,
    image,
    mask,
    positives: precomputePositives(mask),
    padValue: [-7, -9],
    grid: workingGrid(shape, affine, 0.5),
  };
}
