/**
 * Data-parallel training on several CPU cores. The wasm backend runs one thread (its threaded
 * build fails in Node: workers from a blob: URL), so each extra core gets a worker_threads
 * replica with its own wasm backend. A step splits the batch: the main thread computes the
 * gradients of its share while the replicas compute theirs from the same weights; the sums are
 * added and ONE optimizer update is applied on the main thread. Mathematically the same step as
 * `trainStep` on the whole batch (each part divides by the whole batch size).
 *
 * Workers load TypeScript through tsx's ESM loader (the project runs on tsx and vitest).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Worker } from 'node:worker_threads';
import { tsWorker } from '@lesionseg/data';
import { createPatchLoss, type PatchLossConfig } from '../loss/patch-loss.ts';
import { checkBatch, type PatchBatch } from '../train/patch-batch.ts';
import { applyGradients, batchGradients, predictPatches, scorePatches, type TrainStepResult } from '../train/train-step.ts';
import type { UNet } from '../unet/unet.ts';
import type { FromWorker, GradsMessage, PartBatch, PredictMessage, ScoreMessage, ToWorker } from './protocol.ts';

export interface ReplicaPoolOptions {
  /** Worker replicas besides the main thread; default 1 (two cores in all). */
  workers?: number;
  /** Backend of the workers; default 'wasm'. */
  backend?: 'wasm' | 'cpu';
  /** Loss by config (functions cannot cross threads); default BCE. */
  loss?: PatchLossConfig;
}

class Replica {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private ready: Promise<void>;

