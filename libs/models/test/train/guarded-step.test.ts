import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { syntheticBatch } from '../synthetic.ts';
import { createUNet, type UNet } from '../../src/unet/unet.ts';
import { guardedTrainStep, NonFiniteStepError } from '../../src/train/guarded-step.ts';
import { createAdam } from '../../src/train/optimizer.ts';
import { trainStep } from '../../src/train/train-step.ts';

beforeAll(useCpu);
const tiny = { widths: [4, 8], groups: 2, seed: 3 };

async function weights(model: UNet): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const v of model.params.values()) out.push((await v.data()) as Float32Array);
  return out;
}

describe('guardedTrainStep', () => {
  it('is bit for bit trainStep with the same micro-batches', async () => {
    const a = createUNet(tiny);
    const b = createUNet(tiny);
    const oa = createAdam(1e-2);
    const ob = createAdam(1e-2);
    for (let k = 0; k < 2; k++) {
      const batch = syntheticBatch(3, 8, k);
      const ra = await trainStep(a, oa, batch, { microBatch: 2 });
      const rb = await guardedTrainStep(b, ob, batch, { microBatch: 2 });
      expect(rb.aborted).toBe(false);
      if (!rb.aborted) expect(rb.loss).toBe(ra.loss);
    }
    expect(await weights(b)).toEqual(await weights(a));
    oa.dispose();
    ob.dispose();
  });

  it('a NaN voxel: throws NonFiniteStepError and leaves the weights and the optimizer step as they were', async () => {
    const model = createUNet(tiny);
    const opt = createAdam(1e-2);
    await trainStep(model, opt, syntheticBatch(2, 8, 1));
    const before = await weights(model);
    const iterationsBefore = (opt as unknown as { iterations_: number }).iterations_;
    const batch = syntheticBatch(4, 8, 2);
    batch.images[17] = NaN;
    const tensors = tf.memory().numTensors;
    await expect(guardedTrainStep(model, opt, batch, { microBatch: 2 })).rejects.toThrow(NonFiniteStepError);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await weights(model)).toEqual(before);
    expect((opt as unknown as { iterations_: number }).iterations_).toBe(iterationsBefore);
  });

  it('a stop requested during the step abandons it between micro-batches without an update', async () => {
    const model = createUNet(tiny);
    const opt = createAdam(1e-2);
    const before = await weights(model);
    let asked = 0;
    const r = await guardedTrainStep(model, opt, syntheticBatch(6, 8, 3), { microBatch: 2, shouldStop: () => ++asked >= 2 });
    expect(r.aborted).toBe(true);
    expect(asked).toBe(2); // after the 2nd of 3 micro-batches
    expect(await weights(model)).toEqual(before);
  });
});
