/**
 * NIfTI orientation math, following nibabel 5 (nifti1.py, quaternions.py, affines.py) so that
 * our affines equal the ones researchers get from `nib.load(f).affine`.
 */
import type { Vec3 } from '../volume.ts';

/** Quaternion form of an affine as stored in a NIfTI header. */
export interface QForm {
  /** quatern_b, quatern_c, quatern_d (quatern_a is implied, >= 0). */
  quatern: Vec3;
  /** qoffset_x, qoffset_y, qoffset_z. */
  offset: Vec3;
  /** pixdim[1..3]. */
  zooms: Vec3;
  /** pixdim[0]: -1 flips the third axis (left-handed voxel axes), else 1. */
  qfac: 1 | -1;
}

const f32 = Math.fround;

/**
 * nibabel's `Nifti1Header.get_qform()`. nibabel computes the implied quaternion component in
 * float32 (the header's dtype), so we round the same way to agree to the last bit or so.
 */
export function qformToAffine(q: QForm): number[][] {
  const [b, c, d] = q.quatern;
  // fillpositive with threshold -3 * float32 eps: tiny negative w^2 from rounding becomes 0.
  let w2 = f32(1 - f32(f32(f32(b * b) + f32(c * c)) + f32(d * d)));
  if (w2 < 0) {
    if (w2 < -3 * 1.1920928955078125e-7) throw new Error(`invalid quaternion (b, c, d) = (${b}, ${c}, ${d})`);
    w2 = 0;
  }
  const a = Math.sqrt(w2);
  const r = quatToMat(a, b, c, d);
  const zooms = [q.zooms[0], q.zooms[1], q.zooms[2] * q.qfac];
  return [
    [r[0][0] * zooms[0], r[0][1] * zooms[1], r[0][2] * zooms[2], q.offset[0]],
    [r[1][0] * zooms[0], r[1][1] * zooms[1], r[1][2] * zooms[2], q.offset[1]],
    [r[2][0] * zooms[0], r[2][1] * zooms[1], r[2][2] * zooms[2], q.offset[2]],
    [0, 0, 0, 1],
  ];
}

/** Rotation matrix of a (not necessarily unit) quaternion [w, x, y, z] (nibabel quat2mat). */
function quatToMat(w: number, x: number, y: number, z: number): number[][] {
  const n = w * w + x * x + y * y + z * z;
  if (n < 2.220446049250313e-16)
    return [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
  const s = 2 / n;
  const X = x * s,
    Y = y * s,
    Z = z * s;
  const wX = w * X,
    wY = w * Y,
    wZ = w * Z;
  const xX = x * X,
    xY = x * Y,
    xZ = x * Z;
  const yY = y * Y,
    yZ = y * Z,
    zZ = z * Z;
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

/**
 * nibabel's `set_qform(affine)`: zooms are the column norms, qfac makes the rotation proper,
 * and a sheared matrix is replaced by its nearest rotation (polar decomposition) so that the
 * qform is always a valid quaternion.
 */
export function affineToQform(affine: readonly (readonly number[])[]): QForm {
  const zooms: Vec3 = [0, 0, 0];
  const r: number[][] = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let j = 0; j < 3; j++) {
    zooms[j] = Math.hypot(affine[0][j], affine[1][j], affine[2][j]);
    if (zooms[j] === 0) throw new Error('affine has a zero column: it cannot be stored as a qform');
    for (let i = 0; i < 3; i++) r[i][j] = affine[i][j] / zooms[j];
  }
  let qfac: 1 | -1 = 1;
  if (det3(r) < 0) {
    qfac = -1;
    for (let i = 0; i < 3; i++) r[i][2] = -r[i][2];
  }
  const rot = nearestRotation(r);
  let [w, x, y, z] = matToQuat(rot);
  if (w < 0) [w, x, y, z] = [-w, -x, -y, -z];
  return { quatern: [x, y, z], offset: [affine[0][3], affine[1][3], affine[2][3]], zooms, qfac };
}

export function det3(m: readonly (readonly number[])[]): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}

