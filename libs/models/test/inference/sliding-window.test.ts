import * as tf from '@tensorflow/tfjs-core';

import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { mulberry32 } from '../../src/util/rng.ts';
import { createUNet, type UNet } from '../../src/unet/unet.ts';
import { slidingWindowPredict, windowCount, type Vec3 } from '../../src/inference/sliding-window.ts';
import { windowStarts } from '../../src/inference/window-grid.ts';

beforeAll(useCpu);

function randomVolume(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 4 - 2);
}

/** A stand-in model whose logit is the follow-up channel: checks the window layout end to end. */
function echoFollowup(): UNet {
  const m = createUNet({ widths: [2], groups: 1 });
  return Object.assign(Object.create(Object.getPrototypeOf(m)) as UNet, m, {
    forward: (x: tf.Tensor5D) => tf.slice(x, [0, 0, 0, 0, 1], [-1, -1, -1, -1, 1]),
  });
}

describe('windowStarts', () => {
  it('matches the paper grid and always ends flush with the volume', () => {
    expect(windowStarts(160, 32, 24)).toEqual([0, 24, 48, 72, 96, 120, 128]);
    expect(windowStarts(192, 32, 24)).toEqual([0, 24, 48, 72, 96, 120, 144, 160]);
    expect(windowStarts(56, 32, 24)).toEqual([0, 24]);
    expect(windowStarts(20, 32, 24)).toEqual([0]);
    expect(windowCount([160, 192, 160])).toBe(392);
    expect(() => windowStarts(100, 32, 40)).toThrow(/stride \(40\) <= window \(32\)/);
  });
});

describe('slidingWindowPredict', () => {
  const shape: Vec3 = [37, 30, 50];
  const n = shape[0] * shape[1] * shape[2];
  const base = randomVolume(n, 1);
  const follow = randomVolume(n, 2);

  it('a constant model gives that constant on every voxel (every voxel covered, weights normalised)', async () => {
    const model = createUNet({ widths: [2, 4], groups: 2 });
    (model.params.get('head/kernel') as tf.Variable).assign(tf.zerosLike(model.params.get('head/kernel') as tf.Variable));
    (model.params.get('head/bias') as tf.Variable).assign(tf.tensor1d([0.7]));
    const expected = 1 / (1 + Math.exp(-0.7));
    const progress: [number, number][] = [];
    for (const weighting of ['average', 'gaussian'] as const) {
      const out = await slidingWindowPredict(model, [base, follow], shape, {
        window: 16,
        stride: 12,
        batchSize: 5,
        weighting,
        onProgress: (d, t) => progress.push([d, t]),
      });
      let worst = 0;
      for (const v of out) worst = Math.max(worst, Math.abs(v - expected));
      expect(worst).toBeLessThan(1e-6);
    }
    const total = windowCount(shape, 16, 12);
    expect(total).toBe(3 * 3 * 4); // x: 0,12,21  y: 0,12,14  z: 0,12,24,34
    expect(progress.slice(0, 10).map((p) => p[0])).toEqual([5, 10, 15, 20, 25, 30, 35, 36, 5, 10]);
    expect(progress.every((p) => p[1] === total)).toBe(true);
    model.dispose();
  });

  it('puts every window back where it came from (x fastest in, x fastest out)', async () => {
    const model = echoFollowup();
    for (const weighting of ['average', 'gaussian'] as const) {
      const out = await slidingWindowPredict(model, [base, follow], shape, { window: 16, stride: 12, weighting });
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(out[i] - 1 / (1 + Math.exp(-follow[i]))));
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('averages overlapping windows by the plain-mean rule (checked against a brute-force count)', async () => {
    // A model whose logit for a whole window is a constant that differs per window.
    let call = 0;
    const values: number[] = [];
    const m = echoFollowup();
    const model = Object.assign(m, {
      forward: (x: tf.Tensor5D) =>
        tf.tidy(() => {
          const k = x.shape[0];
          const v = Array.from({ length: k }, () => (call++ % 7) - 3);
          values.push(...v);
          return tf.mul(tf.ones([k, x.shape[1], x.shape[2], x.shape[3], 1]), tf.tensor(v, [k, 1, 1, 1, 1])) as tf.Tensor5D;
        }),
    });
    const small: Vec3 = [30, 20, 26];
    const sn = small[0] * small[1] * small[2];
    const out = await slidingWindowPredict(model, [new Float32Array(sn), new Float32Array(sn)], small, { window: 16, stride: 12, batchSize: 3 });
    const sum = new Float64Array(sn);
    const count = new Float64Array(sn);
    let k = 0;
    for (const z0 of windowStarts(small[2], 16, 12))
      for (const y0 of windowStarts(small[1], 16, 12))
        for (const x0 of windowStarts(small[0], 16, 12)) {
          const p = 1 / (1 + Math.exp(-values[k++]));
          for (let z = z0; z < z0 + 16; z++)
            for (let y = y0; y < y0 + 16; y++)
              for (let x = x0; x < x0 + 16; x++) {
                const i = x + small[0] * (y + small[1] * z);
                sum[i] += p;
                count[i] += 1;
              }
        }
    expect(k).toBe(values.length);
    let worst = 0;
    for (let i = 0; i < sn; i++) {
      expect(count[i]).toBeGreaterThan(0);
      worst = Math.max(worst, Math.abs(out[i] - sum[i] / count[i]));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('handles a volume smaller than the window and leaks no tensors across repeated calls', async () => {
    const model = echoFollowup();
    const tiny: Vec3 = [10, 20, 7];
    const t = randomVolume(1400, 3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const out = await slidingWindowPredict(model, [t, t], tiny, { window: 16, stride: 12 });
      expect(out[5 + 10 * (3 + 20 * 4)]).toBeCloseTo(1 / (1 + Math.exp(-t[5 + 10 * (3 + 20 * 4)])), 6);
    }
    const unet = createUNet({ widths: [2, 4], groups: 2 });
    const mid = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) await slidingWindowPredict(unet, [t, t], tiny, { window: 16, stride: 12 });
    expect(tf.memory().numTensors).toBe(mid);
    expect(mid - before).toBe(unet.params.size);
    await expect(slidingWindowPredict(unet, [t], tiny)).rejects.toThrow(/takes 2 channels, got 1/);
    await expect(slidingWindowPredict(unet, [t, t.subarray(1)], tiny)).rejects.toThrow(/channel 1 has 1399 voxels, shape 10x20x7 needs 1400/);
    const ctl = new AbortController();
    const big = new Float32Array(40 * 20 * 20);
    const run = slidingWindowPredict(unet, [big, big], [40, 20, 20], {
      window: 16,
      stride: 12,
      batchSize: 1,
      signal: ctl.signal,
      onProgress: (d) => d === 2 && ctl.abort(new Error('stop')),
    });
    await expect(run).rejects.toThrow('stop');
    expect(tf.memory().numTensors).toBe(mid);
    unet.dispose();
  });
});
