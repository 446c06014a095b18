/**
 * Figures are drawn in world orientation, not voxel order: a volume is first turned to its
 * closest RAS+ voxel order (nibabel's `io_orientation` / `as_closest_canonical`: each voxel axis
 * goes to the world axis it points along most, flipped where it points backwards). Only axes
 * are permuted and flipped, no resampling, so an oblique scan (rotation below 45 degrees) is
 * shown as its nearest orthogonal view, exactly as ITK-SNAP and nibabel users see it; and the
 * same patient stored as LAS, RAS, LPS or sagittal-first gives the same picture.
 */

/** For canonical axis i (0 = R, 1 = A, 2 = S): the voxel axis it reads and whether that axis runs backwards. */
export interface AxisMapping {
  axis: [number, number, number];
  flip: [boolean, boolean, boolean];
}

export interface CanonicalVolume {
  /** Shape in canonical (R, A, S) order. */
  shape: [number, number, number];
  /** Voxel size (mm) along R, A, S. */
  spacing: [number, number, number];
  /** x (towards the patient's right) fastest, then anterior, then superior. */
  data: Float32Array;
}

const AXIS_CODES = [
  ['L', 'R'],
  ['P', 'A'],
  ['I', 'S'],
] as const;

/**
 * The closest orthogonal orientation of an affine (its 3x3 part): greedy on the largest
 * |cosine| between voxel axes (columns, normalised) and world axes, as nibabel does after
 * removing shears. Throws on a degenerate (zero-length) axis.
 */
export function closestCanonical(affine: readonly (readonly number[])[]): AxisMapping {
  const cos: number[][] = [0, 1, 2].map(() => [0, 0, 0]);
  for (let j = 0; j < 3; j++) {
    const norm = Math.hypot(affine[0][j], affine[1][j], affine[2][j]);
    if (!(norm > 0)) throw new Error(`orientation: voxel axis ${j} of the affine has zero length`);
    for (let i = 0; i < 3; i++) cos[i][j] = affine[i][j] / norm;
  }
  const axis: [number, number, number] = [-1, -1, -1];
  const flip: [boolean, boolean, boolean] = [false, false, false];
  const usedVoxel = new Set<number>();
  for (let k = 0; k < 3; k++) {
    let best = { i: -1, j: -1, v: -1 };
    for (let i = 0; i < 3; i++) {
      if (axis[i] >= 0) continue;
      for (let j = 0; j < 3; j++) {
        if (usedVoxel.has(j)) continue;
        const v = Math.abs(cos[i][j]);
        if (v > best.v) best = { i, j, v };
      }
    }
    axis[best.i] = best.j;
    flip[best.i] = cos[best.i][best.j] < 0;
    usedVoxel.add(best.j);
  }
  return { axis, flip };
}

/** The orientation code of an affine's voxel axes, e.g. 'LAS' (nibabel's aff2axcodes). */
export function axisCodes(affine: readonly (readonly number[])[]): string {
  const m = closestCanonical(affine);
  const codes = ['', '', ''];
  for (let i = 0; i < 3; i++) codes[m.axis[i]] = AXIS_CODES[i][m.flip[i] ? 0 : 1];
  return codes.join('');
}

/** Voxel coordinates of the stored volume to canonical (R, A, S) voxel coordinates. */
export function toCanonicalVoxel(m: AxisMapping, shape: readonly number[], voxel: readonly number[]): [number, number, number] {
  return [0, 1, 2].map((i) => {
    const v = voxel[m.axis[i]];
    return m.flip[i] ? shape[m.axis[i]] - 1 - v : v;
  }) as [number, number, number];
}

/** A volume (x fastest) copied into canonical RAS+ voxel order. */
export function toCanonical(
  volume: { shape: readonly number[]; data: ArrayLike<number> },
  affine: readonly (readonly number[])[],
  m: AxisMapping = closestCanonical(affine),
): CanonicalVolume {
  const src = volume.shape;
  const shape = [src[m.axis[0]], src[m.axis[1]], src[m.axis[2]]] as [number, number, number];
  const spacing = [0, 1, 2].map((i) => Math.hypot(affine[0][m.axis[i]], affine[1][m.axis[i]], affine[2][m.axis[i]])) as [number, number, number];
  // Stride (in the stored volume) of one step along each canonical axis, and where index 0 starts.
  const strides = [1, src[0], src[0] * src[1]];
  const step = [0, 1, 2].map((i) => (m.flip[i] ? -1 : 1) * strides[m.axis[i]]);
  const start = [0, 1, 2].reduce((s, i) => s + (m.flip[i] ? (shape[i] - 1) * strides[m.axis[i]] : 0), 0);
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  let o = 0;
  for (let z = 0; z < shape[2]; z++) {
    for (let y = 0; y < shape[1]; y++) {
      let s = start + z * step[2] + y * step[1];
      for (let x = 0; x < shape[0]; x++, s += step[0]) data[o++] = volume.data[s];
    }
  }
  return { shape, spacing, data };
}
