import type { Vec3 } from '@lesionseg/data';
import type { Lesions } from './components.ts';
import type { RunMask } from './runs.ts';

/** Where a lesion sits: centroid and bounding box in voxel indices. */
export interface LesionGeometry {
  centroidVoxel: Vec3;
  bboxMin: Vec3;
  bboxMax: Vec3;
}

/** Centroid (mean voxel index) and inclusive bounding box of every kept lesion, index 1..count. */
export function lesionGeometry(runs: RunMask, lesions: Lesions): LesionGeometry[] {
  const n = lesions.count;
  const sum = new Float64Array(3 * (n + 1));
  const lo = new Float64Array(3 * (n + 1)).fill(Infinity);
  const hi = new Float64Array(3 * (n + 1)).fill(-Infinity);
  const Y = runs.shape[1];
  const rows = runs.rowStart.length - 1;
  for (let r = 0; r < rows; r++) {
    const y = r % Y;
    const z = (r - y) / Y;
    for (let k = runs.rowStart[r]; k < runs.rowStart[r + 1]; k++) {
      const l = lesions.runLabel[k];
      if (l === 0) continue;
      const s = runs.start[k];
      const e = runs.end[k] - 1;
      const len = e - s + 1;
      sum[3 * l] += ((s + e) * len) / 2;
      sum[3 * l + 1] += y * len;
      sum[3 * l + 2] += z * len;
      const c: Vec3 = [s, y, z];
      const d: Vec3 = [e, y, z];
      for (let a = 0; a < 3; a++) {
        if (c[a] < lo[3 * l + a]) lo[3 * l + a] = c[a];
        if (d[a] > hi[3 * l + a]) hi[3 * l + a] = d[a];
      }
    }
  }
  const out: LesionGeometry[] = [];
  for (let l = 1; l <= n; l++) {
    const v = lesions.size[l];
    out[l] = {
      centroidVoxel: [sum[3 * l] / v, sum[3 * l + 1] / v, sum[3 * l + 2] / v],
      bboxMin: [lo[3 * l], lo[3 * l + 1], lo[3 * l + 2]],
      bboxMax: [hi[3 * l], hi[3 * l + 1], hi[3 * l + 2]],
    };
  }
  return out;
}

/** Voxel coordinates to world (mm) through a 4x4 row-major affine. */
export function voxelToWorld(affine: readonly (readonly number[])[], p: Vec3): Vec3 {
  const w: Vec3 = [0, 0, 0];
  for (let r = 0; r < 3; r++) w[r] = affine[r][0] * p[0] + affine[r][1] * p[1] + affine[r][2] * p[2] + affine[r][3];
  return w;
}
