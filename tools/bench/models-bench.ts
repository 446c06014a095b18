/**
 * Benchmark of libs/models on this machine's CPU, with the PyTorch twin
 * (tools/reference/torch_bench.py) run in the same invocation so the ratio is measured under
 * the same load. Paper network (widths 16/32/64), 32^3 patches:
 *   conv  Conv3D 16->16 on 4x32^3, forward as inference runs it (one thread)
 *   W1    one training step, batch 32 (micro-batched on tfjs)
 *   W2    OHEM step: 128 patches scored by the EMA model in chunks of 32, top 32 trained, EMA update
 *   W3    sliding-window inference on 2x160x192x160 (392 windows of 32, stride 24)
 *   W3big memory of sliding-window inference on a full 0.5 mm brain, 2x400x480x400: runs the first
 *         --batches batches (the peak is reached at the first one), reports peak RSS and the time
 *         per window, and extrapolates the full run
 *   quick the trainer's small config (--widths 8,16,32 --patch 16 --batch 8 by default): step time
 *
 *   npx tsx tools/bench/models-bench.ts [--workloads conv,W1,W2,W3,quick] [--backend wasm|stock-wasm|cpu]
 *        [--reps 3] [--w3-reps reps-2] [--micro 4] [--torch] [--threads 2] [--replicas 1] [--conv auto|fma|simd|ops]
 *        [--winograd f4|f2|0]
 * --conv picks the wasm convolution path (LESIONSEG_SIMD_KERNELS, worker replicas included): our
 * SIMD kernels with fused multiply-adds (fma), without (simd), the best the runtime takes (auto),
 * or the XNNPACK-op path they replaced (ops), for A/B runs. --winograd (LESIONSEG_WINOGRAD): f4, the
 * default, runs inference's 3x3x3 convs by Winograd F(4x4x4); f2 keeps F(2x2x2) there; 0 is direct.
 * --replicas N adds N worker_threads replicas (data-parallel, see ReplicaPool) to W1, W2 and quick.
 * W3 runs --w3-reps times after its warm-up (default reps - 2, at least 1), the others --reps times.
 * Prints one line per workload: seconds (median, [min-max of the repeats]), GFLOP/s, and with
 * --torch the PyTorch figures and the ratio.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    workloads: { type: 'string', default: 'conv,W1,W2,W3' },
    backend: { type: 'string', default: 'wasm' },
    reps: { type: 'string', default: '3' },
    micro: { type: 'string', default: '4' },
    torch: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
    widths: { type: 'string', default: '8,16,32' },
    patch: { type: 'string', default: '16' },
    batch: { type: 'string', default: '8' },
    replicas: { type: 'string', default: '0' },
    batches: { type: 'string', default: '4' },
    conv: { type: 'string', default: 'auto' },
    winograd: { type: 'string', default: 'f4' },
    'w3-reps': { type: 'string' },
  },
});
if (!['auto', 'fma', 'simd', 'ops'].includes(opt.conv)) throw new Error(`--conv must be auto, fma, simd or ops, not "${opt.conv}"`);
process.env.LESIONSEG_SIMD_KERNELS = opt.conv === 'ops' ? '0' : opt.conv;
if (!['f4', 'f2', '0'].includes(opt.winograd)) throw new Error(`--winograd must be f4, f2 or 0, not "${opt.winograd}"`);
process.env.LESIONSEG_WINOGRAD = opt.winograd;
if (opt.backend === 'stock-wasm') process.env.LESIONSEG_STOCK_WASM = '1';

const tf = await import('@tensorflow/tfjs-core');
const models = await import('@lesionseg/models');
const { createUNet, createAdam, slidingWindowPredict, windowCount, Ema, selectBackend, ReplicaPool } = models;
await selectBackend(opt.backend === 'stock-wasm' ? 'wasm' : (opt.backend as 'wasm' | 'cpu'), { log: () => {} });

const reps = Number(opt.reps);
const w3Reps = opt['w3-reps'] === undefined ? Math.max(1, reps - 2) : Number(opt['w3-reps']);
const replicas = Number(opt.replicas);
type Model = import('@lesionseg/models').UNet;
type Pool = import('@lesionseg/models').ReplicaPool;
const pools = new Map<string, Pool>();
/** One pool per network shape: it serves the model and its EMA copy alike. */
async function poolFor(model: Model): Promise<Pool | undefined> {
  if (replicas === 0) return undefined;
  const key = JSON.stringify(model.options.widths);
  if (!pools.has(key)) pools.set(key, await ReplicaPool.create(model, { workers: replicas, backend: opt.backend === 'cpu' ? 'cpu' : 'wasm' }));
  return pools.get(key);
}
async function trainStep(model: Model, o: import('@tensorflow/tfjs-core').AdamOptimizer, batch: import('@lesionseg/models').PatchBatch, options: { microBatch: number }) {
  const pool = await poolFor(model);
  return pool ? pool.trainStep(model, o, batch, options) : models.trainStep(model, o, batch, options);
}
async function scorePatches(model: Model, batch: import('@lesionseg/models').PatchBatch, options: { chunk: number }) {
  const pool = await poolFor(model);
  return pool ? pool.scorePatches(model, batch, options) : models.scorePatches(model, batch, options);
}
const micro = Number(opt.micro);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batchOf(count: number, side: number, seed: number) {
  const r = rng(seed);
  const v = side ** 3;
  const images = Float32Array.from({ length: count * v * 2 }, () => r() * 2 - 1);
  const masks = Float32Array.from({ length: count * v }, () => (r() > 0.99 ? 1 : 0));
  return { images, masks, count, shape: [side, side, side] as [number, number, number] };
}

