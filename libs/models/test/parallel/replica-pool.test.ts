import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { syntheticBatch } from '../synthetic.ts';
import { createAdam } from '../../src/train/optimizer.ts';
import { predictPatches, scorePatches, trainStep } from '../../src/train/train-step.ts';
import { slidingWindowPredict } from '../../src/inference/sliding-window.ts';
import { cloneUNet, createUNet } from '../../src/unet/unet.ts';
import { ReplicaPool, shares } from '../../src/parallel/replica-pool.ts';

beforeAll(useCpu);

describe('shares', () => {
  it('splits a batch into contiguous, near-equal parts', () => {
    expect(shares(5, 2)).toEqual([
      [0, 3],
      [3, 2],
    ]);
    expect(shares(1, 3)).toEqual([
      [0, 1],
      [1, 0],
      [1, 0],
    ]);
  });
});

describe('ReplicaPool (main thread + 1 worker replica)', () => {
  let pool: ReplicaPool | undefined;
  afterAll(async () => pool?.dispose());

  it('takes the same training steps and scores as the single-thread functions', async () => {
    const a = createUNet({ widths: [4, 8], groups: 2, seed: 21 });
    const b = cloneUNet(a);
    pool = await ReplicaPool.create(b, { workers: 1, backend: 'cpu' });
    expect(pool.size).toBe(2);
    const optA = createAdam(1e-2);
    const optB = createAdam(1e-2);
    const batch = syntheticBatch(5, 8, 6);
    for (let i = 0; i < 3; i++) {
      const ra = await trainStep(a, optA, batch, { microBatch: 2 });
      const rb = await pool.trainStep(b, optB, batch, { microBatch: 2 });
      rb.perPatch.forEach((v, k) => expect(v).toBeCloseTo(ra.perPatch[k], 5));
      expect(rb.loss).toBeCloseTo(ra.loss, 5);
    }
    const wa = await a.getWeights();
    const wb = await b.getWeights();
    let worst = 0;
    for (const [name, x] of wa) (wb.get(name) as Float32Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - x[i]))));
    expect(worst).toBeLessThan(1e-5);
    const sa = await scorePatches(a, batch, { chunk: 2 });
    const sb = await pool.scorePatches(b, batch, { chunk: 2 });
    sb.forEach((v, k) => expect(v).toBeCloseTo(sa[k], 4));
    const pa = await predictPatches(a, batch, { chunk: 2 });
    const pb = await pool.predictPatches(b, batch, { chunk: 2 });
    let pw = 0;
    pb.forEach((v, k) => (pw = Math.max(pw, Math.abs(v - pa[k]))));
    expect(pw).toBeLessThan(1e-5);
    const vol = new Float32Array(20 * 20 * 20).map((_, i) => Math.sin(i));
    const sa2 = await slidingWindowPredict(a, [vol, vol], [20, 20, 20], { window: 8, stride: 6 });
    const sb2 = await slidingWindowPredict(b, [vol, vol], [20, 20, 20], { window: 8, stride: 6, predict: (x) => (pool as ReplicaPool).predictPatches(b, x) });
    pw = 0;
    sb2.forEach((v, k) => (pw = Math.max(pw, Math.abs(v - sa2[k]))));
    expect(pw).toBeLessThan(1e-5);
    const before = tf.memory().numTensors;
    await pool.trainStep(b, optB, batch);
    expect(tf.memory().numTensors).toBe(before);
    const other = createUNet({ widths: [4, 4], groups: 2 });
    await expect(pool.trainStep(other, optB, batch)).rejects.toThrow(
      'ReplicaPool was created for a UNet with widths [4,8], groups 2, inChannels 2, got one with widths [4,4], groups 2, inChannels 2',
    );
    other.dispose();
    [a, b, optA, optB].forEach((x) => x.dispose());
  }, 60_000);

  it('rejects an unknown loss before starting workers', async () => {
    const m = createUNet({ widths: [2], groups: 1 });
    await expect(ReplicaPool.create(m, { loss: { type: 'nope' } as never })).rejects.toThrow(/Unknown loss type "nope"/);
    m.dispose();
  });
});
