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
import { flopsPerVoxel, lastRepeats, PAPER_WIDTHS, timed, w1, w2, w3, type Row } from './workloads.ts';

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
const { createUNet, slidingWindowPredict, windowCount, selectBackend, ReplicaPool } = models;
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
async function trainStep(
  model: Model,
  o: import('@tensorflow/tfjs-core').AdamOptimizer,
  batch: import('@lesionseg/models').PatchBatch,
  options: { microBatch: number },
) {
  const pool = await poolFor(model);
  return pool ? pool.trainStep(model, o, batch, options) : models.trainStep(model, o, batch, options);
}
async function scorePatches(model: Model, batch: import('@lesionseg/models').PatchBatch, options: { chunk: number }) {
  const pool = await poolFor(model);
  return pool ? pool.scorePatches(model, batch, options) : models.scorePatches(model, batch, options);
}
const micro = Number(opt.micro);

/** Every repeat's time (s) per workload, for the spread. */
const repeats = new Map<string, number[]>();
/** ' [min-max of n]' for a workload's repeats (empty for one). */
function spread(ts: readonly number[] | undefined): string {
  return ts && ts.length > 1 ? ` [${Math.min(...ts).toFixed(3)}-${Math.max(...ts).toFixed(3)} of ${ts.length}]` : '';
}

const rows: Row[] = [];
const paper = PAPER_WIDTHS;
const ops = { trainStep, scorePatches };

for (const w of (opt.workloads as string).split(',')) {
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
    const q = w === 'quick';
    const count = q ? Number(opt.batch) : 32;
    const r = await w1(models, ops, {
      name: w,
      widths: q ? (opt.widths as string).split(',').map(Number) : paper,
      count,
      side: q ? Number(opt.patch) : 32,
      micro: q ? count : micro,
      reps,
    });
    rows.push(r.row);
    r.dispose();
  } else if (w === 'W2') {
    const r = await w2(models, ops, { micro, reps });
    rows.push(r.row);
    r.dispose();
  } else if (w === 'W3') {
    const r = await w3(models, {
      batchSize: 8,
      reps: w3Reps,
      predictFor: async (model) => {
        const pool = await poolFor(model);
        return pool ? (x) => pool.predictPatches(model, x) : undefined;
      },
    });
    rows.push(r.row);
    r.dispose();
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
    rows.push({
      workload: 'W3big',
      seconds: perWindow * total,
      gflops: (flopsPerVoxel(paper) * 32 ** 3) / perWindow / 1e9,
      note: `${total} windows; extrapolated from ${batches} batches of 8; peak RSS ${rssGiB.toFixed(2)} GiB of which the two input channels are ${inputs.toFixed(2)} GiB and the output ${(inputs / 2).toFixed(2)} GiB; first batch incl. setup ${((t0 - t) / 1000).toFixed(1)} s`,
    });
    model.dispose();
  } else throw new Error(`unknown workload "${w}"`);
  const last = rows[rows.length - 1];
  if (w !== 'W3big') repeats.set(w, lastRepeats); // W3big is timed by its own progress callback
  if (replicas > 0 && last.workload !== 'conv' && last.workload !== 'W3big') last.note = `${last.note ?? ''}, ${replicas} worker replica(s) + main`;
  console.log(
    `tfjs ${opt.backend}${opt.backend === 'wasm' ? `/${opt.conv}` : ''} ${last.workload}: ${last.seconds.toFixed(3)} s${spread(repeats.get(w))}, ${last.gflops.toFixed(2)} GFLOP/s${last.note ? ` (${last.note})` : ''}`,
  );
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
    console.log(
      `${t.workload}: tfjs ${opt.backend} ${mine.seconds.toFixed(3)} s${spread(repeats.get(t.workload))} vs PyTorch (${opt.threads} threads) ${t.seconds.toFixed(3)} s${spread(t.times)}, ${t.gflops.toFixed(1)} GFLOP/s => ${(mine.seconds / t.seconds).toFixed(2)}x the time`,
    );
  }
}