/** Forward conv FLOPs per input voxel of the UNet (same formula as the PyTorch twin). */
function flopsPerVoxel(widths: number[], cin = 2): number {
  let total = 0;
  let scale = 1;
  widths.forEach((w, i) => {
    total += scale * 2 * 27 * ((i === 0 ? cin : widths[i - 1]) * w + w * w);
    if (i < widths.length - 1) scale /= 8;
  });
  scale = 1 / 8 ** (widths.length - 1);
  for (let i = widths.length - 2; i >= 0; i--) {
    scale *= 8;
    total += scale * 2 * 27 * ((widths[i + 1] + widths[i]) * widths[i] + widths[i] * widths[i]);
  }
  return total + 2 * widths[0];
}

/** Every repeat's time (s), kept for the spread; `timed` returns the median. */
const repeats = new Map<string, number[]>();
let current = '';
async function timed(fn: () => Promise<unknown>, n: number): Promise<number> {
  await fn(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ts.push((performance.now() - t) / 1000);
  }
  repeats.set(current, [...ts]);
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}
/** ' [min-max of n]' for a workload's repeats (empty for one). */
function spread(ts: readonly number[] | undefined): string {
  return ts && ts.length > 1 ? ` [${Math.min(...ts).toFixed(3)}-${Math.max(...ts).toFixed(3)} of ${ts.length}]` : '';
}

type Row = { workload: string; seconds: number; gflops: number; note?: string };
const rows: Row[] = [];
const paper = [16, 32, 64];

