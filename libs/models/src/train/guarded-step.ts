/**
 * `trainStep` for a trainer that must stop at once and never apply a bad update: the same
 * arithmetic as `trainStep` (each micro-batch's loss sum divided by the whole batch size,
 * gradients added in micro-batch order, one optimizer update), but it yields to the event loop
 * between micro-batches and asks `shouldStop` (a Ctrl-C or SIGTERM handler can then run and
 * the step is abandoned without touching the weights), and applies the update only when the
 * loss and every gradient are finite.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PatchLoss } from '../loss/patch-loss.ts';
import type { UNet } from '../unet/unet.ts';
import { capPatchesPerPass, trainingBytesPerPatch } from './memory-budget.ts';
import type { PatchBatch } from './patch-batch.ts';
import { applyGradients, batchGradients } from './train-step.ts';

export interface GuardedStepOptions {
  loss?: PatchLoss;
  /** Patches per forward/backward pass; default the whole batch (capped to the memory budget). */
  microBatch?: number;
  /** Asked between micro-batches; true abandons the step. */
  shouldStop?: () => boolean;
}

export type GuardedStepResult = { aborted: false; loss: number; perPatch: Float32Array } | { aborted: true };

/** The loss or a gradient of a step is NaN or infinite; the weights were not updated. */
export class NonFiniteStepError extends Error {
  constructor(readonly what: string) {
    super(`${what} (NaN or infinite); the update was not applied`);
    this.name = 'NonFiniteStepError';
  }
}

function part(b: PatchBatch, start: number, n: number): PatchBatch {
  const v = b.shape[0] * b.shape[1] * b.shape[2];
  const c = b.channels ?? 2;
  return { ...b, count: n, images: b.images.subarray(start * v * c, (start + n) * v * c), masks: b.masks?.subarray(start * v, (start + n) * v) };
}

export async function guardedTrainStep(model: UNet, optimizer: tf.Optimizer, batch: PatchBatch, options: GuardedStepOptions = {}): Promise<GuardedStepResult> {
  const micro = capPatchesPerPass(Math.min(options.microBatch ?? batch.count, batch.count), trainingBytesPerPatch(model.options, batch.shape));
  const perPatch = new Float32Array(batch.count);
  let acc: tf.Tensor[] | null = null;
  try {
    for (let start = 0; start < batch.count; start += micro) {
      if (start > 0) {
        await new Promise((r) => setImmediate(r));
        if (options.shouldStop?.()) return { aborted: true };
      }
      const n = Math.min(micro, batch.count - start);
      const r = batchGradients(model, part(batch, start, n), { loss: options.loss, microBatch: n, divideBy: batch.count });
      perPatch.set((await r.perPatch.data()) as Float32Array, start);
      r.perPatch.dispose();
      if (acc === null) acc = r.grads;
      else {
        const g = r.grads;
        const sum: tf.Tensor[] = acc.map((a, i) => tf.add(a, g[i]));
        tf.dispose([...acc, ...g]);
        acc = sum;
      }
    }
    let sum = 0;
    for (const v of perPatch) sum += v;
    const loss = sum / batch.count;
    if (!Number.isFinite(loss)) throw new NonFiniteStepError(`the loss is ${loss}`);
    const grads = acc as tf.Tensor[];
    const finite = tf.tidy(() => tf.all(tf.stack(grads.map((g) => tf.all(tf.isFinite(g))))));
    const ok = (await finite.data())[0] === 1;
    finite.dispose();
    if (!ok) throw new NonFiniteStepError('a gradient is not finite');
    acc = null;
    applyGradients(model, optimizer, grads);
    return { aborted: false, loss, perPatch };
  } finally {
    if (acc) tf.dispose(acc);
  }
}
