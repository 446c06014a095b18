/**
 * A training replica: its own tfjs backend (wasm by default, with the fast kernels that
 * importing ../index.ts installs) and its own copy of the UNet. Each request brings the
 * current weights, so replicas never drift from the main thread's model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort } from 'node:worker_threads';
import { selectBackend } from '../index.ts';
import { createPatchLoss, type PatchLoss } from '../loss/patch-loss.ts';
import { batchGradients, predictPatches, scorePatches } from '../train/train-step.ts';
import { createUNet, type UNet } from '../unet/unet.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('replica-worker.ts must run in a worker thread');

let model: UNet | undefined;
let loss: PatchLoss | undefined;

function setWeights(weights: Float32Array[]): UNet {
  if (!model) throw new Error('replica used before init');
  const names = [...model.params.keys()];
  model.setWeights(new Map(names.map((n, i) => [n, weights[i]])));
  return model;
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'init') {
    await selectBackend(msg.backend, { log: () => {} });
    model = createUNet(msg.unet);
    loss = createPatchLoss(msg.loss);
    post({ type: 'ready' });
  } else if (msg.type === 'grads') {
    const m = setWeights(msg.weights);
    const { grads, perPatch } = batchGradients(m, msg.batch, { microBatch: msg.microBatch, loss, divideBy: msg.divideBy });
    const arrays = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
    const per = (await perPatch.data()) as Float32Array;
    tf.dispose([...grads, perPatch]);
    post({ type: 'grads', id: msg.id, grads: arrays, perPatch: per }, [...arrays.map((a) => a.buffer as ArrayBuffer), per.buffer as ArrayBuffer]);
  } else if (msg.type === 'predict') {
    const m = setWeights(msg.weights);
    const probs = await predictPatches(m, msg.batch, { chunk: msg.chunk });
    post({ type: 'predict', id: msg.id, probs }, [probs.buffer as ArrayBuffer]);
  } else {
    const m = setWeights(msg.weights);
    const scores = await scorePatches(m, msg.batch, { chunk: msg.chunk, loss });
    post({ type: 'score', id: msg.id, scores }, [scores.buffer as ArrayBuffer]);
  }
}

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer);
}

port.on('message', (msg: ToWorker) => {
  handle(msg).catch((error: unknown) =>
    post({ type: 'error', id: 'id' in msg ? msg.id : undefined, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
