import type { Vec3 } from '@lesionseg/data';

/** The voxel values a mask may come in: anything indexable of numbers (typed arrays in practice). */
export type MaskData = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/**
 * Is a voxel value lesion? Anima reads masks as unsigned 16-bit integers, i.e. truncates toward
 * zero: 0.7 is background, 1.0 is lesion. NaN is background.
 */
export function isLesionValue(v: number): boolean {
  return v >= 1 || v <= -1;
}

/**
 * A binary mask stored as runs of lesion voxels along x, row by row.
 *
 * Lesion masks are sparse (a few thousand voxels in tens of millions), so every later step
 * (labelling, overlap, Dice, centroids) works on runs: memory and time scale with the lesion
 * surface, not with the grid. Row r = y + Y * z holds runs `rowStart[r] .. rowStart[r+1]-1`;
 * run k covers x in [start[k], end[k]) of that row. Runs are in raster order.
 */
export interface RunMask {
  shape: Vec3;
  /** Length Y * Z + 1. */
  rowStart: Int32Array;
  start: Int32Array;
  end: Int32Array;
  /** Number of runs. */
  count: number;
  /** Number of lesion voxels. */
  voxels: number;
  /**
   * Voxel values other than 0 and 1 met while encoding (at most 8 distinct, in order of first
   * appearance): lets callers refuse non-binary masks without a second pass over the grid.
   */
  otherValues: number[];
}

const MAX_OTHER_VALUES = 8;

/** Encode a mask (x fastest, index = x + X * (y + Y * z)) as runs of lesion voxels. */
export function extractRuns(data: MaskData, shape: Vec3): RunMask {
  const [X, Y, Z] = shape;
  const rows = Y * Z;
  if (data.length !== X * rows) {
    throw new RangeError(`mask has ${data.length} voxels but shape ${shape.join('x')} needs ${X * rows}`);
  }
  const rowStart = new Int32Array(rows + 1);
  let cap = 1024;
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  let n = 0;
  let voxels = 0;
  const other: number[] = [];
  const note = (v: number): void => {
    if (other.length < MAX_OTHER_VALUES && !other.includes(v)) other.push(v);
  };
  for (let r = 0, base = 0; r < rows; r++, base += X) {
    rowStart[r] = n;
    let x = 0;
    while (x < X) {
      // Background (exact 0) is skipped with one comparison: this loop dominates on large grids.
      const v = data[base + x];
      if (v === 0) {
        x++;
        continue;
      }
      if (v !== 1) {
        note(v);
        if (!(v >= 1 || v <= -1)) {
          x++; // 0 < |v| < 1 or NaN: background for Anima
          continue;
        }
      }
      const s = x++;
      while (x < X) {
        const w = data[base + x];
        if (w === 1) x++;
        else if (w === 0) break;
        else {
          note(w);
          if (w >= 1 || w <= -1) x++;
          else break;
        }
      }
      if (n === cap) {
        cap *= 2;
        const ns = new Int32Array(cap);
        ns.set(start);
        start = ns;
        const ne = new Int32Array(cap);
        ne.set(end);
        end = ne;
      }
      start[n] = s;
      end[n] = x;
      voxels += x - s;
      n++;
    }
  }
  rowStart[rows] = n;
  return { shape: [X, Y, Z], rowStart, start: start.subarray(0, n), end: end.subarray(0, n), count: n, voxels, otherValues: other };
}

/** Number of voxels lying in both masks (same grid), by intersecting runs row by row. */
export function intersectionVoxels(a: RunMask, b: RunMask): number {
  let total = 0;
  forEachRunOverlap(a, b, (_i, _j, len) => {
    total += len;
  });
  return total;
}

/**
 * Call `visit(runOfA, runOfB, overlapLength)` for every pair of overlapping runs on the same row.
 * Two-pointer merge per row: linear in the number of runs.
 */
export function forEachRunOverlap(a: RunMask, b: RunMask, visit: (i: number, j: number, len: number) => void): void {
  const rows = a.rowStart.length - 1;
  for (let r = 0; r < rows; r++) {
    let i = a.rowStart[r];
    const iEnd = a.rowStart[r + 1];
    let j = b.rowStart[r];
    const jEnd = b.rowStart[r + 1];
    while (i < iEnd && j < jEnd) {
      const s = a.start[i] > b.start[j] ? a.start[i] : b.start[j];
      const ae = a.end[i];
      const be = b.end[j];
      const e = ae < be ? ae : be;
      if (s < e) visit(i, j, e - s);
      if (ae < be) i++;
      else j++;
    }
  }
}
