/**
 * Forward stride-1 3-D convolution, NDHWC, kernel [kd, kh, kw, Ci, Co], in WebAssembly SIMD:
 *   y[n, d, h, w, o] = sum over (a, b, c, i) of x[n, d+a-pf, h+b-pt, w+c-pl, i] * k[a, b, c, i, o]
 * (terms outside x are zero). The input gradient of a convolution is this same convolution of
 * dy with the flipped, in/out-swapped kernel, so it serves both.
 *
 * Direct convolution, no im2col: 4 consecutive output voxels x 8 output channels are held in
 * eight SIMD registers while the whole reduction (taps x Ci) runs, so each output is written
 * once and x is read in place. Output voxels near the w edges, whose taps are clipped, take a
 * 1-voxel tile with the clipped tap range. 1.4-2x faster than XNNPACK's Conv2D over the
 * depth-stacked input it replaces (tools/bench/conv3d-kernels-bench.ts).
 */

import { madd } from './madd';

// 4 consecutive output voxels x 8 output channels over taps (a, b, c) in the given ranges.
// @ts-ignore: decorator
@inline
function v4o8(x: usize, k: usize, y: usize, aN: i32, bN: i32, cLo: i32, cHi: i32, ci: i32, xs: usize, xPlane: usize, xRow: usize, kA: usize, kB: usize, kC: usize, kI: usize, ys: usize): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let a = 0; a < aN; a++) {
    for (let b = 0; b < bN; b++) {
      // taps c and channels i are contiguous in x (xs = 4 ci) and in k (kC = ci kI): one loop
      let xp = x + <usize>a * xPlane + <usize>b * xRow + <usize>cLo * xs;
      let wp = k + <usize>a * kA + <usize>b * kB + <usize>cLo * kC;
      const len = (cHi - cLo) * ci;
      for (let j = 0; j < len; j++) {
        const w0 = v128.load(wp), w1 = v128.load(wp, 16);
        let s = v128.load32_splat(xp);
        a00 = madd(s, w0, a00); a01 = madd(s, w1, a01);
        s = v128.load32_splat(xp + xs);
        a10 = madd(s, w0, a10); a11 = madd(s, w1, a11);
        s = v128.load32_splat(xp + 2 * xs);
        a20 = madd(s, w0, a20); a21 = madd(s, w1, a21);
        s = v128.load32_splat(xp + 3 * xs);
        a30 = madd(s, w0, a30); a31 = madd(s, w1, a31);
        xp += 4; wp += kI;
      }
    }
  }
  v128.store(y, a00); v128.store(y, a01, 16);
  v128.store(y + ys, a10); v128.store(y + ys, a11, 16);
  v128.store(y + 2 * ys, a20); v128.store(y + 2 * ys, a21, 16);
  v128.store(y + 3 * ys, a30); v128.store(y + 3 * ys, a31, 16);
}

// @ts-ignore: decorator
@inline
function v4o4(x: usize, k: usize, y: usize, aN: i32, bN: i32, cLo: i32, cHi: i32, ci: i32, xs: usize, xPlane: usize, xRow: usize, kA: usize, kB: usize, kC: usize, kI: usize, ys: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let a = 0; a < aN; a++) {
    for (let b = 0; b < bN; b++) {
      // taps c and channels i are contiguous in x (xs = 4 ci) and in k (kC = ci kI): one loop
      let xp = x + <usize>a * xPlane + <usize>b * xRow + <usize>cLo * xs;
      let wp = k + <usize>a * kA + <usize>b * kB + <usize>cLo * kC;
      const len = (cHi - cLo) * ci;
      for (let j = 0; j < len; j++) {
        const w0 = v128.load(wp);
        a0 = madd(v128.load32_splat(xp), w0, a0);
        a1 = madd(v128.load32_splat(xp + xs), w0, a1);
        a2 = madd(v128.load32_splat(xp + 2 * xs), w0, a2);
        a3 = madd(v128.load32_splat(xp + 3 * xs), w0, a3);
        xp += 4; wp += kI;
      }
    }
  }
  v128.store(y, a0); v128.store(y + ys, a1); v128.store(y + 2 * ys, a2); v128.store(y + 3 * ys, a3);
}

// @ts-ignore: decorator
@inline
function v1o8(x: usize, k: usize, y: usize, aN: i32, bN: i32, cLo: i32, cHi: i32, ci: i32, xs: usize, xPlane: usize, xRow: usize, kA: usize, kB: usize, kC: usize, kI: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  for (let a = 0; a < aN; a++) {
    for (let b = 0; b < bN; b++) {
      // taps c and channels i are contiguous in x (xs = 4 ci) and in k (kC = ci kI): one loop
      let xp = x + <usize>a * xPlane + <usize>b * xRow + <usize>cLo * xs;
      let wp = k + <usize>a * kA + <usize>b * kB + <usize>cLo * kC;
      const len = (cHi - cLo) * ci;
      for (let j = 0; j < len; j++) {
        const s = v128.load32_splat(xp);
        a0 = madd(s, v128.load(wp), a0); a1 = madd(s, v128.load(wp, 16), a1);
        xp += 4; wp += kI;
      }
    }
  }
  v128.store(y, a0); v128.store(y, a1, 16);
}