  constructor(init: ToWorker) {
    this.worker = tsWorker(new URL('./replica-worker.ts', import.meta.url));
    let onReady: () => void = () => {};
    let onFail: (e: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') onReady();
      else if (m.type === 'error' && m.id === undefined) onFail(new Error(`replica failed: ${m.message}`));
      else {
        const id = (m as { id: number }).id;
        const p = this.pending.get(id);
        this.pending.delete(id);
        if (m.type === 'error') p?.reject(new Error(`replica failed: ${m.message}`));
        else p?.resolve(m);
      }
    });
    this.worker.on('error', (e) => {
      onFail(e);
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
    this.worker.postMessage(init);
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  request(msg: Omit<GradsMessage, 'id'> | Omit<ScoreMessage, 'id'> | Omit<PredictMessage, 'id'>, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Split `count` patches into `parts` contiguous shares as equal as possible: [start, n][]. */
export function shares(count: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const n = Math.floor(count / parts) + (i < count % parts ? 1 : 0);
    out.push([start, n]);
    start += n;
  }
  return out;
}

function part(batch: PatchBatch, start: number, n: number): PartBatch {
  const c = batch.channels ?? 2;
  const v = batch.shape[0] * batch.shape[1] * batch.shape[2];
  return {
    // slice() copies: the worker gets its own buffer (structured clone of a subarray would copy anyway)
    images: batch.images.slice(start * v * c, (start + n) * v * c),
    masks: batch.masks?.slice(start * v, (start + n) * v),
    count: n,
    shape: [...batch.shape],
    channels: c,
  };
}

export class ReplicaPool {
  private constructor(
    private readonly replicas: Replica[],
    private readonly lossConfig: PatchLossConfig,
    private readonly shape: string,
  ) {}

  private static shapeOf(model: UNet): string {
    const o = model.options;
    return `widths ${JSON.stringify(o.widths)}, groups ${o.groups}, inChannels ${o.inChannels}`;
  }

  private check(model: UNet): void {
    const s = ReplicaPool.shapeOf(model);
    if (s !== this.shape) throw new Error(`ReplicaPool was created for a UNet with ${this.shape}, got one with ${s}`);
  }

  /** Start the workers for models shaped like `model` (their weights come with every request). */
  static async create(model: UNet, options: ReplicaPoolOptions = {}): Promise<ReplicaPool> {
    const n = options.workers ?? 1;
    const loss = options.loss ?? { type: 'bce' };
    createPatchLoss(loss); // validate here, with a clear error, rather than in a worker
    const replicas = Array.from({ length: n }, () => new Replica({ type: 'init', unet: model.options, backend: options.backend ?? 'wasm', loss }));
    try {
      await Promise.all(replicas.map((r) => r.whenReady()));
    } catch (error) {
      await Promise.all(replicas.map((r) => r.terminate()));
      throw error;
    }
    return new ReplicaPool(replicas, loss, ReplicaPool.shapeOf(model));
  }

  get size(): number {
    return this.replicas.length + 1;
  }

  private static async weightsOf(model: UNet): Promise<Float32Array[]> {
    return Promise.all([...model.params.values()].map(async (v) => (await v.data()) as Float32Array));
  }

  /** Same contract as `trainStep`, computed on the main thread and the replicas together. */
  async trainStep(model: UNet, optimizer: tf.Optimizer, batch: PatchBatch, options: { microBatch?: number } = {}): Promise<TrainStepResult> {
    checkBatch(batch, true);
    this.check(model);
    const parts = shares(batch.count, this.size).filter(([, n]) => n > 0);
    const micro = options.microBatch ?? batch.count;
    const weights = await ReplicaPool.weightsOf(model);
    const remote = parts
      .slice(1)
      .map(([start, n], i) => this.replicas[i].request({ type: 'grads', weights, batch: part(batch, start, n), microBatch: micro, divideBy: batch.count }));
    // The main thread's share, while the workers run theirs.
    const [s0, n0] = parts[0];
    const local = batchGradients(model, { ...part(batch, s0, n0) }, { microBatch: micro, loss: createPatchLoss(this.lossConfig), divideBy: batch.count });
    const replies = await Promise.all(remote);
    const grads = local.grads.map((g, k) =>
      tf.tidy(() => replies.reduce<tf.Tensor>((acc, r) => tf.add(acc, tf.tensor((r as { grads: Float32Array[] }).grads[k], g.shape)), g)),
    );
    tf.dispose(local.grads);
    applyGradients(model, optimizer, grads);
    const perPatch = new Float32Array(batch.count);
    perPatch.set((await local.perPatch.data()) as Float32Array, s0);
    local.perPatch.dispose();
    replies.forEach((r, i) => perPatch.set((r as { perPatch: Float32Array }).perPatch, parts[i + 1][0]));
    let sum = 0;
    for (const v of perPatch) sum += v;
    return { loss: sum / batch.count, perPatch };
  }

  /** Same contract as `scorePatches`, split across the main thread and the replicas. */
  async scorePatches(model: UNet, batch: PatchBatch, options: { chunk?: number } = {}): Promise<Float32Array> {
    checkBatch(batch, true);
    this.check(model);
    const parts = shares(batch.count, this.size).filter(([, n]) => n > 0);
    const chunk = options.chunk ?? 32;
    const weights = await ReplicaPool.weightsOf(model);
    const remote = parts.slice(1).map(([start, n], i) => this.replicas[i].request({ type: 'score', weights, batch: part(batch, start, n), chunk }));
    const [s0, n0] = parts[0];
    const local = await scorePatches(model, part(batch, s0, n0), { chunk, loss: createPatchLoss(this.lossConfig) });
    const out = new Float32Array(batch.count);
    out.set(local, s0);
    (await Promise.all(remote)).forEach((r, i) => out.set((r as { scores: Float32Array }).scores, parts[i + 1][0]));
    return out;
  }

  /** Same contract as `predictPatches` (sigmoid probabilities), split across the main thread and the replicas. */
  async predictPatches(model: UNet, batch: PatchBatch, options: { chunk?: number } = {}): Promise<Float32Array> {
    checkBatch(batch, false);
    this.check(model);
    const parts = shares(batch.count, this.size).filter(([, n]) => n > 0);
    const chunk = options.chunk ?? 32;
    const v = batch.shape[0] * batch.shape[1] * batch.shape[2];
    const weights = await ReplicaPool.weightsOf(model);
    const remote = parts.slice(1).map(([start, n], i) => this.replicas[i].request({ type: 'predict', weights, batch: part(batch, start, n), chunk }));
    const [s0, n0] = parts[0];
    const out = new Float32Array(batch.count * v);
    out.set(await predictPatches(model, part(batch, s0, n0), { chunk }), s0 * v);
    (await Promise.all(remote)).forEach((r, i) => out.set((r as { probs: Float32Array }).probs, parts[i + 1][0] * v));
    return out;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.terminate()));
  }
}