for (const w of (opt.workloads as string).split(',')) {
  current = w;
  if (w === 'conv') {
    const x = tf.randomNormal([4, 32, 32, 32, 16]) as import('@tensorflow/tfjs-core').Tensor5D;
    const k = tf.randomNormal([3, 3, 3, 16, 16]) as import('@tensorflow/tfjs-core').Tensor5D;
    // A forward conv outside any gradient tape, as inference runs it (Winograd F(4x4x4) where the
    // lib has it; the trees before it lack withInferenceKernels and run their own forward).
    const inference = (models as { withInferenceKernels?: <T>(f: () => T) => T }).withInferenceKernels ?? (<T>(f: () => T) => f());
    const s = await timed(async () => {
      const y = inference(() => tf.conv3d(x, k, 1, 'same'));
      await y.data();
      y.dispose();
    }, reps);
    rows.push({ workload: 'conv', seconds: s, gflops: (2 * 4 * 32 ** 3 * 27 * 256) / s / 1e9 });
    tf.dispose([x, k]);
  } else if (w === 'W1' || w === 'quick') {
    const widths = w === 'W1' ? paper : (opt.widths as string).split(',').map(Number);
    const side = w === 'W1' ? 32 : Number(opt.patch);
    const count = w === 'W1' ? 32 : Number(opt.batch);
    const model = createUNet({ widths });
    const adam = createAdam(1e-4);
    const batch = batchOf(count, side, 1);
    const m = w === 'W1' ? micro : count;
    const s = await timed(() => trainStep(model, adam, batch, { microBatch: m }), reps);
    rows.push({ workload: w, seconds: s, gflops: (3 * flopsPerVoxel(widths) * count * side ** 3) / s / 1e9, note: `widths ${widths}, ${count}x${side}^3, micro-batch ${m}` });
    model.dispose();
    adam.dispose();
  } else if (w === 'W2') {
    const model = createUNet({ widths: paper });
    const ema = new Ema(model, 0.99);
    const adam = createAdam(1e-4);
    const pool = batchOf(128, 32, 2);
    const v = 32 ** 3;
    const s = await timed(async () => {
      const scores = await scorePatches(ema.model, pool, { chunk: 32 });
      const top = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]).slice(0, 32);
      const images = new Float32Array(32 * v * 2);
      const masks = new Float32Array(32 * v);
      top.forEach((p, i) => {
        images.set(pool.images.subarray(p * v * 2, (p + 1) * v * 2), i * v * 2);
        masks.set(pool.masks.subarray(p * v, (p + 1) * v), i * v);
      });
      await trainStep(model, adam, { images, masks, count: 32, shape: [32, 32, 32] }, { microBatch: micro });
      ema.update();
    }, reps);
    rows.push({ workload: 'W2', seconds: s, gflops: (flopsPerVoxel(paper) * v * (128 + 3 * 32)) / s / 1e9, note: `micro-batch ${micro}` });
    model.dispose();
    ema.dispose();
    adam.dispose();
  } else if (w === 'W3') {
    const model = createUNet({ widths: paper });
    const shape: [number, number, number] = [160, 192, 160];
    const n = shape[0] * shape[1] * shape[2];
    const r = rng(3);
    const a = Float32Array.from({ length: n }, () => r() * 2 - 1);
    const b = Float32Array.from({ length: n }, () => r() * 2 - 1);
    const pool = await poolFor(model);
    const predict = pool ? (x: import('@lesionseg/models').PatchBatch) => pool.predictPatches(model, x) : undefined;
    const s = await timed(() => slidingWindowPredict(model, [a, b], shape, { batchSize: 8, predict }), w3Reps);
    const windows = windowCount(shape);
    rows.push({ workload: 'W3', seconds: s, gflops: (flopsPerVoxel(paper) * 32 ** 3 * windows) / s / 1e9, note: `${windows} windows` });
    model.dispose();
  } else if (w === 'W3big') {
    const model = createUNet({ widths: paper });
    const shape: [number, number, number] = [400, 480, 400];
    const n = shape[0] * shape[1] * shape[2];
    // fill() touches every page, as real data would
    const a = new Float32Array(n).fill(0.5);
    const b = new Float32Array(n).fill(-0.5);
    const ctl = new AbortController();
    const batches = Number(opt.batches);
    const total = windowCount(shape);
    let t0 = 0;
    let firstDone = 0;
    const t = performance.now();
    await slidingWindowPredict(model, [a, b], shape, {
      batchSize: 8,
      signal: ctl.signal,
      onProgress: (done) => {
        if (t0 === 0) {
          t0 = performance.now();
          firstDone = done;
        }
        if (done >= batches * 8) ctl.abort(new Error('enough'));
      },
    }).catch((e: Error) => {
      if (e.message !== 'enough') throw e;
    });
    const perWindow = (performance.now() - t0) / 1000 / Math.max(1, batches * 8 - firstDone);
    const rssGiB = process.resourceUsage().maxRSS / 1024 / 1024;
    const inputs = (2 * n * 4) / 2 ** 30;
    rows.push({ workload: 'W3big', seconds: perWindow * total, gflops: (flopsPerVoxel(paper) * 32 ** 3) / perWindow / 1e9, note: `${total} windows; extrapolated from ${batches} batches of 8; peak RSS ${rssGiB.toFixed(2)} GiB of which the two input channels are ${inputs.toFixed(2)} GiB and the output ${(inputs / 2).toFixed(2)} GiB; first batch incl. setup ${((t0 - t) / 1000).toFixed(1)} s` });
    model.dispose();
  } else throw new Error(`unknown workload "${w}"`);
  const last = rows[rows.length - 1];
  if (replicas > 0 && last.workload !== 'conv' && last.workload !== 'W3big') last.note = `${last.note ?? ''}, ${replicas} worker replica(s) + main`;
  console.log(`tfjs ${opt.backend}${opt.backend === 'wasm' ? `/${opt.conv}` : ''} ${last.workload}: ${last.seconds.toFixed(3)} s${spread(repeats.get(w))}, ${last.gflops.toFixed(2)} GFLOP/s${last.note ? ` (${last.note})` : ''}`);
}

for (const p of pools.values()) await p.dispose();

if (opt.torch) {
  const script = join(dirname(fileURLToPath(import.meta.url)), '../reference/torch_bench.py');
  const wl = rows.map((r) => r.workload).filter((x) => x !== 'quick');
  const args = [script, '--workloads', wl.join(','), '--threads', String(opt.threads), '--reps', String(reps), '--w3-reps', String(w3Reps)];
  const out = execFileSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  for (const line of out.trim().split('\n')) {
    const t = JSON.parse(line) as { workload: string; seconds: number; gflops: number; times?: number[] };
    const mine = rows.find((r) => r.workload === t.workload);
    if (!mine) continue;
    console.log(`${t.workload}: tfjs ${opt.backend} ${mine.seconds.toFixed(3)} s${spread(repeats.get(t.workload))} vs PyTorch (${opt.threads} threads) ${t.seconds.toFixed(3)} s${spread(t.times)}, ${t.gflops.toFixed(1)} GFLOP/s => ${(mine.seconds / t.seconds).toFixed(2)}x the time`);
  }
}