// @ts-ignore: decorator
@inline
function v1o4(x: usize, k: usize, y: usize, aN: i32, bN: i32, cLo: i32, cHi: i32, ci: i32, xs: usize, xPlane: usize, xRow: usize, kA: usize, kB: usize, kC: usize, kI: usize): void {
  let a0 = f32x4.splat(0);
  for (let a = 0; a < aN; a++) {
    for (let b = 0; b < bN; b++) {
      // taps c and channels i are contiguous in x (xs = 4 ci) and in k (kC = ci kI): one loop
      let xp = x + <usize>a * xPlane + <usize>b * xRow + <usize>cLo * xs;
      let wp = k + <usize>a * kA + <usize>b * kB + <usize>cLo * kC;
      const len = (cHi - cLo) * ci;
      for (let j = 0; j < len; j++) {
        a0 = madd(v128.load32_splat(xp), v128.load(wp), a0);
        xp += 4; wp += kI;
      }
    }
  }
  v128.store(y, a0);
}

/**
 * Returns 0 (and writes nothing) when co is not a multiple of 4. Output size dO x hO x wO with
 * dO = d + pf + pb - kd + 1 etc. (the caller computes it).
 */
export function conv3dForward(
  x: usize, k: usize, y: usize,
  n: i32, d: i32, h: i32, w: i32, ci: i32,
  dO: i32, hO: i32, wO: i32, co: i32,
  kd: i32, kh: i32, kw: i32, pf: i32, pt: i32, pl: i32,
): i32 {
  if (co % 4 != 0) return 0;
  const xs = <usize>ci << 2, xRow = <usize>(w * ci) << 2, xPlane = <usize>(h * w * ci) << 2;
  const kI = <usize>co << 2, kC = <usize>(ci * co) << 2, kB = <usize>(kw * ci * co) << 2, kA = <usize>(kh * kw * ci * co) << 2;
  const ys = <usize>co << 2;
  const co8 = co & ~7;
  // Output voxels whose taps all fall inside x along w: ow - pl >= 0 and ow + kw - 1 - pl < w.
  const inLo = min(max(pl, 0), wO), inHi = max(inLo, min(wO, w - kw + 1 + pl));
  for (let nn = 0; nn < n; nn++) {
    for (let od = 0; od < dO; od++) {
      const aLo = max(0, pf - od), aHi = min(kd, d + pf - od);
      if (aLo >= aHi) { memory.fill(y + (<usize>(((nn * dO + od) * hO) * wO * co) << 2), 0, <usize>(hO * wO * co) << 2); continue; }
      for (let oh = 0; oh < hO; oh++) {
        const bLo = max(0, pt - oh), bHi = min(kh, h + pt - oh);
        const yRow = y + (<usize>(((nn * dO + od) * hO + oh) * wO * co) << 2);
        if (bLo >= bHi) { memory.fill(yRow, 0, <usize>(wO * co) << 2); continue; }
        // x at (id = od + aLo - pf, ih = oh + bLo - pt, iw = 0), kernel at (aLo, bLo, 0)
        const xRow0 = x + (<usize>(((nn * d + od + aLo - pf) * h + oh + bLo - pt) * w * ci) << 2);
        const k0 = k + <usize>aLo * kA + <usize>bLo * kB;
        const aN = aHi - aLo, bN = bHi - bLo;
        for (let o = 0; o < co; o += 8) {
          const wide = o < co8;
          const ko = k0 + (<usize>o << 2);
          const yo = yRow + (<usize>o << 2);
          let ow = 0;
          // left edge, interior groups of 4, interior rest and right edge
          for (; ow < inLo; ow++) {
            const cLo = max(0, pl - ow), cHi = min(kw, w + pl - ow);
            const xo = xRow0 + <usize>(ow - pl) * xs;
            if (wide) v1o8(xo, ko, yo + <usize>ow * ys, aN, bN, cLo, cHi, ci, xs, xPlane, xRow, kA, kB, kC, kI);
            else v1o4(xo, ko, yo + <usize>ow * ys, aN, bN, cLo, cHi, ci, xs, xPlane, xRow, kA, kB, kC, kI);
          }
          for (; ow + 4 <= inHi; ow += 4) {
            const xo = xRow0 + <usize>(ow - pl) * xs;
            if (wide) v4o8(xo, ko, yo + <usize>ow * ys, aN, bN, 0, kw, ci, xs, xPlane, xRow, kA, kB, kC, kI, ys);
            else v4o4(xo, ko, yo + <usize>ow * ys, aN, bN, 0, kw, ci, xs, xPlane, xRow, kA, kB, kC, kI, ys);
          }
          for (; ow < wO; ow++) {
            const cLo = max(0, pl - ow), cHi = min(kw, w + pl - ow);
            const xo = xRow0 + <usize>(ow - pl) * xs;
            if (wide) v1o8(xo, ko, yo + <usize>ow * ys, aN, bN, cLo, cHi, ci, xs, xPlane, xRow, kA, kB, kC, kI);
            else v1o4(xo, ko, yo + <usize>ow * ys, aN, bN, cLo, cHi, ci, xs, xPlane, xRow, kA, kB, kC, kI);
          }
        }
      }
    }
  }
  return 1;
}

/**
 * 1x1x1 convolution to one output channel (the UNet's head), ci % 4 == 0: y[v] = sum_i x[v, i] k[i].
 * tfjs's own path for it (XNNPACK Conv2D with one output channel) ran at ~0.3 GFLOP/s.
 */
export function conv1x1To1(x: usize, k: usize, y: usize, voxels: i32, ci: i32): void {
  const cb = <usize>ci << 2;
  for (let v = 0; v < voxels; v++) {
    const xp = x + <usize>v * cb;
    let acc = f32x4.splat(0);
    for (let i: usize = 0; i < cb; i += 16) acc = madd(v128.load(xp + i), v128.load(k + i), acc);
    f32.store(y + (<usize>v << 2), f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3)));
  }
}
