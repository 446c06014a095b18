/** Tiny seeded patch batches for tests: a bright blob in the follow-up channel marks the lesion. */
import { mulberry32 } from '../src/util/rng.ts';
import type { PatchBatch } from '../src/train/patch-batch.ts';

export function syntheticBatch(count: number, side: number, seed: number): PatchBatch {
  const rand = mulberry32(seed);
  const v = side ** 3;
  const images = new Float32Array(count * v * 2);
  const masks = new Float32Array(count * v);
  for (let p = 0; p < count; p++) {
    const cz = Math.floor(rand() * side),
      cy = Math.floor(rand() * side),
      cx = Math.floor(rand() * side);
    const hasLesion = p % 2 === 0;
    for (let z = 0; z < side; z++)
      for (let y = 0; y < side; y++)
        for (let x = 0; x < side; x++) {
          const i = x + side * (y + side * z);
          const inside = hasLesion && Math.abs(z - cz) <= 1 && Math.abs(y - cy) <= 1 && Math.abs(x - cx) <= 1;
          const base = rand() - 0.5;
          images[(p * v + i) * 2] = base;
          images[(p * v + i) * 2 + 1] = base + (inside ? 2 : 0) + 0.1 * (rand() - 0.5);
          masks[p * v + i] = inside ? 1 : 0;
        }
  }
  return { images, masks, count, shape: [side, side, side] };
}
