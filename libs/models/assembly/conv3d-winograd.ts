/**
 * 3x3x3 stride-1 'same' convolution by Winograd's minimal filtering F(2x2x2, 3x3x3): each 2x2x2
 * block of outputs comes from a 4x4x4 input tile with 64 multiplications per (input, output)
 * channel pair instead of 8 x 27 = 216. NDHWC, kernel [3, 3, 3, Ci, Co], Ci % 4 == 0, Co % 8 == 0.
 *
 *   filter  U = G g G^T per axis,   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *   input   V = B^T d B per axis,   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 *   product M[xi] = V[xi] U[xi] summed over Ci: 64 small matrix products per block of tiles
 *   output  Y = A^T M A per axis,   A^T = [1 1 1 0; 0 1 -1 -1]
 *
 * Scratch (bytes): U 64 Ci Co 4, V 64 T Ci 4, M 64 T Co 4, 1792 B of transform space, T = 32 tiles
 * per block (see winogradScratchBytes).
 */
import { madd } from './madd';
import { winogradProducts } from './winograd-products';

const T: i32 = 16; // tiles per block: the 64 products are [T x Ci] x [Ci x Co]
const TMP_BYTES: i32 = 112 * 16; // the filter transform's [3][3][4] + [3][4][4] slots (the others use less)

export function winogradScratchBytes(ci: i32, co: i32): i32 {
  return 64 * ci * co * 4 + 64 * T * ci * 4 + 64 * T * co * 4 + TMP_BYTES;
}

// g0..g2 -> G g: 4 values, in place over a stride (bytes) starting at p (4 slots).
// @ts-ignore: decorator
@inline
function filterAxis(src: usize, ss: usize, dst: usize, ds: usize): void {
  const half = f32x4.splat(0.5);
  const g0 = v128.load(src), g1 = v128.load(src + ss), g2 = v128.load(src + 2 * ss);
  const e = f32x4.mul(half, f32x4.add(g0, g2)), o = f32x4.mul(half, g1);
  v128.store(dst, g0);
  v128.store(dst + ds, f32x4.add(e, o));
  v128.store(dst + 2 * ds, f32x4.sub(e, o));
  v128.store(dst + 3 * ds, g2);
}

// d0..d3 -> B^T d
// @ts-ignore: decorator
@inline
function inputAxis(src: usize, ss: usize, dst: usize, ds: usize): void {
  const d0 = v128.load(src), d1 = v128.load(src + ss), d2 = v128.load(src + 2 * ss), d3 = v128.load(src + 3 * ss);
  v128.store(dst, f32x4.sub(d0, d2));
  v128.store(dst + ds, f32x4.add(d1, d2));
  v128.store(dst + 2 * ds, f32x4.sub(d2, d1));
  v128.store(dst + 3 * ds, f32x4.sub(d1, d3));
}

/** u[xi][i][o] from k[a][b][c][i][o], through 48 + 64 v128 slots of `tmp`. */
function transformFilter(k: usize, u: usize, tmp: usize, ci: i32, co: i32): void {
  const oStride = <usize>co << 2; // bytes between input channels in k and in u rows
  const kTap = <usize>(ci * co) << 2;
  const uXi = <usize>(ci * co) << 2;
  const t1 = tmp, t2 = tmp + 48 * 16; // [3][3][4] then [3][4][4] as v128 slots; result [4][4][4] in u
  for (let i = 0; i < ci; i++) {
    for (let o = 0; o < co; o += 4) {
      const base = k + <usize>i * oStride + (<usize>o << 2);
      // along c: [a][b][c] -> t1[a][b][x]
      for (let ab = 0; ab < 9; ab++) filterAxis(base + <usize>(ab * 3) * kTap, kTap, t1 + <usize>(ab * 4) * 16, 16);
      // along b: t1[a][b][x] -> t2[a][y][x]
      for (let a = 0; a < 3; a++) for (let x = 0; x < 4; x++) filterAxis(t1 + <usize>(a * 12 + x) * 16, 64, t2 + <usize>(a * 16 + x) * 16, 64);
      // along a: t2[a][y][x] -> u[z][y][x] at (i, o)
      const dst = u + <usize>i * oStride + (<usize>o << 2);
      for (let yx = 0; yx < 16; yx++) filterAxis(t2 + <usize>yx * 16, 256, dst + <usize>yx * uXi, 16 * uXi);
    }
  }
}

