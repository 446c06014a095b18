import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../src/index.ts';
import { createRng, headBox } from '../src/index.ts';

/** A 2-channel image: air 0 with sparse bright spikes, a "head" cuboid [lo, hi) of intensity 1 in `channel`. */
function image(shape: Vec3, lo: Vec3, hi: Vec3, channel: 0 | 1, spikes: number): Float32Array {
  const [X, Y, Z] = shape;
  const img = new Float32Array(2 * X * Y * Z);
  for (let z = lo[2]; z < hi[2]; z++) for (let y = lo[1]; y < hi[1]; y++) for (let x = lo[0]; x < hi[0]; x++) img[2 * (x + X * (y + Y * z)) + channel] = 1;
  const rng = createRng(4);
  for (let k = 0; k < spikes; k++) img[2 * Math.floor(rng.next() * X * Y * Z) + channel] = 0.9;
  return img;
}

describe('headBox', () => {
  it('is the head plus the margin, clipped to the grid, on either time point, and noise spikes in the air do not stretch it', () => {
    const shape: Vec3 = [40, 36, 30];
    for (const channel of [0, 1] as const) {
      const img = image(shape, [10, 8, 5], [30, 28, 25], channel, 30);
      expect(headBox(img, shape, 0)).toEqual({ origin: [10, 8, 5], shape: [20, 20, 20] });
      expect(headBox(img, shape, 4)).toEqual({ origin: [6, 4, 1], shape: [28, 28, 28] });
      // A margin past the edges keeps the whole grid, never more.
      expect(headBox(img, shape, 12)).toEqual({ origin: [0, 0, 0], shape });
    }
  });

  it('keeps the whole grid for an image without contrast', () => {
    const shape: Vec3 = [8, 8, 8];
    expect(headBox(new Float32Array(2 * 512), shape, 0)).toEqual({ origin: [0, 0, 0], shape });
  });
});
