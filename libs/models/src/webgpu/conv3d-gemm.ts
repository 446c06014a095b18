/**
 * Stride-1 'same' 3-D convolution (3x3x3 with padding 1, or 1x1x1) as a tiled implicit GEMM:
 * out[m, n] = sum_k A[m, k] B[k, n] with m = output voxel (over the whole batch), n = output
 * channel, k = (tap, input channel). A is never materialised: a workgroup loads a [KC x TM]
 * tile of shifted input voxels (zeros outside the volume) and a [KC x TN] tile of weights into
 * workgroup memory, and each thread accumulates RM voxels x 4 channels in registers.
 * Linearising k over taps and channels together keeps the tiles full for the 2-channel input
 * layer as well (one k-step covers several taps).
 *
 * The same program computes the input gradient of such a convolution: dx is the convolution of
 * dy with the spatially flipped filter whose in/out channels are swapped, which here is only a
 * different weight index (`transposed`), no flipped copy of the filter.
 */
import { program, type GpuProgram } from './program.ts';

export interface ConvGemmShape {
  /** Spatial size (depth, height, width) of input and output. */
  dhw: readonly [number, number, number];
  /** Channels of the convolution's input (dy's for the input gradient). */
  inC: number;
  /** Channels of the output. */
  outC: number;
  /** Kernel side: 3 or 1. */
  ks: 1 | 3;
  /** Voxels over the batch, N * D * H * W. */
  voxels: number;
  /**
   * false: weights are the forward filter [ks^3, inC, outC]. true: the input gradient of a conv
   * whose filter is [ks^3, outC, inC]; taps are flipped and channels swapped in the index.
   */
  transposed: boolean;
}

export interface GemmTiles {
  /** Voxels per workgroup. */
  tm: number;
  /** Output channels per workgroup (a multiple of 4: each thread holds 4). */
  tn: number;
  /** k (tap x channel) values per workgroup-memory step. */
  kc: number;
  /** Voxels per thread, strided by tm / rm across the tile. */
  rm: number;
}

let tileOverride: GemmTiles | undefined;
let vec4Loads = true;

/** Benchmarks only: force one tiling for every convolution (undefined: the default choice), and turn the 4-channel loads off. */
export function overrideGemmTiles(t: GemmTiles | undefined, vec4 = true): void {
  tileOverride = t;
  vec4Loads = vec4;
}

/**
 * Tile sizes for a given output-channel count. 8 voxels x 4 channels per thread measured ~1.4x
 * faster than 4 x 4 on lavapipe (32 -> 32 channels at 2 x 16^3); 16 x 4 was no better.
 */
export function gemmTiles(outC: number): GemmTiles & { threads: number } {
  const t =
    tileOverride ?? (outC <= 4 ? { tm: 256, tn: 4, kc: 8, rm: 4 } : outC <= 16 ? { tm: 128, tn: 16, kc: 16, rm: 8 } : { tm: 128, tn: 32, kc: 16, rm: 8 });
  return { ...t, threads: (t.tm / t.rm) * (t.tn / 4) };
}

/** A-tile loads one channel at a time (any channel count): every load decodes its voxel. */
function scalarATile() {
  const aSetup = `
  let kkL = tid % KC;        // the k column this thread loads
  let rowL = tid / KC;       // its first voxel row; then every NT / KC rows`;
  const aTile = `
    // A tile: As[kk][row] = x[voxel m0 + row shifted by tap, channel c], 0 outside the volume.
    let k = k0 + kkL;
    let tap = k / CI;
    let c = k % CI;
    let od = tap / (KS * KS) - PAD;
    let oh = (tap / KS) % KS - PAD;
    let ow = tap % KS - PAD;
    for (var row = rowL; row < TM; row = row + NT / KC) {
      let m = m0 + row;
      var v = 0.0;
      if (k < KTOT && m < M) {
        let xx = m % W + ow;
        let yy = (m / W) % H + oh;
        let zz = (m / (W * H)) % D + od;
        if (xx >= 0 && xx < W && yy >= 0 && yy < H && zz >= 0 && zz < D) {
          v = x[(m + (od * H + oh) * W + ow) * CI + c];
        }
      }
      As[kkL * TM + row] = v;
    }`;
  return { aSetup, aTile };
}

/**
 * A-tile loads of 4 channels at once (x bound as vec4, input channels % 4 == 0): each thread
 * loads the same AROWS voxel rows at every k-step, so their coordinates are decoded once,
 * packed x | y << 10 | z << 20 (-1 past the last voxel), before the k loop.
 */
