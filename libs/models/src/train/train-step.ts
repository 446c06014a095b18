/**
 * One optimizer step and batched scoring. The batch may be split into micro-batches whose
 * gradients are summed before the single Adam update: mathematically the same step as the
 * whole batch at once (the loss is a mean over patches), with memory bounded by the micro-batch
 * (the wasm heap is capped at 4 GiB and a 32^3 patch costs ~0.5 GiB to train).
 */
import * as tf from '@tensorflow/tfjs-core';
import '../register-gradients.ts';
import { bceWithLogitsPerPatch, type PatchLoss } from '../loss/patch-loss.ts';
import type { UNet } from '../unet/unet.ts';
import { patchesPerPass } from './memory-budget.ts';
import { checkBatch, sliceBatch, type PatchBatch } from './patch-batch.ts';

export interface TrainStepOptions {
  /** Patches per forward/backward pass; default the whole batch. */
  microBatch?: number;
  /** Per-patch loss; default BCE with logits. */
  loss?: PatchLoss;
  /**
   * Divide the summed per-patch losses by this instead of the batch size. Data-parallel
   * replicas each take part of a batch and use the whole batch's size, so that their
   * gradients add up to the gradient of the batch mean.
   */
  divideBy?: number;
  /** Bytes one forward+backward pass may use; micro-batches are capped to fit (default: the device's, 1.5 GiB on CPUs). */
  memoryBudget?: number;
}

export interface TrainStepResult {
  /** Mean over the batch of the per-patch losses (the value that was minimised). */
  loss: number;
  /** Per-patch losses before the update. */
  perPatch: Float32Array;
}

/** Gradients of mean(per-patch loss) over the whole batch, summed over micro-batches. Caller disposes. */
export function batchGradients(model: UNet, batch: PatchBatch, options: TrainStepOptions = {}): { grads: tf.Tensor[]; perPatch: tf.Tensor1D } {
  checkBatch(batch, true);
  const loss = options.loss ?? bceWithLogitsPerPatch;
  const micro = patchesPerPass(Math.min(options.microBatch ?? batch.count, batch.count), model.options, batch.shape, 'train', options.memoryBudget);
  const vars = [...model.params.values()];
  let acc: tf.Tensor[] | undefined;
  const perPatchParts: tf.Tensor1D[] = [];
  for (let start = 0; start < batch.count; start += micro) {
    const n = Math.min(micro, batch.count - start);
    const { x, y } = sliceBatch(batch, start, n);
    let per: tf.Tensor1D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      per = loss(model.forward(x, true), y as tf.Tensor5D);
      tf.keep(per);
      // Sum over this micro-batch divided by the whole batch size: the sum over micro-batches is the batch mean.
      return tf.div(tf.sum(per), options.divideBy ?? batch.count) as tf.Scalar;
    }, vars);
    tf.dispose([value, x, ...(y ? [y] : [])]);
    perPatchParts.push(per as tf.Tensor1D);
    const g = vars.map((v) => grads[v.name]);
    if (!acc) acc = g;
    else {
      const next = acc.map((a, i) => tf.add(a, g[i]));
      tf.dispose([...acc, ...g]);
      acc = next;
    }
  }
  const perPatch = perPatchParts.length === 1 ? perPatchParts[0] : (tf.concat(perPatchParts) as tf.Tensor1D);
  if (perPatchParts.length > 1) tf.dispose(perPatchParts);
  return { grads: acc as tf.Tensor[], perPatch };
}

/** Apply gradients (in `model.params` order) with the optimizer. Disposes the gradients. */
export function applyGradients(model: UNet, optimizer: tf.Optimizer, grads: tf.Tensor[]): void {
  const vars = [...model.params.values()];
  const named: tf.NamedTensorMap = {};
  vars.forEach((v, i) => (named[v.name] = grads[i]));
  optimizer.applyGradients(named);
  tf.dispose(grads);
}

/**
 * One training step on `batch`: forward, backward (micro-batched), one optimizer update. The
 * losses are read before the update: a GPU failure in the passes (out of memory, device lost)
 * surfaces there, and the weights stay those of the previous step, fit for a checkpoint.
 */
export async function trainStep(model: UNet, optimizer: tf.Optimizer, batch: PatchBatch, options: TrainStepOptions = {}): Promise<TrainStepResult> {
  const { grads, perPatch } = batchGradients(model, batch, options);
  let values: Float32Array;
  try {
    values = (await perPatch.data()) as Float32Array;
  } catch (error) {
    tf.dispose(grads);
    throw error;
  } finally {
    perPatch.dispose();
  }
  applyGradients(model, optimizer, grads);
  let sum = 0;
  for (const v of values) sum += v;
  return { loss: sum / values.length, perPatch: values };
}

export interface ScoreOptions {
  /** Patches per forward pass; default 32 (capped to fit `memoryBudget`). */
  chunk?: number;
  loss?: PatchLoss;
  /** Bytes one forward pass may use (default: the device's, 1.5 GiB on CPUs). */
  memoryBudget?: number;
}

/** Per-patch losses of `batch` under `model` (no gradients), forward passes of `chunk` patches. */
export async function scorePatches(model: UNet, batch: PatchBatch, options: ScoreOptions = {}): Promise<Float32Array> {
  checkBatch(batch, true);
  const loss = options.loss ?? bceWithLogitsPerPatch;
  const chunk = patchesPerPass(options.chunk ?? 32, model.options, batch.shape, 'infer', options.memoryBudget);
  const out = new Float32Array(batch.count);
  for (let start = 0; start < batch.count; start += chunk) {
    const n = Math.min(chunk, batch.count - start);
    const per = tf.tidy(() => {
      const { x, y } = sliceBatch(batch, start, n);
      return loss(model.forward(x, false), y as tf.Tensor5D);
    });
    out.set((await per.data()) as Float32Array, start);
    per.dispose();
  }
  return out;
}

/** Sigmoid probabilities `[count, z, y, x]` of a batch (no masks needed), in chunks. */
export async function predictPatches(model: UNet, batch: PatchBatch, options: { chunk?: number; memoryBudget?: number } = {}): Promise<Float32Array> {
  checkBatch(batch, false);
  const chunk = patchesPerPass(options.chunk ?? 32, model.options, batch.shape, 'infer', options.memoryBudget);
  const v = batch.shape[0] * batch.shape[1] * batch.shape[2];
  const out = new Float32Array(batch.count * v);
  for (let start = 0; start < batch.count; start += chunk) {
    const n = Math.min(chunk, batch.count - start);
    const p = tf.tidy(() => tf.sigmoid(model.forward(sliceBatch(batch, start, n).x, false)));
    out.set((await p.data()) as Float32Array, start * v);
    p.dispose();
  }
  return out;
}