function inverseTranspose3(m: number[][]): number[][] {
  const d = det3(m);
  // cofactor matrix / det = inverse transposed
  return [
    [(m[1][1] * m[2][2] - m[1][2] * m[2][1]) / d, -(m[1][0] * m[2][2] - m[1][2] * m[2][0]) / d, (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / d],
    [-(m[0][1] * m[2][2] - m[0][2] * m[2][1]) / d, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / d, -(m[0][0] * m[2][1] - m[0][1] * m[2][0]) / d],
    [(m[0][1] * m[1][2] - m[0][2] * m[1][1]) / d, -(m[0][0] * m[1][2] - m[0][2] * m[1][0]) / d, (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / d],
  ];
}

/** Orthogonal polar factor U of M = U P (equals nibabel's P @ Qs from the SVD) by Newton iteration. */
function nearestRotation(m: number[][]): number[][] {
  let u = m.map((row) => row.slice());
  for (let it = 0; it < 100; it++) {
    const inv = inverseTranspose3(u);
    let change = 0;
    const next = u.map((row, i) => row.map((v, j) => 0.5 * (v + inv[i][j])));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) change = Math.max(change, Math.abs(next[i][j] - u[i][j]));
    u = next;
    if (change < 1e-15) break;
  }
  return u;
}

/** Quaternion [w, x, y, z] of a rotation matrix (Shepperd's method, numerically stable). */
function matToQuat(m: number[][]): [number, number, number, number] {
  const tr = m[0][0] + m[1][1] + m[2][2];
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    return [0.25 * s, (m[2][1] - m[1][2]) / s, (m[0][2] - m[2][0]) / s, (m[1][0] - m[0][1]) / s];
  }
  if (m[0][0] > m[1][1] && m[0][0] > m[2][2]) {
    const s = Math.sqrt(1 + m[0][0] - m[1][1] - m[2][2]) * 2;
    return [(m[2][1] - m[1][2]) / s, 0.25 * s, (m[0][1] + m[1][0]) / s, (m[0][2] + m[2][0]) / s];
  }
  if (m[1][1] > m[2][2]) {
    const s = Math.sqrt(1 + m[1][1] - m[0][0] - m[2][2]) * 2;
    return [(m[0][2] - m[2][0]) / s, (m[0][1] + m[1][0]) / s, 0.25 * s, (m[1][2] + m[2][1]) / s];
  }
  const s = Math.sqrt(1 + m[2][2] - m[0][0] - m[1][1]) * 2;
  return [(m[1][0] - m[0][1]) / s, (m[0][2] + m[2][0]) / s, (m[1][2] + m[2][1]) / s, 0.25 * s];
}

/**
 * nibabel's fallback when neither sform nor qform is set (`get_base_affine`, Analyze
 * convention): x flipped, origin at the grid centre.
 */
export function baseAffine(shape: Vec3, zooms: Vec3): number[][] {
  const diag = [-zooms[0], zooms[1], zooms[2]];
  return [
    [diag[0], 0, 0, -((shape[0] - 1) / 2) * diag[0]],
    [0, diag[1], 0, -((shape[1] - 1) / 2) * diag[1]],
    [0, 0, diag[2], -((shape[2] - 1) / 2) * diag[2]],
    [0, 0, 0, 1],
  ];
}

/** Voxel sizes implied by an affine (column norms of its 3x3 part). */
export function affineZooms(affine: readonly (readonly number[])[]): Vec3 {
  return [0, 1, 2].map((j) => Math.hypot(affine[0][j], affine[1][j], affine[2][j])) as Vec3;
}

/**
 * Largest absolute element-wise difference between two 4x4 matrices; NaN when any entry of
 * either is not finite, so a `d <= tolerance` test fails for it (write tests that way round:
 * `d > tolerance` is false for NaN and would pass a NaN affine as "the same grid").
 */
export function affineMaxDiff(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  let d = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      if (!Number.isFinite(a[i][j]) || !Number.isFinite(b[i][j])) return Number.NaN;
      d = Math.max(d, Math.abs(a[i][j] - b[i][j]));
    }
  }
  return d;
}