/** V[xi][t][i] = (B^T d B)[xi] of the 4x4x4 input tiles t0 .. t0+tn-1 of one sample (zeros outside x), 4 channels at a time. */
function inputTransformBlock(xs: usize, v: usize, tmp: usize, t0: i32, tn: i32, ty: i32, tx: i32, d: i32, h: i32, w: i32, cb: usize, xRow: usize, xPlane: usize, vXi: usize): void {
  const zero = f32x4.splat(0);
  for (let t = 0; t < tn; t++) {
    const id = t0 + t;
    const bz = id / (ty * tx), by = (id / tx) % ty, bx = id % tx;
    const z0 = 2 * bz - 1, y0 = 2 * by - 1, x0 = 2 * bx - 1;
    for (let q: usize = 0; q < cb; q += 16) {
      // B^T along x straight from the input row (zeros outside) into tmp[z][y][x], then along y and z
      for (let zz = 0; zz < 4; zz++) {
        const iz = z0 + zz;
        for (let yy = 0; yy < 4; yy++) {
          const iy = y0 + yy;
          const slot = tmp + <usize>((zz * 4 + yy) * 4) * 16;
          let d0 = zero, d1 = zero, d2 = zero, d3 = zero;
          if (iz >= 0 && iz < d && iy >= 0 && iy < h) {
            const row = xs + <usize>iz * xPlane + <usize>iy * xRow + q;
            if (x0 >= 0 && x0 + 3 < w) {
              const p = row + <usize>x0 * cb;
              d0 = v128.load(p); d1 = v128.load(p + cb); d2 = v128.load(p + 2 * cb); d3 = v128.load(p + 3 * cb);
            } else {
              if (x0 >= 0 && x0 < w) d0 = v128.load(row + <usize>x0 * cb);
              if (x0 + 1 >= 0 && x0 + 1 < w) d1 = v128.load(row + <usize>(x0 + 1) * cb);
              if (x0 + 2 >= 0 && x0 + 2 < w) d2 = v128.load(row + <usize>(x0 + 2) * cb);
              if (x0 + 3 < w) d3 = v128.load(row + <usize>(x0 + 3) * cb);
            }
          }
          v128.store(slot, f32x4.sub(d0, d2));
          v128.store(slot, f32x4.add(d1, d2), 16);
          v128.store(slot, f32x4.sub(d2, d1), 32);
          v128.store(slot, f32x4.sub(d1, d3), 48);
        }
      }
      for (let zz = 0; zz < 4; zz++) for (let xx = 0; xx < 4; xx++) inputAxis(tmp + <usize>(zz * 16 + xx) * 16, 64, tmp + <usize>(zz * 16 + xx) * 16, 64);
      const dst = v + <usize>t * cb + q;
      for (let yx = 0; yx < 16; yx++) inputAxis(tmp + <usize>yx * 16, 256, dst + <usize>yx * vXi, 16 * vXi);
    }
  }
}

/**
 * Returns 0 (nothing written) unless ci % 4 == 0 and co % 8 == 0.
 * x [n, d, h, w, ci], k [3, 3, 3, ci, co], y [n, d, h, w, co], padding 1 on every side.
 */
