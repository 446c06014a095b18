/**
 * 3x3x3 stride-1 'same' convolution by Winograd's minimal filtering F(4x4x4, 3x3x3): each 4x4x4
 * block of outputs comes from a 6x6x6 input tile with 216 multiplications per (input, output)
 * channel pair instead of 64 x 27 = 1728 (F(2x2x2) needs 512 for the same 64 outputs). The
 * transforms cost about as much per output as F(2x2x2)'s, so the product phase, most of the time,
 * shrinks 2.4x. Interpolation points 0, 1, -1, 2, -2, infinity (Lavin & Gray 2016):
 *
 *   filter  U = G g G^T per axis, G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *   input   V = B^T d B per axis, B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   product M[xi] = V[xi] U[xi] summed over Ci: 216 small matrix products per block of tiles
 *   output  Y = A^T M A per axis, A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 *
 * The larger points make float32 rounding ~5-10x larger than F(2x2x2)'s (still ~1e-6 of the
 * output's range on the UNet's layers; tested), which is why the training kernels keep F(2x2x2).
 * NDHWC, kernel [3, 3, 3, Ci, Co], Ci % 4 == 0, Co % 8 == 0. Tiles of a block may come from
 * several samples, so small volumes (the 8^3 level of a 32^3 patch) still fill a block.
 */
import { madd } from './madd';
import { winogradProducts } from './winograd-products';

const T: i32 = 8; // tiles per block: the 216 products are [T x Ci] x [Ci x Co]
/**
 * Transform space of one tile, every channel group at once: 216 v128 slots per 4 input channels
 * (the input tile), 144 + 96 per 4 output channels (the output's), 162 for the filter's.
 */
function tmpBytes(ci: i32, co: i32): i32 {
  return max(max(216 * 4 * ci, 240 * 4 * co), 162 * 16);
}

/** Bytes of scratch conv3dWinogradF4 needs: U 216 Ci Co, V 216 T Ci, M 216 T Co floats and the transform space. */
export function winogradF4ScratchBytes(ci: i32, co: i32): i32 {
  return 216 * ci * co * 4 + 216 * T * ci * 4 + 216 * T * co * 4 + tmpBytes(ci, co);
}

// g0..g2 -> G g: 6 values
// @ts-ignore: decorator
@inline
function filterAxis(src: usize, ss: usize, dst: usize, ds: usize): void {
  const g0 = v128.load(src), g1 = v128.load(src + ss), g2 = v128.load(src + 2 * ss);
  const s = f32x4.add(g0, g2);
  const a = f32x4.mul(f32x4.splat(-1.0 / 6.0), f32x4.add(s, g1));
  const b = f32x4.mul(f32x4.splat(-1.0 / 6.0), f32x4.sub(s, g1));
  // g0/24 + g2/6 = (g0 + 4 g2)/24 and g1/12
  const c = f32x4.mul(f32x4.splat(1.0 / 24.0), madd(f32x4.splat(4), g2, g0));
  const e = f32x4.mul(f32x4.splat(1.0 / 12.0), g1);
  v128.store(dst, f32x4.mul(f32x4.splat(0.25), g0));
  v128.store(dst + ds, a);
  v128.store(dst + 2 * ds, b);
  v128.store(dst + 3 * ds, f32x4.add(c, e));
  v128.store(dst + 4 * ds, f32x4.sub(c, e));
  v128.store(dst + 5 * ds, g2);
}

// d0..d5 -> B^T d, in registers
// @ts-ignore: decorator
@inline
function inputRow(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, dst: usize, ds: usize): void {
  const m4 = f32x4.splat(-4), m5 = f32x4.splat(-5), p4 = f32x4.splat(4);
  const a = madd(m4, d2, d4); // d4 - 4 d2
  const b = madd(m4, d1, d3); // d3 - 4 d1
  const c = f32x4.sub(d4, d2);
  const e = f32x4.add(f32x4.sub(d3, d1), f32x4.sub(d3, d1)); // 2 (d3 - d1)
  v128.store(dst, madd(p4, d0, madd(m5, d2, d4)));
  v128.store(dst + ds, f32x4.add(a, b));
  v128.store(dst + 2 * ds, f32x4.sub(a, b));
  v128.store(dst + 3 * ds, f32x4.add(c, e));
  v128.store(dst + 4 * ds, f32x4.sub(c, e));
  v128.store(dst + 5 * ds, madd(p4, d1, madd(m5, d3, d5)));
}

// @ts-ignore: decorator
@inline
function inputAxis(src: usize, ss: usize, dst: usize, ds: usize): void {
  inputRow(v128.load(src), v128.load(src + ss), v128.load(src + 2 * ss), v128.load(src + 3 * ss), v128.load(src + 4 * ss), v128.load(src + 5 * ss), dst, ds);
}

