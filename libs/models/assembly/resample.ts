/**
 * The UNet's resampling in WebAssembly SIMD, channels last with c a multiple of 4:
 * 2x2x2 / 2 max pooling and its gradient, and one axis of x2 trilinear upsampling
 * (align_corners=False) and its adjoint, applied per axis by the caller; and the decoder's
 * channel concatenation of two tensors and its inverse split.
 */
import { madd } from './madd';

/**
 * y = maxpool(x), window 2x2x2, stride 2, no padding (odd sizes drop their last slice).
 * NaN propagates (f32x4.max does).
 */
export function maxPool2(x: usize, y: usize, n: i32, d: i32, h: i32, w: i32, c: i32): void {
  const cb = <usize>c << 2, rowB = <usize>w * cb, planeB = <usize>h * rowB;
  const od = d >> 1, oh = h >> 1, ow = w >> 1;
  let out = y;
  for (let b = 0; b < n; b++)
    for (let z = 0; z < od; z++)
      for (let yy = 0; yy < oh; yy++)
        for (let xx = 0; xx < ow; xx++) {
          const base = x + (<usize>b * <usize>d + <usize>(2 * z)) * planeB + <usize>(2 * yy) * rowB + <usize>(2 * xx) * cb;
          for (let q: usize = 0; q < cb; q += 16, out += 16) {
            const p = base + q;
            let m = f32x4.max(v128.load(p), v128.load(p + cb));
            m = f32x4.max(m, f32x4.max(v128.load(p + rowB), v128.load(p + rowB + cb)));
            m = f32x4.max(m, f32x4.max(v128.load(p + planeB), v128.load(p + planeB + cb)));
            m = f32x4.max(m, f32x4.max(v128.load(p + planeB + rowB), v128.load(p + planeB + rowB + cb)));
            v128.store(out, m);
          }
        }
}

/**
 * dx of maxPool2 given dy: each window's dy goes to the last position holding its maximum
 * (scan order z, y, x; as tfjs's cpu backend). Voxels outside every window get 0.
 */
export function maxPool2Grad(x: usize, dy: usize, dx: usize, n: i32, d: i32, h: i32, w: i32, c: i32): void {
  const cb = <usize>c << 2, rowB = <usize>w * cb, planeB = <usize>h * rowB;
  memory.fill(dx, 0, <usize>n * <usize>d * planeB);
  const od = d >> 1, oh = h >> 1, ow = w >> 1;
  let g = dy;
  for (let b = 0; b < n; b++)
    for (let z = 0; z < od; z++)
      for (let yy = 0; yy < oh; yy++)
        for (let xx = 0; xx < ow; xx++) {
          const base = (<usize>b * <usize>d + <usize>(2 * z)) * planeB + <usize>(2 * yy) * rowB + <usize>(2 * xx) * cb;
          for (let q: usize = 0; q < cb; q += 16, g += 16) {
            const p = base + q;
            const o0 = p, o1 = p + cb, o2 = p + rowB, o3 = p + rowB + cb;
            const o4 = p + planeB, o5 = o4 + cb, o6 = o4 + rowB, o7 = o4 + rowB + cb;
            const v0 = v128.load(x + o0), v1 = v128.load(x + o1), v2 = v128.load(x + o2), v3 = v128.load(x + o3);
            const v4 = v128.load(x + o4), v5 = v128.load(x + o5), v6 = v128.load(x + o6), v7 = v128.load(x + o7);
            const m = f32x4.max(f32x4.max(f32x4.max(v0, v1), f32x4.max(v2, v3)), f32x4.max(f32x4.max(v4, v5), f32x4.max(v6, v7)));
            const gv = v128.load(g);
            // From the last position back: a lane goes to the first (latest) position equal to the max.
            let taken = f32x4.ne(m, m); // all false, or true where the max is NaN (no gradient, as no lane equals it)
            let sel = v128.andnot(f32x4.eq(v7, m), taken); v128.store(dx + o7, v128.and(gv, sel)); taken = v128.or(taken, sel);
            sel = v128.andnot(f32x4.eq(v6, m), taken); v128.store(dx + o6, v128.and(gv, sel)); taken = v128.or(taken, sel);
            sel = v128.andnot(f32x4.eq(v5, m), taken); v128.store(dx + o5, v128.and(gv, sel)); taken = v128.or(taken, sel);
            sel = v128.andnot(f32x4.eq(v4, m), taken); v128.store(dx + o4, v128.and(gv, sel)); taken = v128.or(taken, sel);
            sel = v128.andnot(f32x4.eq(v3, m), taken); v128.store(dx + o3, v128.and(gv, sel)); taken = v128.or(taken, sel);
            sel = v128.andnot(f32x4.eq(v2, m), taken); v128.store(dx + o2, v128.and(gv, sel)); taken = v128.or(taken, sel);
            sel = v128.andnot(f32x4.eq(v1, m), taken); v128.store(dx + o1, v128.and(gv, sel)); taken = v128.or(taken, sel);
            sel = v128.andnot(f32x4.eq(v0, m), taken); v128.store(dx + o0, v128.and(gv, sel));
          }
        }
}

