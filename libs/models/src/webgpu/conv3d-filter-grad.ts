/**
 * Filter gradient of a stride-1 'same' 3-D convolution (3x3x3 pad 1, or 1x1x1) as a split-K
 * GEMM: dW[k, n] = sum_m A[m, k] dy[m, n] with k = (tap, input channel), m = voxel over the
 * batch. The voxels are split into S chunks; workgroup (k-tile, n-tile, chunk) reduces its chunk
 * through workgroup-memory tiles (VC voxels x TK rows of shifted input, VC x TN of dy) into
 * registers and writes one partial [TK x TN] block; a second pass sums the S partials.
 *
 * Why: tfjs-webgpu's own kernel runs one thread per weight looping over every voxel of the batch
 * (432 threads for a 16->16 layer), so a GPU sits almost idle on it; here a 16->16 layer over
 * 32 x 32^3 voxels runs ~1800 workgroups.
 */
import { program, type GpuProgram } from './program.ts';

export interface FilterGradShape {
  dhw: readonly [number, number, number];
  inC: number;
  outC: number;
  ks: 1 | 3;
  voxels: number;
  /** Voxels per chunk (a multiple of VC). */
  chunk: number;
}

const VC = 16; // voxels per reduction step
const TK = 64; // filter rows (tap, input channel) per workgroup
const RM = 4; // 8 measured no faster here on lavapipe

/** Columns (output channels) per workgroup. */
function tileN(outC: number): number {
  return outC <= 4 ? 4 : outC <= 16 ? 16 : 32;
}

/**
 * How many voxels each partial sums: enough chunks for a GPU's worth of workgroups
 * (~64 per filter tile), at least 256 voxels each, and a partial buffer under `maxBytes`.
 */
export function filterGradChunk(voxels: number, filterSize: number, maxBytes: number): number {
  let chunk = Math.min(4096, Math.max(256, Math.ceil(voxels / 64)));
  chunk = Math.ceil(chunk / VC) * VC;
  while (Math.ceil(voxels / chunk) * filterSize * 4 > maxBytes) chunk *= 2;
  return chunk;
}

export function filterGradPartialsProgram(s: FilterGradShape): GpuProgram {
  const [d, h, w] = s.dhw;
  const taps = s.ks ** 3;
  const ktot = taps * s.inC;
  const tn = tileN(s.outC);
  const colThreads = tn / 4;
  const threads = (TK / RM) * colThreads;
  const kTiles = Math.ceil(ktot / TK);
  const splits = Math.ceil(s.voxels / s.chunk);
  const code = `
const CI = ${s.inC};
const CO = ${s.outC};
const KTOT = ${ktot};
const D = ${d};
const H = ${h};
const W = ${w};
const KS = ${s.ks};
const PAD = ${(s.ks - 1) / 2};
const TK = ${TK};
const TN = ${tn};
const VC = ${VC};
const NT = ${threads};
const RM = ${RM};
const COLT = ${colThreads};
const KTILES = ${kTiles};
const CHUNK = ${s.chunk};

var<workgroup> As : array<f32, ${VC * TK}>;
var<workgroup> Bs : array<vec4<f32>, ${(VC * tn) / 4}>;

fn main() {
  let tid = i32(localIndex);
  let g = flatGroup();
  let k0 = (g % KTILES) * TK;
  let split = g / KTILES;
  let n0 = i32(workgroupId.y) * TN;
  let M = uniforms.voxels;
  let mStart = split * CHUNK;
  let mEnd = min(mStart + CHUNK, M);
  let tk = tid / COLT;
  let tn = tid % COLT;

  var acc : array<vec4<f32>, RM>;
  // A constant trip count: tfjs hands workgroupId over in a private variable, which WGSL's
  // uniformity analysis treats as non-uniform, and the loop holds barriers.
  for (var step = 0; step < CHUNK / VC; step = step + 1) {
    let mv = mStart + step * VC;
    // A tile: As[v][kk] = x[voxel mv + v shifted by tap(k0 + kk), channel c(k0 + kk)].
    for (var e = tid; e < VC * TK; e = e + NT) {
      let m = mv + e / TK;
      let k = k0 + e % TK;
      var val = 0.0;
      if (m < mEnd && k < KTOT) {
        let tap = k / CI;
        let c = k % CI;
        let od = tap / (KS * KS) - PAD;
        let oh = (tap / KS) % KS - PAD;
        let ow = tap % KS - PAD;
        let xx = m % W + ow;
        let yy = (m / W) % H + oh;
        let zz = (m / (W * H)) % D + od;
        if (xx >= 0 && xx < W && yy >= 0 && yy < H && zz >= 0 && zz < D) {
          val = x[(m + (od * H + oh) * W + ow) * CI + c];
        }
      }
      As[e] = val;
    }
    // B tile: Bs[v][nn] = dy[voxel mv + v, channel n0 + nn].
    for (var e = tid; e < VC * TN; e = e + NT) {
      let m = mv + e / TN;
      let n = n0 + e % TN;
      var val = 0.0;
      if (m < mEnd && n < CO) { val = dy[m * CO + n]; }
      Bs[e / 4][e % 4] = val;
    }
    workgroupBarrier();
    for (var v = 0; v < VC; v = v + 1) {
      let b = Bs[(v * TN) / 4 + tn];
      for (var i = 0; i < RM; i = i + 1) {
        acc[i] = fma(vec4<f32>(As[v * TK + tk + i * (TK / RM)]), b, acc[i]);
      }
    }
    workgroupBarrier();
  }
  // partial[split][k][n]
  for (var i = 0; i < RM; i = i + 1) {
    let k = k0 + tk + i * (TK / RM);
    if (k < KTOT) {
      for (var j = 0; j < 4; j = j + 1) {
        let n = n0 + tn * 4 + j;
        if (n < CO) { result[(split * KTOT + k) * CO + n] = acc[i][j]; }
      }
    }
  }
}`;
  return program({
    key: `lesionsegConvFilterGradPartials_${s.inC}_${s.outC}_${s.ks}_${d}_${h}_${w}_${s.chunk}_${RM}`,
    outputShape: [splits, ktot * s.outC],
    inputs: ['x', 'dy'],
    threads,
    groups: kTiles * splits,
    yGroups: Math.ceil(s.outC / tn),
    uniforms: 'voxels : i32,',
    code,
  });
}

/** out[j] = sum over the S partials of partials[s, j] (float32, in order). */
export function sumPartialsProgram(splits: number, outputShape: number[]): GpuProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  const code = `
fn main() {
  let j = flatGroup() * 64 + i32(localIndex);
  if (j < uniforms.size) {
    var s = 0.0;
    for (var p = 0; p < ${splits}; p = p + 1) { s = s + partials[p * ${size} + j]; }
    result[j] = s;
  }
}`;
  return program({
    key: `lesionsegSumPartials_${splits}_${size}`,
    outputShape,
    inputs: ['partials'],
    threads: 64,
    groups: Math.ceil(size / 64),
    uniforms: 'size : i32,',
    code,
  });
}
