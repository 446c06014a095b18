import type { Vec3 } from '../volume.ts';
import type { AxisTable, GridMapping } from './grid.ts';
import { forwardTables } from './grid.ts';

/**
 * Trilinear resampling of `src` (shape `inShape`) onto an output grid described by per-axis
 * tables. Writes output voxel v to `out[v * stride + channel]`, so two channels can be
 * resampled straight into one interleaved buffer without a temporary copy of either.
 */
export function resampleTrilinear(
  src: ArrayLike<number>,
  inShape: Vec3,
  tables: readonly [AxisTable, AxisTable, AxisTable],
  out: Float32Array,
  stride = 1,
  channel = 0,
): Float32Array {
  const [tx, ty, tz] = tables;
  const nx = tx.i0.length;
  const ny = ty.i0.length;
  const nz = tz.i0.length;
  const X = inShape[0];
  const XY = inShape[0] * inShape[1];
  if (out.length < nx * ny * nz * stride) throw new Error('resampleTrilinear: output buffer too small');
  let o = channel;
  for (let z = 0; z < nz; z++) {
    const z0 = tz.i0[z] * XY;
    const z1 = tz.i1[z] * XY;
    const wz = tz.w[z];
    for (let y = 0; y < ny; y++) {
      const y0 = ty.i0[y] * X;
      const y1 = ty.i1[y] * X;
      const wy = ty.w[y];
      const r00 = z0 + y0;
      const r01 = z0 + y1;
      const r10 = z1 + y0;
      const r11 = z1 + y1;
      for (let x = 0; x < nx; x++) {
        const a = tx.i0[x];
        const b = tx.i1[x];
        const wx = tx.w[x];
        const c00 = src[r00 + a] + wx * (src[r00 + b] - src[r00 + a]);
        const c01 = src[r01 + a] + wx * (src[r01 + b] - src[r01 + a]);
        const c10 = src[r10 + a] + wx * (src[r10 + b] - src[r10 + a]);
        const c11 = src[r11 + a] + wx * (src[r11 + b] - src[r11 + a]);
        const c0 = c00 + wy * (c01 - c00);
        const c1 = c10 + wy * (c11 - c10);
        out[o] = c0 + wz * (c1 - c0);
        o += stride;
      }
    }
  }
  return out;
}

/**
 * Resample a binary mask to the working grid so that no lesion is lost:
 *
 * 1. nearest neighbour: when upsampling (MSSEG-2's 0.5-1.2 mm scans to 0.5 mm) every original
 *    voxel becomes a block of working voxels, so each lesion keeps its volume and shape
 *    exactly, with no blur and no threshold that could erase a one-voxel lesion (trilinear +
 *    threshold 0.5 loses a single voxel upsampled 2x: its sub-voxels get weight 0.75^3 = 0.42);
 * 2. plus "centre hits": each original lesion voxel also marks the working voxel under its
 *    centre, so when downsampling a lesion smaller than a working voxel still leaves a mark.
 */
export function resampleMask(mask: ArrayLike<number>, g: GridMapping): Uint8Array {
  const [nx, ny, nz] = g.targetShape;
  const [X, Y, Z] = g.sourceShape;
  const near = (n: number, nIn: number, step: number, offset: number): Int32Array => {
    const t = new Int32Array(n);
    for (let i = 0; i < n; i++) t[i] = Math.min(nIn - 1, Math.max(0, Math.round(i * step + offset)));
    return t;
  };
  const ix = near(nx, X, g.step[0], g.offset[0]);
  const iy = near(ny, Y, g.step[1], g.offset[1]);
  const iz = near(nz, Z, g.step[2], g.offset[2]);
  const out = new Uint8Array(nx * ny * nz);
  let o = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = X * (iy[y] + Y * iz[z]);
      for (let x = 0; x < nx; x++) out[o++] = mask[row + ix[x]] > 0.5 ? 1 : 0;
    }
  }
  const toTarget = (j: number, a: 0 | 1 | 2): number => Math.min(g.targetShape[a] - 1, Math.max(0, Math.round((j - g.offset[a]) / g.step[a])));
  let i = 0;
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, i++) {
        if (mask[i] > 0.5) out[toTarget(x, 0) + nx * (toTarget(y, 1) + ny * toTarget(z, 2))] = 1;
      }
    }
  }
  return out;
}

/** Trilinear resampling of one image to the working grid (a new Float32Array). */
export function resampleImage(src: ArrayLike<number>, g: GridMapping): Float32Array {
  const [nx, ny, nz] = g.targetShape;
  return resampleTrilinear(src, g.sourceShape, forwardTables(g), new Float32Array(nx * ny * nz));
}
