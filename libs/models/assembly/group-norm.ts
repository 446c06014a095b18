/**
 * GroupNorm with an optional preceding per-channel bias and an optional following ReLU, and its
 * gradient, in WebAssembly SIMD: y = relu(GroupNorm(x + bias)), PyTorch's GroupNorm semantics
 * (biased variance, eps inside the square root, per-channel gamma and beta).
 *
 * Layout: x, y, dy, dx are [n, voxels, c] (channels last), c a multiple of 4; bias, gamma, beta
 * [c]; mean, rstd [n, groups]. `scratch` is caller-allocated working memory of 64 * c bytes.
 *
 * Sums: each channel accumulates 64 voxels at a time in float32 SIMD lanes, then adds them into
 * float64 totals. The variance uses values shifted by the sample's first voxel per channel and
 * combines channels with the parallel-variance formula, so a large mean does not cancel digits.
 */
import { madd } from './madd';

const BLOCK = 64;

// @ts-ignore: decorator
@inline
function addLanes(dst: usize, v: v128): void {
  store<f64>(dst, load<f64>(dst) + <f64>f32x4.extract_lane(v, 0));
  store<f64>(dst, load<f64>(dst, 8) + <f64>f32x4.extract_lane(v, 1), 8);
  store<f64>(dst, load<f64>(dst, 16) + <f64>f32x4.extract_lane(v, 2), 16);
  store<f64>(dst, load<f64>(dst, 24) + <f64>f32x4.extract_lane(v, 3), 24);
}

/**
 * Forward. mean/rstd receive each sample's group statistics (of x + bias).
 * Scratch (bytes): S1 f64 [c] @0, S2 f64 [c] @8c, scale f32 [c] @16c, shift f32 [c] @20c.
 */