/** src [outer, n, inner] -> dst [outer, 2n, inner] along n: 2i <- 0.75 x[i] + 0.25 x[i-1], 2i+1 <- 0.75 x[i] + 0.25 x[i+1] (clamped). */
export function upsampleAxis(src: usize, dst: usize, outer: i32, n: i32, inner: i32): void {
  const row = <usize>inner << 2;
  const quarter = f32x4.splat(0.25), threeQ = f32x4.splat(0.75);
  for (let o = 0; o < outer; o++) {
    const sb = src + <usize>o * <usize>n * row;
    const db = dst + <usize>o * <usize>(2 * n) * row;
    for (let i = 0; i < n; i++) {
      const cur = sb + <usize>i * row, prev = sb + <usize>max(i - 1, 0) * row, next = sb + <usize>min(i + 1, n - 1) * row;
      const even = db + <usize>(2 * i) * row, odd = even + row;
      for (let k: usize = 0; k < row; k += 16) {
        const c = f32x4.mul(threeQ, v128.load(cur + k));
        v128.store(even + k, madd(quarter, v128.load(prev + k), c));
        v128.store(odd + k, madd(quarter, v128.load(next + k), c));
      }
    }
  }
}

/**
 * The adjoint of upsampleAxis: g [outer, 2n, inner] -> dst [outer, n, inner],
 * dst[j] = 0.75 (g[2j] + g[2j+1]) + 0.25 (g[2j-1] or, at j = 0, g[0]) + 0.25 (g[2j+2] or, at j = n-1, g[2n-1]).
 */
export function upsampleAxisAdjoint(g: usize, dst: usize, outer: i32, n: i32, inner: i32): void {
  const row = <usize>inner << 2;
  const quarter = f32x4.splat(0.25), threeQ = f32x4.splat(0.75);
  for (let o = 0; o < outer; o++) {
    const gb = g + <usize>o * <usize>(2 * n) * row;
    const db = dst + <usize>o * <usize>n * row;
    for (let j = 0; j < n; j++) {
      const even = gb + <usize>(2 * j) * row, odd = even + row;
      const left = j >= 1 ? even - row : even;
      const right = j + 1 < n ? odd + row : odd;
      const out = db + <usize>j * row;
      for (let k: usize = 0; k < row; k += 16) {
        const main = f32x4.mul(threeQ, f32x4.add(v128.load(even + k), v128.load(odd + k)));
        v128.store(out + k, madd(quarter, f32x4.add(v128.load(left + k), v128.load(right + k)), main));
      }
    }
  }
}

/** out [rows, ca + cb] = [a [rows, ca], b [rows, cb]] along the last axis (ca, cb multiples of 4). */
export function concatLast2(a: usize, b: usize, out: usize, rows: i32, ca: i32, cb: i32): void {
  const ab = <usize>ca << 2, bb = <usize>cb << 2;
  for (let r = 0; r < rows; r++) {
    for (let k: usize = 0; k < ab; k += 16, a += 16, out += 16) v128.store(out, v128.load(a));
    for (let k: usize = 0; k < bb; k += 16, b += 16, out += 16) v128.store(out, v128.load(b));
  }
}

/** The inverse: src [rows, ca + cb] -> a [rows, ca], b [rows, cb]. */
export function splitLast2(src: usize, a: usize, b: usize, rows: i32, ca: i32, cb: i32): void {
  const ab = <usize>ca << 2, bb = <usize>cb << 2;
  for (let r = 0; r < rows; r++) {
    for (let k: usize = 0; k < ab; k += 16, a += 16, src += 16) v128.store(a, v128.load(src));
    for (let k: usize = 0; k < bb; k += 16, b += 16, src += 16) v128.store(b, v128.load(src));
  }
}