function vec4ATile(tm: number, kc: number, threads: number) {
  const rows = (tm * kc) / (4 * threads);
  const aSetup = `
  let kq = tid % (KC / 4);     // the 4-channel group of the k-step this thread loads
  let rowV = tid / (KC / 4);   // its first voxel row; then every 4 NT / KC rows
  var rowPos : array<i32, ${rows}>;
  for (var j = 0; j < ${rows}; j = j + 1) {
    let m = m0 + rowV + j * (4 * NT / KC);
    rowPos[j] = -1;
    if (m < M) { rowPos[j] = (m % W) | (((m / W) % H) << 10u) | (((m / (W * H)) % D) << 20u); }
  }`;
  const aTile = `
    // A tile: As[kk][row] = x[voxel m0 + row shifted by tap, channels c .. c + 3], 0 outside the volume.
    let k = k0 + 4 * kq;
    let tap = k / CI;
    let c = k % CI;
    let od = tap / (KS * KS) - PAD;
    let oh = (tap / KS) % KS - PAD;
    let ow = tap % KS - PAD;
    for (var j = 0; j < ${rows}; j = j + 1) {
      let row = rowV + j * (4 * NT / KC);
      let p = rowPos[j];
      var v = vec4<f32>(0.0);
      if (k < KTOT && p >= 0) {
        let xx = (p & 1023) + ow;
        let yy = ((p >> 10u) & 1023) + oh;
        let zz = (p >> 20u) + od;
        if (xx >= 0 && xx < W && yy >= 0 && yy < H && zz >= 0 && zz < D) {
          v = x[(m0 + row + (od * H + oh) * W + ow) * (CI / 4) + c / 4];
        }
      }
      let at = 4 * kq * TM + row;
      As[at] = v.x;
      As[at + TM] = v.y;
      As[at + 2 * TM] = v.z;
      As[at + 3 * TM] = v.w;
    }`;
  return { aSetup, aTile };
}

export function convGemmProgram(s: ConvGemmShape): GpuProgram {
  const { tm, tn, kc, rm, threads } = gemmTiles(s.outC);
  const [d, h, w] = s.dhw;
  const taps = s.ks ** 3;
  const pad = (s.ks - 1) / 2;
  const colThreads = tn / 4;
  const weightIndex = s.transposed
    ? // filter [taps, outC, inC]: B[(tap, c)][n] = W[taps-1-tap][n][c]
      `(${taps - 1} - tap) * ${s.inC * s.outC} + n * ${s.inC} + c`
    : // filter [taps, inC, outC]: B[(tap, c)][n] = W[tap][c][n]
      `kb * ${s.outC} + n`;
  const vec4 = vec4Loads && s.inC % 4 === 0 && kc % 4 === 0 && (tm * kc) % (4 * threads) === 0 && Math.max(d, h, w) < 1024;
  const { aSetup, aTile } = vec4 ? vec4ATile(tm, kc, threads) : scalarATile();
  const code = `
const CI = ${s.inC};
const CO = ${s.outC};
const KTOT = ${taps * s.inC};
const D = ${d};
const H = ${h};
const W = ${w};
const KS = ${s.ks};
const PAD = ${pad};
const TM = ${tm};
const TN = ${tn};
const KC = ${kc};
const NT = ${threads};
const RM = ${rm};
const COLT = ${colThreads};

var<workgroup> As : array<f32, ${kc * tm}>;
var<workgroup> Bs : array<vec4<f32>, ${(kc * tn) / 4}>;

fn main() {
  let tid = i32(localIndex);
  let m0 = flatGroup() * TM;
  let n0 = i32(workgroupId.y) * TN;
  // No early return for groups past the end (the 2-D grid rounds up): barriers need uniform control flow.
  let M = uniforms.voxels;

${aSetup}
  let tm = tid / COLT;       // compute: voxels tm + i * (TM / RM)
  let tn = tid % COLT;       // compute: channels 4 tn .. 4 tn + 3

  var acc : array<vec4<f32>, RM>;
  for (var k0 = 0; k0 < KTOT; k0 = k0 + KC) {
${aTile}
    // B tile: Bs[kk][nn .. nn+3] = weights of k0 + kk for output channels n0 + nn ...
    for (var e = tid; e < KC * TN; e = e + NT) {
      let kb = k0 + e / TN;
      let n = n0 + e % TN;
      var v = 0.0;
      if (kb < KTOT && n < CO) {
        let tap = kb / CI;
        let c = kb % CI;
        v = w[${weightIndex}];
      }
      let slot = e / 4;
      Bs[slot][e % 4] = v;
    }
    workgroupBarrier();
    for (var kk = 0; kk < KC; kk = kk + 1) {
      let b = Bs[(kk * TN) / 4 + tn];
      for (var i = 0; i < RM; i = i + 1) {
        acc[i] = fma(vec4<f32>(As[kk * TM + tm + i * (TM / RM)]), b, acc[i]);
      }
    }
    workgroupBarrier();
  }
  for (var i = 0; i < RM; i = i + 1) {
    let m = m0 + tm + i * (TM / RM);
    if (m < M) {
      for (var j = 0; j < 4; j = j + 1) {
        let n = n0 + tn * 4 + j;
        if (n < CO) { result[m * CO + n] = acc[i][j]; }
      }
    }
  }
}`;
  return program({
    key: `lesionsegConvGemm_${s.inC}_${s.outC}_${s.ks}_${d}_${h}_${w}_${s.transposed ? 't' : 'f'}_${tm}_${tn}_${kc}_${rm}_${vec4 ? 'v4' : 's'}`,
    outputShape: [s.voxels / (d * h * w), d, h, w, s.outC],
    inputs: ['x', 'w'],
    inputComponents: vec4 ? [4, 1] : undefined,
    threads,
    groups: Math.ceil(s.voxels / tm),
    yGroups: Math.ceil(s.outC / tn),
    uniforms: 'voxels : i32,',
    code,
  });
}