export function groupNormForward(
  x: usize, bias: usize, gamma: usize, beta: usize, y: usize, mean: usize, rstd: usize, scratch: usize,
  n: i32, voxels: i32, c: i32, groups: i32, eps: f64, relu: i32,
): void {
  const cg = c / groups;
  const row = <usize>c << 2;
  const s1 = scratch, s2 = scratch + (<usize>c << 3), scale = scratch + (<usize>c << 4), shift = scratch + <usize>c * 20;
  const zero = f32x4.splat(0);
  for (let s = 0; s < n; s++) {
    const xs = x + <usize>s * <usize>voxels * row;
    const ys = y + <usize>s * <usize>voxels * row;
    memory.fill(scratch, 0, <usize>c << 4);
    // Pass 1: per-channel sums of (x - x[first voxel]) and of its square.
    for (let vb = 0; vb < voxels; vb += BLOCK) {
      const vn = min(BLOCK, voxels - vb);
      for (let q = 0; q < c; q += 4) {
        const k = v128.load(xs + (<usize>q << 2));
        let a1 = zero, a2 = zero;
        let p = xs + <usize>vb * row + (<usize>q << 2);
        for (let v = 0; v < vn; v++) {
          const d = f32x4.sub(v128.load(p), k);
          a1 = f32x4.add(a1, d);
          a2 = madd(d, d, a2);
          p += row;
        }
        addLanes(s1 + (<usize>q << 3), a1);
        addLanes(s2 + (<usize>q << 3), a2);
      }
    }
    // Group statistics: channel means and squared deviations, combined exactly.
    for (let g = 0; g < groups; g++) {
      let m: f64 = 0;
      for (let ch = g * cg; ch < (g + 1) * cg; ch++) {
        const first = <f64>load<f32>(xs + (<usize>ch << 2));
        const b = bias ? <f64>load<f32>(bias + (<usize>ch << 2)) : 0;
        m += first + b + load<f64>(s1 + (<usize>ch << 3)) / voxels;
      }
      m /= cg;
      let m2: f64 = 0;
      for (let ch = g * cg; ch < (g + 1) * cg; ch++) {
        const sum = load<f64>(s1 + (<usize>ch << 3));
        const mc = <f64>load<f32>(xs + (<usize>ch << 2)) + (bias ? <f64>load<f32>(bias + (<usize>ch << 2)) : 0) + sum / voxels;
        m2 += load<f64>(s2 + (<usize>ch << 3)) - (sum * sum) / voxels + <f64>voxels * (mc - m) * (mc - m);
      }
      const r = 1 / Math.sqrt(max<f64>(m2 / (<f64>voxels * cg), 0) + eps);
      store<f32>(mean + (<usize>(s * groups + g) << 2), <f32>m);
      store<f32>(rstd + (<usize>(s * groups + g) << 2), <f32>r);
      for (let ch = g * cg; ch < (g + 1) * cg; ch++) {
        const a = r * <f64>load<f32>(gamma + (<usize>ch << 2));
        const b = bias ? <f64>load<f32>(bias + (<usize>ch << 2)) : 0;
        store<f32>(scale + (<usize>ch << 2), <f32>a);
        // y = a (x + b - m) + beta = a x + (beta + a (b - m))
        store<f32>(shift + (<usize>ch << 2), <f32>(<f64>load<f32>(beta + (<usize>ch << 2)) + a * (b - m)));
      }
    }
    // Pass 2: y = [relu](scale x + shift).
    for (let vb = 0; vb < voxels; vb += BLOCK) {
      const vn = min(BLOCK, voxels - vb);
      for (let q = 0; q < c; q += 4) {
        const a = v128.load(scale + (<usize>q << 2)), b = v128.load(shift + (<usize>q << 2));
        const off = <usize>vb * row + (<usize>q << 2);
        let p = xs + off, o = ys + off;
        if (relu) {
          for (let v = 0; v < vn; v++) {
            v128.store(o, f32x4.max(madd(a, v128.load(p), b), zero));
            p += row; o += row;
          }
        } else {
          for (let v = 0; v < vn; v++) {
            v128.store(o, madd(a, v128.load(p), b));
            p += row; o += row;
          }
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function masked(dy: v128, y: v128, relu: i32): v128 {
  return relu ? v128.and(dy, f32x4.gt(y, f32x4.splat(0))) : dy;
}

/**
 * Gradient of y = [relu](GroupNorm(x + bias)) given dy; y is the forward output (for the ReLU
 * mask, unused without it). Writes dx, and dgamma, dbeta, dbias summed over samples.
 * Scratch (bytes): sums f64 [c] of g, g x, x @0, @8c, @16c; dgamma, dbeta, dbias f64 @24c, @32c,
 * @40c; per-channel coefficients ka, kb, kc f32 @48c, @52c, @56c (g = dy masked by the ReLU).
 */
export function groupNormBackward(
  dy: usize, x: usize, y: usize, bias: usize, gamma: usize, mean: usize, rstd: usize,
  dx: usize, dgamma: usize, dbeta: usize, dbias: usize, scratch: usize,
  n: i32, voxels: i32, c: i32, groups: i32, relu: i32,
): void {
  const cg = c / groups;
  const count = <f64>voxels * cg;
  const row = <usize>c << 2;
  const c8 = <usize>c << 3;
  const sG = scratch, sGX = scratch + c8, sX = scratch + 2 * c8;
  const dG = scratch + 3 * c8, dB = scratch + 4 * c8, dBias = scratch + 5 * c8;
  const ka = scratch + 6 * c8, kb = ka + (<usize>c << 2), kc = ka + (<usize>c << 3);
  const zero = f32x4.splat(0);
  memory.fill(dG, 0, 3 * c8);
  for (let s = 0; s < n; s++) {
    const so = <usize>s * <usize>voxels * row;
    memory.fill(scratch, 0, 3 * c8);
    for (let vb = 0; vb < voxels; vb += BLOCK) {
      const vn = min(BLOCK, voxels - vb);
      for (let q = 0; q < c; q += 4) {
        let a1 = zero, a2 = zero, a3 = zero;
        let off = so + <usize>vb * row + (<usize>q << 2);
        for (let v = 0; v < vn; v++) {
          const g = masked(v128.load(dy + off), v128.load(y + off), relu);
          const xv = v128.load(x + off);
          a1 = f32x4.add(a1, g);
          a2 = madd(g, xv, a2);
          a3 = f32x4.add(a3, xv);
          off += row;
        }
        addLanes(sG + (<usize>q << 3), a1);
        addLanes(sGX + (<usize>q << 3), a2);
        addLanes(sX + (<usize>q << 3), a3);
      }
    }
    for (let g = 0; g < groups; g++) {
      const m = <f64>load<f32>(mean + (<usize>(s * groups + g) << 2));
      const r = <f64>load<f32>(rstd + (<usize>(s * groups + g) << 2));
      let t1: f64 = 0; // sum over the group of gamma g
      let t2: f64 = 0; // sum over the group of gamma g xhat
      for (let ch = g * cg; ch < (g + 1) * cg; ch++) {
        const o = <usize>ch << 3;
        const b = bias ? <f64>load<f32>(bias + (<usize>ch << 2)) : 0;
        const sg = load<f64>(sG + o);
        const gXhat = r * (load<f64>(sGX + o) + b * sg - m * sg);
        const gam = <f64>load<f32>(gamma + (<usize>ch << 2));
        store<f64>(dG + o, load<f64>(dG + o) + gXhat);
        store<f64>(dB + o, load<f64>(dB + o) + sg);
        t1 += gam * sg;
        t2 += gam * gXhat;
      }
      for (let ch = g * cg; ch < (g + 1) * cg; ch++) {
        const o = <usize>ch << 3;
        const b = bias ? <f64>load<f32>(bias + (<usize>ch << 2)) : 0;
        const a = r * <f64>load<f32>(gamma + (<usize>ch << 2));
        const bb = (-r * r * t2) / count;
        const cc = (-r * t1) / count + (m * r * r * t2) / count;
        // d(x + bias) = a g + bb (x + bias) + cc; its sum over voxels is the bias gradient.
        const sumV = load<f64>(sX + o) + <f64>voxels * b;
        store<f64>(dBias + o, load<f64>(dBias + o) + a * load<f64>(sG + o) + bb * sumV + cc * voxels);
        store<f32>(ka + (<usize>ch << 2), <f32>a);
        store<f32>(kb + (<usize>ch << 2), <f32>bb);
        store<f32>(kc + (<usize>ch << 2), <f32>(cc + bb * b));
      }
    }
    for (let vb = 0; vb < voxels; vb += BLOCK) {
      const vn = min(BLOCK, voxels - vb);
      for (let q = 0; q < c; q += 4) {
        const a = v128.load(ka + (<usize>q << 2)), bb = v128.load(kb + (<usize>q << 2)), cc = v128.load(kc + (<usize>q << 2));
        let off = so + <usize>vb * row + (<usize>q << 2);
        for (let v = 0; v < vn; v++) {
          const g = masked(v128.load(dy + off), v128.load(y + off), relu);
          v128.store(dx + off, madd(a, g, madd(bb, v128.load(x + off), cc)));
          off += row;
        }
      }
    }
  }
  for (let ch = 0; ch < c; ch++) {
    store<f32>(dgamma + (<usize>ch << 2), <f32>load<f64>(dG + (<usize>ch << 3)));
    store<f32>(dbeta + (<usize>ch << 2), <f32>load<f64>(dB + (<usize>ch << 3)));
    if (dbias) store<f32>(dbias + (<usize>ch << 2), <f32>load<f64>(dBias + (<usize>ch << 3)));
  }
}
