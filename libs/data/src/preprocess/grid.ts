import type { Vec3 } from '../volume.ts';
import { affineZooms } from '../nifti/affine.ts';

/**
 * The working grid of a patient and how it maps onto the original grid.
 *
 * Convention ("half-voxel", like `torch.nn.functional.interpolate(align_corners=False)` with an
 * exact scale factor): the working grid covers the same field of view as the original, voxel
 * edges aligned at the first corner; working voxel i along an axis sits at original voxel
 * coordinate `u = i * step + offset` with `step = targetSpacing / sourceSpacing` and
 * `offset = step / 2 - 1/2`. The working affine is the original affine composed with that map,
 * so world coordinates of a voxel are the same on both grids.
 */
export interface GridMapping {
  sourceShape: Vec3;
  sourceSpacing: Vec3;
  sourceAffine: number[][];
  targetShape: Vec3;
  targetSpacing: Vec3;
  targetAffine: number[][];
  /** Original-voxel distance between two working voxels, per axis. */
  step: Vec3;
  /** Original-voxel coordinate of working voxel 0, per axis. */
  offset: Vec3;
}

/**
 * The working grid for resampling `shape`/`affine` to `spacing` mm (a number for isotropic).
 * Source voxel sizes are the affine's column norms (what the voxels really measure, even if
 * pixdim disagrees); the working shape is `round(n * sourceSpacing / spacing)`, at least 1.
 */
export function workingGrid(shape: Vec3, affine: number[][], spacing: number | Vec3 = 0.5): GridMapping {
  const target: Vec3 = typeof spacing === 'number' ? [spacing, spacing, spacing] : spacing;
  if (target.some((t) => !(t > 0))) throw new Error(`workingGrid: target spacing must be > 0, got [${target.join(', ')}]`);
  const source = affineZooms(affine);
  if (source.some((z) => !(z > 0 && Number.isFinite(z)))) {
    throw new RangeError(`workingGrid: source voxel size [${source.join(', ')}] mm must be finite and > 0 (a NaN, zero or degenerate affine)`);
  }
  const step = [0, 1, 2].map((a) => target[a] / source[a]) as Vec3;
  const offset = step.map((s) => s / 2 - 0.5) as Vec3;
  const targetShape = [0, 1, 2].map((a) => Math.max(1, Math.round(shape[a] / step[a]))) as Vec3;
  const targetAffine = affine.map((row, r) =>
    r === 3 ? [0, 0, 0, 1] : [row[0] * step[0], row[1] * step[1], row[2] * step[2], row[0] * offset[0] + row[1] * offset[1] + row[2] * offset[2] + row[3]],
  );
  return {
    sourceShape: [...shape],
    sourceSpacing: source,
    sourceAffine: affine.map((r) => r.slice()),
    targetShape,
    targetSpacing: target,
    targetAffine,
    step,
    offset,
  };
}

/** Per-axis linear interpolation table: for output index i, the two input indices and the weight of the second. */
export interface AxisTable {
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
}

/** Input coordinate `i * step + offset`, clamped to [0, nIn - 1] (edge voxels extend outwards). */
export function axisTable(nOut: number, nIn: number, step: number, offset: number): AxisTable {
  const i0 = new Int32Array(nOut);
  const i1 = new Int32Array(nOut);
  const w = new Float32Array(nOut);
  for (let i = 0; i < nOut; i++) {
    const u = Math.min(nIn - 1, Math.max(0, i * step + offset));
    const lo = Math.floor(u);
    i0[i] = lo;
    i1[i] = Math.min(lo + 1, nIn - 1);
    w[i] = u - lo;
  }
  return { i0, i1, w };
}

/** Forward tables (working <- original) of a mapping. */
export function forwardTables(g: GridMapping): [AxisTable, AxisTable, AxisTable] {
  return [0, 1, 2].map((a) => axisTable(g.targetShape[a], g.sourceShape[a], g.step[a], g.offset[a])) as [AxisTable, AxisTable, AxisTable];
}

/** Inverse tables (original <- working): original voxel j sits at working coordinate (j - offset) / step. */
export function inverseTables(g: GridMapping): [AxisTable, AxisTable, AxisTable] {
  return [0, 1, 2].map((a) => axisTable(g.sourceShape[a], g.targetShape[a], 1 / g.step[a], -g.offset[a] / g.step[a])) as [AxisTable, AxisTable, AxisTable];
}
