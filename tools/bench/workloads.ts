/**
 * The benchmark workloads, defined once for models-bench.ts (CPU) and webgpu-bench.ts (GPU),
 * and mirrored by tools/reference/torch_bench.py. Paper network (widths 16/32/64), 32^3 patches:
 *   W1  one training step, batch 32 (micro-batched on tfjs)
 *   W2  OHEM step: 128 patches scored by the EMA model in chunks of 32, top 32 trained, EMA update
 *   W3  sliding-window inference on 2x160x192x160 (392 windows of 32, stride 24)
 * Sizes are parameters so that a bundle can be checked on a CPU Vulkan driver with tiny ones.
 */
import type * as Models from '@lesionseg/models';
import { mulberry32 } from '@lesionseg/data';

type ModelsLib = typeof Models;
type UNet = Models.UNet;
type PatchBatch = Models.PatchBatch;
type Adam = ReturnType<ModelsLib['createAdam']>;

export const PAPER_WIDTHS = [16, 32, 64];

export interface Row {
  workload: string;
  seconds: number;
  gflops: number;
  note?: string;
}

/** Seeded generator (mulberry32, from @lesionseg/data). */
export const rng = mulberry32;

export function batchOf(count: number, side: number, seed: number): PatchBatch & { masks: Float32Array } {
  const r = rng(seed);
  const v = side ** 3;
  const images = Float32Array.from({ length: count * v * 2 }, () => r() * 2 - 1);
  const masks = Float32Array.from({ length: count * v }, () => (r() > 0.99 ? 1 : 0));
  return { images, masks, count, shape: [side, side, side] };
}

/** Forward conv FLOPs per input voxel of the UNet (same formula as the PyTorch twin). */
export function flopsPerVoxel(widths: readonly number[], cin = 2): number {
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

/** Every repeat's times (s) of the last `timed` call, for the spread a benchmark prints. */
export let lastRepeats: number[] = [];

/** Median seconds of `n` runs after one warm-up (each run's time is left in `lastRepeats`). */
export async function timed(fn: () => Promise<unknown>, n: number): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ts.push((performance.now() - t) / 1000);
  }
  lastRepeats = [...ts];
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

/** How the workloads train and score: on this thread, or through worker replicas. */
export interface StepOps {
  trainStep(model: UNet, adam: Adam, batch: PatchBatch, options: { microBatch: number }): Promise<unknown>;
  scorePatches(model: UNet, batch: PatchBatch, options: { chunk: number }): Promise<Float32Array>;
}

export interface W1Options {
  widths?: number[];
  count?: number;
  side?: number;
  micro: number;
  reps: number;
  name?: string;
}

/** W1: one training step. Returns the row and the step, for a profile of one more run. */
export async function w1(models: ModelsLib, ops: StepOps, o: W1Options): Promise<{ row: Row; run: () => Promise<unknown>; dispose(): void }> {
  const widths = o.widths ?? PAPER_WIDTHS;
  const count = o.count ?? 32;
  const side = o.side ?? 32;
  const model = models.createUNet({ widths });
  const adam = models.createAdam(1e-4);
  const batch = batchOf(count, side, 1);
  const run = () => ops.trainStep(model, adam, batch, { microBatch: o.micro });
  const s = await timed(run, o.reps);
  return {
    row: {
      workload: o.name ?? 'W1',
      seconds: s,
      gflops: (3 * flopsPerVoxel(widths) * count * side ** 3) / s / 1e9,
      note: `widths ${widths}, ${count}x${side}^3, micro-batch ${o.micro}`,
    },
    run,
    dispose: () => {
      model.dispose();
      adam.dispose();
    },
  };
}

export interface W2Options {
  candidates?: number;
  count?: number;
  side?: number;
  chunk?: number;
  micro: number;
  reps: number;
}

/** W2: OHEM step (score the candidates with the EMA model, train the hardest, update the EMA). */
export async function w2(models: ModelsLib, ops: StepOps, o: W2Options): Promise<{ row: Row; run: () => Promise<unknown>; dispose(): void }> {
  const candidates = o.candidates ?? 128;
  const count = o.count ?? 32;
  const side = o.side ?? 32;
  const model = models.createUNet({ widths: PAPER_WIDTHS });
  const ema = new models.Ema(model, 0.99);
  const adam = models.createAdam(1e-4);
  const pool = batchOf(candidates, side, 2);
  const v = side ** 3;
  const run = async () => {
    const scores = await ops.scorePatches(ema.model, pool, { chunk: o.chunk ?? 32 });
    const top = Array.from(scores.keys())
      .sort((a, b) => scores[b] - scores[a])
      .slice(0, count);
    const images = new Float32Array(count * v * 2);
    const masks = new Float32Array(count * v);
    top.forEach((p, i) => {
      images.set(pool.images.subarray(p * v * 2, (p + 1) * v * 2), i * v * 2);
      masks.set(pool.masks.subarray(p * v, (p + 1) * v), i * v);
    });
    await ops.trainStep(model, adam, { images, masks, count, shape: [side, side, side] }, { microBatch: o.micro });
    ema.update();
  };
  const s = await timed(run, o.reps);
  return {
    row: {
      workload: 'W2',
      seconds: s,
      gflops: (flopsPerVoxel(PAPER_WIDTHS) * v * (candidates + 3 * count)) / s / 1e9,
      note: `${candidates} scored, ${count} trained at ${side}^3, micro-batch ${o.micro}`,
    },
    run,
    dispose: () => {
      model.dispose();
      ema.dispose();
      adam.dispose();
    },
  };
}

export interface W3Options {
  shape?: [number, number, number];
  batchSize?: number;
  reps: number;
  predict?: Models.SlidingWindowOptions['predict'];
  /** For a pool that must be bound to the model (worker replicas). */
  predictFor?: (model: UNet) => Promise<Models.SlidingWindowOptions['predict']>;
}

/** W3: sliding-window inference over a two-channel volume (windows of 32, stride 24). */
export async function w3(models: ModelsLib, o: W3Options): Promise<{ row: Row; run: () => Promise<unknown>; dispose(): void }> {
  const model = models.createUNet({ widths: PAPER_WIDTHS });
  const shape = o.shape ?? [160, 192, 160];
  const n = shape[0] * shape[1] * shape[2];
  const r = rng(3);
  const a = Float32Array.from({ length: n }, () => r() * 2 - 1);
  const b = Float32Array.from({ length: n }, () => r() * 2 - 1);
  const predict = o.predict ?? (o.predictFor ? await o.predictFor(model) : undefined);
  const run = () => models.slidingWindowPredict(model, [a, b], shape, { batchSize: o.batchSize, predict });
  const s = await timed(run, o.reps);
  const windows = models.windowCount(shape);
  return {
    row: {
      workload: 'W3',
      seconds: s,
      gflops: (flopsPerVoxel(PAPER_WIDTHS) * 32 ** 3 * windows) / s / 1e9,
      note: `${windows} windows of ${shape.join('x')}, ${o.batchSize ?? 'device default'} per batch`,
    },
    run,
    dispose: () => model.dispose(),
  };
}
