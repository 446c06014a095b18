import type { Vec3 } from '../volume.ts';

/** Fraction of each channel's intensity range (above its minimum) that counts as head, not air. */
export const HEAD_THRESHOLD = 0.1;

/**
 * The head's bounding box on a 2-channel interleaved working image, grown by `margin` voxels on
 * every side and clipped to the grid (nnU-Net crops to the non-zero region the same way).
 *
 * A voxel is head when either time point is above `min + HEAD_THRESHOLD * (max - min)` of its
 * channel. A slice along an axis belongs to the box when it holds at least
 * `max(8, 0.2 % of the slice)` head voxels, so isolated noise spikes in the air (Rician noise
 * at 4-5 sigma) do not stretch the box to the whole field of view.
 * An image with no head voxel keeps the whole grid.
 */
export function headBox(image: Float32Array, shape: Vec3, margin: number): { origin: Vec3; shape: Vec3 } {
  const [X, Y, Z] = shape;
  const thr: number[] = [];
  for (let c = 0; c < 2; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = c; i < image.length; i += 2) {
      const v = image[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    thr.push(lo + HEAD_THRESHOLD * (hi - lo));
  }
  const counts = [new Float64Array(X), new Float64Array(Y), new Float64Array(Z)];
  for (let z = 0, i = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, i++) {
        if (image[2 * i] > thr[0] || image[2 * i + 1] > thr[1]) {
          counts[0][x]++;
          counts[1][y]++;
          counts[2][z]++;
        }
      }
    }
  }
  const origin: number[] = [];
  const size: number[] = [];
  for (let a = 0; a < 3; a++) {
    const n = shape[a];
    const need = Math.max(8, (0.002 * (X * Y * Z)) / n);
    let first = -1;
    let last = -1;
    for (let k = 0; k < n; k++) {
      if (counts[a][k] >= need) {
        if (first < 0) first = k;
        last = k;
      }
    }
    if (first < 0) return { origin: [0, 0, 0], shape: [...shape] };
    const o = Math.max(0, first - margin);
    origin.push(o);
    size.push(Math.min(n - 1, last + margin) - o + 1);
  }
  return { origin: origin as Vec3, shape: size as Vec3 };
}
