/**
 * The product phase both Winograd kernels share: for each of `points` transformed positions xi,
 * M[xi] [tn x co] = V[xi] [tn x ci] U[xi] [ci x co], 4 tiles x 8 output channels per register
 * tile over the whole Ci reduction. Rows past tn (up to the next multiple of 4) are computed
 * from whatever V holds there and never read.
 */
import { madd } from './madd';

// @ts-ignore: decorator
@inline
export function winogradProducts(v: usize, u: usize, m: usize, points: i32, tn: i32, ci: i32, co: i32, vXi: usize, uXi: usize, mXi: usize): void {
  const zero = f32x4.splat(0);
  const cb = <usize>ci << 2, ob = <usize>co << 2;
  const tn4 = (tn + 3) & ~3;
  for (let xi = 0; xi < points; xi++) {
    const vx = v + <usize>xi * vXi, ux = u + <usize>xi * uXi, mx = m + <usize>xi * mXi;
    for (let t = 0; t < tn4; t += 4) {
      const vt = vx + <usize>t * cb;
      for (let o: usize = 0; o < ob; o += 32) {
        let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
        let up = ux + o, vp = vt;
        for (let i = 0; i < ci; i++) {
          const w0 = v128.load(up), w1 = v128.load(up, 16);
          let sv = v128.load32_splat(vp);
          a00 = madd(sv, w0, a00); a01 = madd(sv, w1, a01);
          sv = v128.load32_splat(vp + cb);
          a10 = madd(sv, w0, a10); a11 = madd(sv, w1, a11);
          sv = v128.load32_splat(vp + 2 * cb);
          a20 = madd(sv, w0, a20); a21 = madd(sv, w1, a21);
          sv = v128.load32_splat(vp + 3 * cb);
          a30 = madd(sv, w0, a30); a31 = madd(sv, w1, a31);
          up += ob; vp += 4;
        }
        const mp = mx + <usize>t * ob + o;
        v128.store(mp, a00); v128.store(mp, a01, 16);
        v128.store(mp + ob, a10); v128.store(mp + ob, a11, 16);
        v128.store(mp + 2 * ob, a20); v128.store(mp + 2 * ob, a21, 16);
        v128.store(mp + 3 * ob, a30); v128.store(mp + 3 * ob, a31, 16);
      }
    }
  }
}