export function conv3dWinograd(x: usize, k: usize, y: usize, scratch: usize, n: i32, d: i32, h: i32, w: i32, ci: i32, co: i32): i32 {
  if (ci % 4 != 0 || co % 8 != 0) return 0;
  const u = scratch;
  const v = u + <usize>(64 * ci * co * 4);
  const m = v + <usize>(64 * T * ci * 4);
  const tmp = m + <usize>(64 * T * co * 4);
  transformFilter(k, u, tmp, ci, co);
  const tz = (d + 1) >> 1, ty = (h + 1) >> 1, tx = (w + 1) >> 1;
  const tiles = tz * ty * tx;
  const cb = <usize>ci << 2, ob = <usize>co << 2;
  const xRow = <usize>w * cb, xPlane = <usize>h * xRow;
  const yRow = <usize>w * ob, yPlane = <usize>h * yRow;
  const vXi = <usize>T * cb, mXi = <usize>T * ob, uXi = <usize>(ci * co) << 2;
  const zero = f32x4.splat(0);
  for (let s = 0; s < n; s++) {
    const xs = x + <usize>s * <usize>d * xPlane;
    const ys = y + <usize>s * <usize>d * yPlane;
    for (let t0 = 0; t0 < tiles; t0 += T) {
      const tn = min(T, tiles - t0);
      // 1. input transform of each tile
      inputTransformBlock(xs, v, tmp, t0, tn, ty, tx, d, h, w, cb, xRow, xPlane, vXi);
      // 2. 64 products M[xi] [tn x co] = V[xi] [tn x ci] U[xi] [ci x co], 4 tiles x 8 channels per register tile
      winogradProducts(v, u, m, 64, tn, ci, co, vXi, uXi, mXi);
      // 3. output transform A^T M A of each tile, 4 channels at a time, written where inside y
      for (let t = 0; t < tn; t++) {
        const id = t0 + t;
        const bz = id / (ty * tx), by = (id / tx) % ty, bx = id % tx;
        for (let q: usize = 0; q < ob; q += 16) {
          const src = m + <usize>t * ob + q;
          // along x: M[z][y][0..3] -> tmp[z][y][0..1]
          for (let zy = 0; zy < 16; zy++) {
            const p = src + <usize>(zy * 4) * mXi;
            const m0 = v128.load(p), m1 = v128.load(p + mXi), m2 = v128.load(p + 2 * mXi), m3 = v128.load(p + 3 * mXi);
            v128.store(tmp + <usize>(zy * 2) * 16, f32x4.add(f32x4.add(m0, m1), m2));
            v128.store(tmp + <usize>(zy * 2 + 1) * 16, f32x4.sub(f32x4.sub(m1, m2), m3));
          }
          // along y: tmp[z][y][x2] -> tmp2[z][y2][x2] (stored after the first 32 slots)
          const t2 = tmp + 32 * 16;
          for (let z = 0; z < 4; z++)
            for (let xx = 0; xx < 2; xx++) {
              const p = tmp + <usize>(z * 8 + xx) * 16;
              const m0 = v128.load(p), m1 = v128.load(p, 32), m2 = v128.load(p, 64), m3 = v128.load(p, 96);
              v128.store(t2 + <usize>(z * 4 + xx) * 16, f32x4.add(f32x4.add(m0, m1), m2));
              v128.store(t2 + <usize>(z * 4 + 2 + xx) * 16, f32x4.sub(f32x4.sub(m1, m2), m3));
            }
          // along z, and store the 2x2x2 block
          for (let yx = 0; yx < 4; yx++) {
            const p = t2 + <usize>yx * 16;
            const m0 = v128.load(p), m1 = v128.load(p, 64), m2 = v128.load(p, 128), m3 = v128.load(p, 192);
            const oy = 2 * by + (yx >> 1), ox = 2 * bx + (yx & 1);
            if (oy >= h || ox >= w) continue;
            const o0 = 2 * bz;
            const out = ys + <usize>oy * yRow + <usize>ox * ob + q;
            v128.store(out + <usize>o0 * yPlane, f32x4.add(f32x4.add(m0, m1), m2));
            if (o0 + 1 < d) v128.store(out + <usize>(o0 + 1) * yPlane, f32x4.sub(f32x4.sub(m1, m2), m3));
          }
        }
      }
    }
  }
  return 1;
}

/**
 * Filter gradient of the same convolution by the adjoint of the same algorithm:
 *   dM = A dY A^T per axis (A = [1 0; 1 1; 1 -1; 0 -1]) for each 2x2x2 block of dy,
 *   dU[xi] = sum over tiles of V[xi]^T dM[xi]  (V: the input tiles' transform, as in the forward),
 *   dw = G^T dU G per axis (G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]).
 * dU accumulates in scratch across blocks. Returns 0 unless ci % 4 == 0 and co % 8 == 0.
 */
