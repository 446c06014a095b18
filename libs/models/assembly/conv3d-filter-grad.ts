/**
 * Filter gradient of a stride-1 3-D convolution, NDHWC, kernel [kd, kh, kw, Ci, Co], in
 * WebAssembly SIMD (AssemblyScript; built by `npm run build:wasm -w libs/models`).
 *
 * Why not tfjs: on the wasm backend the filter gradient was an im2col + XNNPACK matMul whose
 * reduction runs over every voxel of the batch (K ~ 150 000) for a tiny [kw*Ci, Co] result, and
 * XNNPACK streams the whole K panel for each output tile (no K blocking): ~9-15 GFLOP/s.
 * Here the voxels are taken in blocks of ~256 (a few output rows, so x and dy stay in cache),
 * and each block is accumulated into every tap's [Ci, Co] slice with a 4 (Ci) x 8 (Co) register
 * tile: ~45 GFLOP/s on the same machine (tools/bench/conv3d-kernels-bench.ts).
 * Terms that fall outside x are skipped by clipping the row/column ranges, so no padded copy is
 * made and no flop is spent on padding.
 */

import { madd } from './madd';

// @ts-ignore: decorator
@inline
function k4x8(x: usize, dy: usize, dw: usize, rows: i32, cols: i32, xRow: usize, dyRow: usize, xStep: usize, dyStep: usize, dwRow: usize): void {
  let a00 = v128.load(dw), a01 = v128.load(dw, 16);
  let a10 = v128.load(dw + dwRow), a11 = v128.load(dw + dwRow, 16);
  let a20 = v128.load(dw + 2 * dwRow), a21 = v128.load(dw + 2 * dwRow, 16);
  let a30 = v128.load(dw + 3 * dwRow), a31 = v128.load(dw + 3 * dwRow, 16);
  for (let r = 0; r < rows; r++) {
    let xp = x + <usize>r * xRow;
    let dp = dy + <usize>r * dyRow;
    for (let k = 0; k < cols; k++) {
      const d0 = v128.load(dp), d1 = v128.load(dp, 16);
      let s = v128.load32_splat(xp);
      a00 = madd(s, d0, a00); a01 = madd(s, d1, a01);
      s = v128.load32_splat(xp, 4);
      a10 = madd(s, d0, a10); a11 = madd(s, d1, a11);
      s = v128.load32_splat(xp, 8);
      a20 = madd(s, d0, a20); a21 = madd(s, d1, a21);
      s = v128.load32_splat(xp, 12);
      a30 = madd(s, d0, a30); a31 = madd(s, d1, a31);
      xp += xStep; dp += dyStep;
    }
  }
  v128.store(dw, a00); v128.store(dw, a01, 16);
  v128.store(dw + dwRow, a10); v128.store(dw + dwRow, a11, 16);
  v128.store(dw + 2 * dwRow, a20); v128.store(dw + 2 * dwRow, a21, 16);
  v128.store(dw + 3 * dwRow, a30); v128.store(dw + 3 * dwRow, a31, 16);
}

// @ts-ignore: decorator
@inline
function k1x8(x: usize, dy: usize, dw: usize, rows: i32, cols: i32, xRow: usize, dyRow: usize, xStep: usize, dyStep: usize): void {
  let a00 = v128.load(dw), a01 = v128.load(dw, 16);
  for (let r = 0; r < rows; r++) {
    let xp = x + <usize>r * xRow;
    let dp = dy + <usize>r * dyRow;
    for (let k = 0; k < cols; k++) {
      const s = v128.load32_splat(xp);
      a00 = madd(s, v128.load(dp), a00); a01 = madd(s, v128.load(dp, 16), a01);
      xp += xStep; dp += dyStep;
    }
  }
  v128.store(dw, a00); v128.store(dw, a01, 16);
}

// @ts-ignore: decorator
@inline
function k4x4(x: usize, dy: usize, dw: usize, rows: i32, cols: i32, xRow: usize, dyRow: usize, xStep: usize, dyStep: usize, dwRow: usize): void {
  let a0 = v128.load(dw), a1 = v128.load(dw + dwRow), a2 = v128.load(dw + 2 * dwRow), a3 = v128.load(dw + 3 * dwRow);
  for (let r = 0; r < rows; r++) {
    let xp = x + <usize>r * xRow;
    let dp = dy + <usize>r * dyRow;
    for (let k = 0; k < cols; k++) {
      const d0 = v128.load(dp);
      a0 = madd(v128.load32_splat(xp), d0, a0);
      a1 = madd(v128.load32_splat(xp, 4), d0, a1);
      a2 = madd(v128.load32_splat(xp, 8), d0, a2);
      a3 = madd(v128.load32_splat(xp, 12), d0, a3);
      xp += xStep; dp += dyStep;
    }
  }
  v128.store(dw, a0); v128.store(dw + dwRow, a1); v128.store(dw + 2 * dwRow, a2); v128.store(dw + 3 * dwRow, a3);
}