// m0..m5 -> A^T m: 4 values
// @ts-ignore: decorator
@inline
function outputAxis(src: usize, ss: usize, dst: usize, ds: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src + ss), m2 = v128.load(src + 2 * ss);
  const m3 = v128.load(src + 3 * ss), m4 = v128.load(src + 4 * ss), m5 = v128.load(src + 5 * ss);
  const s1 = f32x4.add(m1, m2), d1 = f32x4.sub(m1, m2), s2 = f32x4.add(m3, m4), d2 = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, s1), s2));
  v128.store(dst + ds, madd(f32x4.splat(2), d2, d1));
  v128.store(dst + 2 * ds, madd(f32x4.splat(4), s2, s1));
  v128.store(dst + 3 * ds, f32x4.add(madd(f32x4.splat(8), d2, d1), m5));
}

/** u[xi][i][o] from k[a][b][c][i][o], through 54 + 108 v128 slots of `tmp`. */
function transformFilter(k: usize, u: usize, tmp: usize, ci: i32, co: i32): void {
  const oStride = <usize>co << 2;
  const kTap = <usize>(ci * co) << 2;
  const uXi = <usize>(ci * co) << 2;
  const t1 = tmp, t2 = tmp + 54 * 16; // [3][3][6] then [3][6][6]; result [6][6][6] in u
  for (let i = 0; i < ci; i++) {
    for (let o = 0; o < co; o += 4) {
      const base = k + <usize>i * oStride + (<usize>o << 2);
      for (let ab = 0; ab < 9; ab++) filterAxis(base + <usize>(ab * 3) * kTap, kTap, t1 + <usize>(ab * 6) * 16, 16);
      for (let a = 0; a < 3; a++) for (let x = 0; x < 6; x++) filterAxis(t1 + <usize>(a * 18 + x) * 16, 96, t2 + <usize>(a * 36 + x) * 16, 96);
      const dst = u + <usize>i * oStride + (<usize>o << 2);
      for (let yx = 0; yx < 36; yx++) filterAxis(t2 + <usize>yx * 16, 576, dst + <usize>yx * uXi, 36 * uXi);
    }
  }
}

/**
 * Returns 0 (nothing written) unless ci % 4 == 0 and co % 8 == 0.
 * x [n, d, h, w, ci], k [3, 3, 3, ci, co], y [n, d, h, w, co], padding 1 on every side.
 */
