/**
 * Test helper: the same image stored in another voxel order. The world position of every
 * voxel is kept (the affine changes with the data), as a scanner or `nib.as_closest_canonical`
 * inverse would write it.
 */
import type { Volume } from '@lesionseg/data';

export interface Storage {
  /** New voxel axis j holds the original voxel axis perm[j]. */
  perm: [number, number, number];
  /** New voxel axis j runs backwards. */
  flip: [boolean, boolean, boolean];
  /** A rotation (degrees) of the whole grid about the world z axis, applied after: an oblique copy. */
  obliqueDeg?: number;
}

export function restore(v: Volume, s: Storage): Volume {
  const [X, Y] = v.shape;
  const shape = s.perm.map((a) => v.shape[a]) as [number, number, number];
  const data = new Float32Array(v.data.length);
  const src = [0, 0, 0];
  let o = 0;
  for (let u2 = 0; u2 < shape[2]; u2++) {
    for (let u1 = 0; u1 < shape[1]; u1++) {
      for (let u0 = 0; u0 < shape[0]; u0++) {
        const u = [u0, u1, u2];
        for (let j = 0; j < 3; j++) src[s.perm[j]] = s.flip[j] ? shape[j] - 1 - u[j] : u[j];
        data[o++] = v.data[src[0] + X * (src[1] + Y * src[2])];
      }
    }
  }
  const A = v.affine;
  const affine = [0, 1, 2].map((i) => {
    const row = [0, 1, 2].map((j) => (s.flip[j] ? -1 : 1) * A[i][s.perm[j]]);
    const t = A[i][3] + [0, 1, 2].reduce((acc, j) => acc + (s.flip[j] ? A[i][s.perm[j]] * (shape[j] - 1) : 0), 0);
    return [...row, t];
  });
  affine.push([0, 0, 0, 1]);
  if (s.obliqueDeg) {
    const t = (s.obliqueDeg * Math.PI) / 180;
    const R = [
      [Math.cos(t), -Math.sin(t), 0],
      [Math.sin(t), Math.cos(t), 0],
      [0, 0, 1],
    ];
    const rotated = [0, 1, 2].map((i) => [0, 1, 2, 3].map((j) => R[i][0] * affine[0][j] + R[i][1] * affine[1][j] + R[i][2] * affine[2][j]));
    for (let i = 0; i < 3; i++) affine[i] = rotated[i];
  }
  const spacing = s.perm.map((a) => v.spacing[a]) as [number, number, number];
  return { shape, spacing, affine, data };
}