// @ts-ignore: decorator
@inline
function k1x4(x: usize, dy: usize, dw: usize, rows: i32, cols: i32, xRow: usize, dyRow: usize, xStep: usize, dyStep: usize): void {
  let a0 = v128.load(dw);
  for (let r = 0; r < rows; r++) {
    let xp = x + <usize>r * xRow;
    let dp = dy + <usize>r * dyRow;
    for (let k = 0; k < cols; k++) {
      a0 = madd(v128.load32_splat(xp), v128.load(dp), a0);
      xp += xStep; dp += dyStep;
    }
  }
  v128.store(dw, a0);
}

/**
 * dw[a, b, c, i, o] = sum over (n, d, h, w) of dy[n, d, h, w, o] * x[n, d+a-pf, h+b-pt, w+c-pl, i]
 * (terms outside x are zero). All pointers are byte offsets in the memory shared with tfjs's
 * wasm backend; no alignment is required. Returns 0 (and writes nothing) when co is not a
 * multiple of 4 (the caller falls back to tfjs ops).
 */
export function conv3dFilterGrad(
  x: usize, dy: usize, dw: usize,
  n: i32, d: i32, h: i32, w: i32, ci: i32,
  dO: i32, hO: i32, wO: i32, co: i32,
  kd: i32, kh: i32, kw: i32, pf: i32, pt: i32, pl: i32,
): i32 {
  if (co % 4 != 0) return 0;
  memory.fill(dw, 0, <usize>(kd * kh * kw * ci * co) << 2);
  const hb = max(1, 256 / wO);
  const xStep = <usize>ci << 2, dyStep = <usize>co << 2;
  const xRow = <usize>(w * ci) << 2, dyRow = <usize>(wO * co) << 2, dwRow = <usize>co << 2;
  const ci4 = ci & ~3, co8 = co & ~7;
  for (let nn = 0; nn < n; nn++) {
    for (let od = 0; od < dO; od++) {
      for (let oh0 = 0; oh0 < hO; oh0 += hb) {
        const oh1 = min(oh0 + hb, hO);
        for (let a = 0; a < kd; a++) {
          const id = od + a - pf;
          if (id < 0 || id >= d) continue;
          for (let b = 0; b < kh; b++) {
            const ohLo = max(oh0, pt - b), ohHi = min(oh1, h + pt - b);
            if (ohLo >= ohHi) continue;
            const rows = ohHi - ohLo;
            for (let c = 0; c < kw; c++) {
              const owLo = max(0, pl - c), owHi = min(wO, w + pl - c);
              const cols = owHi - owLo;
              if (cols <= 0) continue;
              const xb = x + (<usize>((((nn * d + id) * h + (ohLo + b - pt)) * w + (owLo + c - pl)) * ci) << 2);
              const db = dy + (<usize>((((nn * dO + od) * hO + ohLo) * wO + owLo) * co) << 2);
              const wb = dw + (<usize>(((a * kh + b) * kw + c) * ci * co) << 2);
              let i = 0;
              for (; i < ci4; i += 4) {
                const xi = xb + (<usize>i << 2), wi = wb + (<usize>(i * co) << 2);
                let o = 0;
                for (; o < co8; o += 8) k4x8(xi, db + (<usize>o << 2), wi + (<usize>o << 2), rows, cols, xRow, dyRow, xStep, dyStep, dwRow);
                if (o < co) k4x4(xi, db + (<usize>o << 2), wi + (<usize>o << 2), rows, cols, xRow, dyRow, xStep, dyStep, dwRow);
              }
              for (; i < ci; i++) {
                const xi = xb + (<usize>i << 2), wi = wb + (<usize>(i * co) << 2);
                let o = 0;
                for (; o < co8; o += 8) k1x8(xi, db + (<usize>o << 2), wi + (<usize>o << 2), rows, cols, xRow, dyRow, xStep, dyStep);
                if (o < co) k1x4(xi, db + (<usize>o << 2), wi + (<usize>o << 2), rows, cols, xRow, dyRow, xStep, dyStep);
              }
            }
          }
        }
      }
    }
  }
  return 1;
}