export function conv3dWinogradF4(x: usize, k: usize, y: usize, scratch: usize, n: i32, d: i32, h: i32, w: i32, ci: i32, co: i32): i32 {
  if (ci % 4 != 0 || co % 8 != 0) return 0;
  const u = scratch;
  const v = u + <usize>(216 * ci * co * 4);
  const m = v + <usize>(216 * T * ci * 4);
  const tmp = m + <usize>(216 * T * co * 4);
  transformFilter(k, u, tmp, ci, co);
  const tz = (d + 3) >> 2, ty = (h + 3) >> 2, tx = (w + 3) >> 2;
  const perSample = tz * ty * tx;
  const tiles = n * perSample;
  const cb = <usize>ci << 2, ob = <usize>co << 2;
  const xRow = <usize>w * cb, xPlane = <usize>h * xRow, xSample = <usize>d * xPlane;
  const yRow = <usize>w * ob, yPlane = <usize>h * yRow, ySample = <usize>d * yPlane;
  const vXi = <usize>T * cb, mXi = <usize>T * ob, uXi = <usize>(ci * co) << 2;
  const zero = f32x4.splat(0);
  for (let t0 = 0; t0 < tiles; t0 += T) {
    const tn = min(T, tiles - t0);
    // 1. input transform of each tile: B^T along x straight from the input rows (zeros outside), then y and z
    for (let t = 0; t < tn; t++) {
      const id = t0 + t;
      const s = id / perSample, r = id % perSample;
      const z0 = 4 * (r / (ty * tx)) - 1, y0 = 4 * ((r / tx) % ty) - 1, x0 = 4 * (r % tx) - 1;
      const xs = x + <usize>s * xSample;
      const inside = x0 >= 0 && x0 + 5 < w;
      for (let q: usize = 0; q < cb; q += 16) {
        const tq = tmp + q * 216; // this channel group's [6][6][6] slots
        for (let zz = 0; zz < 6; zz++) {
          const iz = z0 + zz;
          for (let yy = 0; yy < 6; yy++) {
            const iy = y0 + yy;
            const slot = tq + <usize>((zz * 6 + yy) * 6) * 16;
            let d0 = zero, d1 = zero, d2 = zero, d3 = zero, d4 = zero, d5 = zero;
            if (iz >= 0 && iz < d && iy >= 0 && iy < h) {
              const row = xs + <usize>iz * xPlane + <usize>iy * xRow + q;
              if (inside) {
                const p = row + <usize>x0 * cb;
                d0 = v128.load(p); d1 = v128.load(p + cb); d2 = v128.load(p + 2 * cb);
                d3 = v128.load(p + 3 * cb); d4 = v128.load(p + 4 * cb); d5 = v128.load(p + 5 * cb);
              } else {
                if (x0 >= 0 && x0 < w) d0 = v128.load(row + <usize>x0 * cb);
                if (x0 + 1 >= 0 && x0 + 1 < w) d1 = v128.load(row + <usize>(x0 + 1) * cb);
                if (x0 + 2 < w) d2 = v128.load(row + <usize>(x0 + 2) * cb);
                if (x0 + 3 < w) d3 = v128.load(row + <usize>(x0 + 3) * cb);
                if (x0 + 4 < w) d4 = v128.load(row + <usize>(x0 + 4) * cb);
                if (x0 + 5 < w) d5 = v128.load(row + <usize>(x0 + 5) * cb);
              }
            }
            inputRow(d0, d1, d2, d3, d4, d5, slot, 16);
          }
        }
        for (let zz = 0; zz < 6; zz++) for (let xx = 0; xx < 6; xx++) inputAxis(tq + <usize>(zz * 36 + xx) * 16, 96, tq + <usize>(zz * 36 + xx) * 16, 96);
      }
      // along z for all channel groups of a position in turn: each V row [t][0..ci) is written whole
      const dst = v + <usize>t * cb;
      for (let yx = 0; yx < 36; yx++)
        for (let q: usize = 0; q < cb; q += 16) inputAxis(tmp + q * 216 + <usize>yx * 16, 576, dst + q + <usize>yx * vXi, 36 * vXi);
    }
    // 2. 216 products M[xi] [tn x co] = V[xi] [tn x ci] U[xi] [ci x co], 4 tiles x 8 channels per register tile
    winogradProducts(v, u, m, 216, tn, ci, co, vXi, uXi, mXi);
    // 3. output transform A^T M A of each tile, 4 channels at a time, written where inside y
    for (let t = 0; t < tn; t++) {
      const id = t0 + t;
      const s = id / perSample, r = id % perSample;
      const bz = r / (ty * tx), by = (r / tx) % ty, bx = r % tx;
      const ys = y + <usize>s * ySample;
      // along x for all channel groups of a position in turn (each M row [t][0..co) read whole):
      // M[z][y][0..5] -> tmp[q][z][y][0..3]
      const src = m + <usize>t * ob;
      for (let zy = 0; zy < 36; zy++)
        for (let q: usize = 0; q < ob; q += 16) outputAxis(src + q + <usize>(zy * 6) * mXi, mXi, tmp + q * 240 + <usize>(zy * 4) * 16, 16);
      for (let q: usize = 0; q < ob; q += 16) {
        const tq = tmp + q * 240, t2 = tq + 144 * 16; // this channel group's [6][6][4] and [6][4][4] slots
        // along y: tmp[z][y6][x4] -> t2[z][y4][x4]
        for (let z = 0; z < 6; z++) for (let xx = 0; xx < 4; xx++) outputAxis(tq + <usize>(z * 24 + xx) * 16, 64, t2 + <usize>(z * 16 + xx) * 16, 64);
        // along z, in place over the first 4 planes of t2, then store the 4x4x4 block
        for (let yx = 0; yx < 16; yx++) outputAxis(t2 + <usize>yx * 16, 256, t2 + <usize>yx * 16, 256);
        for (let zz = 0; zz < 4; zz++) {
          const oz = 4 * bz + zz;
          if (oz >= d) break;
          for (let yy = 0; yy < 4; yy++) {
            const oy = 4 * by + yy;
            if (oy >= h) break;
            const out = ys + <usize>oz * yPlane + <usize>oy * yRow + <usize>(4 * bx) * ob + q;
            const p = t2 + <usize>(zz * 16 + yy * 4) * 16;
            const left = w - 4 * bx;
            if (left >= 4) {
              v128.store(out, v128.load(p));
              v128.store(out + ob, v128.load(p, 16));
              v128.store(out + 2 * ob, v128.load(p, 32));
              v128.store(out + 3 * ob, v128.load(p, 48));
            } else {
              for (let xx = 0; xx < left; xx++) v128.store(out + <usize>xx * ob, v128.load(p + <usize>xx * 16));
            }
          }
        }
      }
    }
  }
  return 1;
}