export function conv3dWinogradFilterGrad(x: usize, dy: usize, dw: usize, scratch: usize, n: i32, d: i32, h: i32, w: i32, ci: i32, co: i32): i32 {
  if (ci % 4 != 0 || co % 8 != 0) return 0;
  const du = scratch;
  const v = du + <usize>(64 * ci * co * 4);
  const m = v + <usize>(64 * T * ci * 4);
  const tmp = m + <usize>(64 * T * co * 4);
  memory.fill(du, 0, <usize>(64 * ci * co * 4));
  const tz = (d + 1) >> 1, ty = (h + 1) >> 1, tx = (w + 1) >> 1;
  const tiles = tz * ty * tx;
  const cb = <usize>ci << 2, ob = <usize>co << 2;
  const xRow = <usize>w * cb, xPlane = <usize>h * xRow;
  const yRow = <usize>w * ob, yPlane = <usize>h * yRow;
  const vXi = <usize>T * cb, mXi = <usize>T * ob, uXi = <usize>(ci * co) << 2;
  const zero = f32x4.splat(0);
  for (let s = 0; s < n; s++) {
    const xs = x + <usize>s * <usize>d * xPlane;
    const ys = dy + <usize>s * <usize>d * yPlane;
    for (let t0 = 0; t0 < tiles; t0 += T) {
      const tn = min(T, tiles - t0);
      inputTransformBlock(xs, v, tmp, t0, tn, ty, tx, d, h, w, cb, xRow, xPlane, vXi);
      // dM of each tile: A along z, y, x from its 2x2x2 block of dy (zeros outside)
      for (let t = 0; t < tn; t++) {
        const id = t0 + t;
        const bz = id / (ty * tx), by = (id / tx) % ty, bx = id % tx;
        for (let q: usize = 0; q < ob; q += 16) {
          // gather the 8 values; A along x into tmp[z2][y2][x4]
          for (let zy = 0; zy < 4; zy++) {
            const oz = 2 * bz + (zy >> 1), oy = 2 * by + (zy & 1);
            let g0 = zero, g1 = zero;
            if (oz < d && oy < h) {
              const row = ys + <usize>oz * yPlane + <usize>oy * yRow + q;
              g0 = v128.load(row + <usize>(2 * bx) * ob);
              if (2 * bx + 1 < w) g1 = v128.load(row + <usize>(2 * bx + 1) * ob);
            }
            const slot = tmp + <usize>(zy * 4) * 16;
            v128.store(slot, g0);
            v128.store(slot, f32x4.add(g0, g1), 16);
            v128.store(slot, f32x4.sub(g0, g1), 32);
            v128.store(slot, f32x4.neg(g1), 48);
          }
          // A along y: tmp[z2][y2][x4] -> t2[z2][y4][x4]
          const t2 = tmp + 16 * 16;
          for (let z = 0; z < 2; z++)
            for (let xx = 0; xx < 4; xx++) {
              const g0 = v128.load(tmp + <usize>((z * 2) * 4 + xx) * 16), g1 = v128.load(tmp + <usize>((z * 2 + 1) * 4 + xx) * 16);
              const o = t2 + <usize>(z * 16 + xx) * 16;
              v128.store(o, g0);
              v128.store(o, f32x4.add(g0, g1), 64);
              v128.store(o, f32x4.sub(g0, g1), 128);
              v128.store(o, f32x4.neg(g1), 192);
            }
          // A along z, into dM[xi][t][q]
          const dst = m + <usize>t * ob + q;
          for (let yx = 0; yx < 16; yx++) {
            const g0 = v128.load(t2 + <usize>yx * 16), g1 = v128.load(t2 + <usize>(16 + yx) * 16);
            const o = dst + <usize>yx * mXi;
            v128.store(o, g0);
            v128.store(o + 16 * mXi, f32x4.add(g0, g1));
            v128.store(o + 32 * mXi, f32x4.sub(g0, g1));
            v128.store(o + 48 * mXi, f32x4.neg(g1));
          }
        }
      }
      // dU[xi] [ci x co] += V[xi]^T [ci x tn] dM[xi] [tn x co], 4 input x 8 output channels per register tile
      for (let xi = 0; xi < 64; xi++) {
        const vx = v + <usize>xi * vXi, mx = m + <usize>xi * mXi, ux = du + <usize>xi * uXi;
        for (let i: usize = 0; i < cb; i += 16) {
          for (let o: usize = 0; o < ob; o += 32) {
            const up = ux + (i >> 2) * ob + o; // row i of dU[xi], channels o..o+7
            let a00 = v128.load(up), a01 = v128.load(up, 16);
            let a10 = v128.load(up + ob), a11 = v128.load(up + ob, 16);
            let a20 = v128.load(up + 2 * ob), a21 = v128.load(up + 2 * ob, 16);
            let a30 = v128.load(up + 3 * ob), a31 = v128.load(up + 3 * ob, 16);
            let vp = vx + i, mp = mx + o;
            for (let t = 0; t < tn; t++) {
              const g0 = v128.load(mp), g1 = v128.load(mp, 16);
              let sv = v128.load32_splat(vp);
              a00 = madd(sv, g0, a00); a01 = madd(sv, g1, a01);
              sv = v128.load32_splat(vp, 4);
              a10 = madd(sv, g0, a10); a11 = madd(sv, g1, a11);
              sv = v128.load32_splat(vp, 8);
              a20 = madd(sv, g0, a20); a21 = madd(sv, g1, a21);
              sv = v128.load32_splat(vp, 12);
              a30 = madd(sv, g0, a30); a31 = madd(sv, g1, a31);
              vp += cb; mp += ob;
            }
            v128.store(up, a00); v128.store(up, a01, 16);
            v128.store(up + ob, a10); v128.store(up + ob, a11, 16);
            v128.store(up + 2 * ob, a20); v128.store(up + 2 * ob, a21, 16);
            v128.store(up + 3 * ob, a30); v128.store(up + 3 * ob, a31, 16);
          }
        }
      }
    }
  }
  // dw = G^T dU G along each axis: [4][4][4] -> [3][3][3] for every (i, o)
  const oStride = <usize>co << 2;
  const kTap = <usize>(ci * co) << 2;
  const t1 = tmp, t2 = tmp + 48 * 16; // [4][4][3] and [4][3][3] slots
  for (let i = 0; i < ci; i++) {
    for (let o = 0; o < co; o += 4) {
      const src = du + <usize>i * oStride + (<usize>o << 2);
      // along x: dU[z][y][0..3] -> t1[z][y][0..2]
      for (let zy = 0; zy < 16; zy++) filterAxisAdjoint(src + <usize>(zy * 4) * uXi, uXi, t1 + <usize>(zy * 3) * 16, 16);
      // along y: t1[z][y4][x3] -> t2[z][y3][x3]
      for (let z = 0; z < 4; z++) for (let xx = 0; xx < 3; xx++) filterAxisAdjoint(t1 + <usize>(z * 12 + xx) * 16, 48, t2 + <usize>(z * 9 + xx) * 16, 48);
      // along z: t2[z4][y3][x3] -> dw[a][b][c] at (i, o)
      const dst = dw + <usize>i * oStride + (<usize>o << 2);
      for (let yx = 0; yx < 9; yx++) filterAxisAdjoint(t2 + <usize>yx * 16, 144, dst + <usize>yx * kTap, 9 * kTap);
    }
  }
  return 1;
}

// u0..u3 -> G^T u: 3 values
// @ts-ignore: decorator
@inline
function filterAxisAdjoint(src: usize, ss: usize, dst: usize, ds: usize): void {
  const half = f32x4.splat(0.5);
  const u0 = v128.load(src), u1 = v128.load(src + ss), u2 = v128.load(src + 2 * ss), u3 = v128.load(src + 3 * ss);
  const p = f32x4.mul(half, f32x4.add(u1, u2)), q = f32x4.mul(half, f32x4.sub(u1, u2));
  v128.store(dst, f32x4.add(u0, p));
  v128.store(dst + ds, q);
  v128.store(dst + 2 * ds, f32x4.add(p, u3));
}
