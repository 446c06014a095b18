import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { syntheticBatch } from '../synthetic.ts';
import { bceWithLogitsPerPatch } from '../../src/loss/patch-loss.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { createAdam, getLearningRate, setLearningRate } from '../../src/train/optimizer.ts';
import { capPatchesPerPass, inferenceBytesPerPatch, trainingBytesPerPatch } from '../../src/train/memory-budget.ts';
import { sliceBatch } from '../../src/train/patch-batch.ts';
import { batchGradients, predictPatches, scorePatches, trainStep } from '../../src/train/train-step.ts';

beforeAll(useCpu);
const tiny = { widths: [4, 8], groups: 2, seed: 3 };

describe('trainStep', () => {
  it('micro-batching gives the same gradients as the whole batch', async () => {
    const model = createUNet(tiny);
    const batch = syntheticBatch(4, 8, 1);
    const whole = batchGradients(model, batch);
    const split = batchGradients(model, batch, { microBatch: 3 });
    expect(Array.from(await split.perPatch.data())).toEqual(Array.from(await whole.perPatch.data()));
    for (let i = 0; i < whole.grads.length; i++) {
      const a = await whole.grads[i].data();
      const b = await split.grads[i].data();
      const scale = Math.max(...Array.from(a, Math.abs));
      const diff = Math.max(...Array.from(a, (v, j) => Math.abs(v - b[j])));
      expect(diff).toBeLessThanOrEqual(1e-5 * scale + 1e-9);
    }
    tf.dispose([...whole.grads, ...split.grads, whole.perPatch, split.perPatch]);
    model.dispose();
  });

  it('returns the mean of the per-patch losses and lowers the loss over a few steps, without leaking tensors', async () => {
    const model = createUNet(tiny);
    const opt = createAdam(1e-2);
    const batch = syntheticBatch(4, 8, 2);
    const first = await trainStep(model, opt, batch, { microBatch: 2 });
    expect(first.perPatch.length).toBe(4);
    expect(first.loss).toBeCloseTo(first.perPatch.reduce((a, b) => a + b, 0) / 4, 6);
    const before = tf.memory().numTensors;
    let last = first.loss;
    for (let i = 0; i < 15; i++) last = (await trainStep(model, opt, batch)).loss;
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first.loss * 0.7);
    opt.dispose();
    model.dispose();
  });

  it('changes the learning rate through setLearningRate', () => {
    const opt = createAdam(1e-3);
    setLearningRate(opt, 5e-4);
    expect(getLearningRate(opt)).toBe(5e-4);
    opt.dispose();
  });

  it('rejects a batch whose arrays do not match its shape', async () => {
    const model = createUNet(tiny);
    const batch = syntheticBatch(2, 8, 3);
    await expect(trainStep(model, createAdam(1e-3), { ...batch, count: 3 })).rejects.toThrow(/images has 2048 values, expected count 3/);
    model.dispose();
  });
});

describe('memory budget', () => {
  it('caps patches per pass to the budget, never below 1, and sizes the paper network as measured on wasm', () => {
    expect(capPatchesPerPass(32, 100, 1000)).toBe(10);
    expect(capPatchesPerPass(4, 100, 1000)).toBe(4);
    expect(capPatchesPerPass(4, 5000, 1000)).toBe(1);
    const paper = { widths: [16, 32, 64], groups: 8, inChannels: 2, seed: 0 };
    // measured: ~71 MB per 32^3 patch for inference, ~0.55 GiB for training
    expect(inferenceBytesPerPatch(paper, [32, 32, 32]) / 2 ** 20).toBeGreaterThan(71);
    expect(trainingBytesPerPatch(paper, [32, 32, 32]) / 2 ** 30).toBeGreaterThan(0.55);
    expect(capPatchesPerPass(32, inferenceBytesPerPatch(paper, [32, 32, 32]))).toBeLessThan(32); // 32 crashed tfjs-wasm
  });
});

describe('scorePatches / predictPatches', () => {
  it('scores in chunks exactly as one forward pass of the whole batch, with no gradients kept', async () => {
    const model = createUNet(tiny);
    const batch = syntheticBatch(5, 8, 4);
    const before = tf.memory().numTensors;
    const chunked = await scorePatches(model, batch, { chunk: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const { x, y } = sliceBatch(batch, 0, 5);
    const ref = bceWithLogitsPerPatch(model.forward(x), y as tf.Tensor5D);
    const r = await ref.data();
    chunked.forEach((v, i) => expect(v).toBeCloseTo(r[i], 5));
    // A memory budget smaller than one pass of 5 patches caps the chunk; results are unchanged.
    const capped = await scorePatches(model, batch, { chunk: 5, memoryBudget: 2 * inferenceBytesPerPatch(model.options, batch.shape) });
    capped.forEach((v, i) => expect(v).toBeCloseTo(r[i], 5));
    const probs = await predictPatches(model, batch, { chunk: 3 });
    expect(probs.length).toBe(5 * 512);
    expect(probs.every((p) => p > 0 && p < 1)).toBe(true);
    tf.dispose([x, y as tf.Tensor, ref]);
    model.dispose();
  });
});
