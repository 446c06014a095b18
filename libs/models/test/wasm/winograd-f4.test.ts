/**
 * Winograd F(4x4x4, 3x3x3), the inference-only forward convolution: against tfjs's `cpu`
 * backend and the direct SIMD kernel, when it is taken (inside withInferenceKernels, no gradient
 * tape) and when not, and the UNet's inference forward with it.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, relMaxError } from '../fixtures.ts';
import '../../src/register-gradients.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { mulberry32, uniformArray } from '../../src/util/rng.ts';
import { conv3dPathCounts, registerFastWasmKernels, unregisterFastWasmKernels, useWinogradConv, withInferenceKernels } from '../../src/wasm/index.ts';

const rand = mulberry32(11);
const arr = (shape: number[]) =>
  uniformArray(
    shape.reduce((a, b) => a * b, 1),
    1,
    rand,
  );
type Shape5 = [number, number, number, number, number];

/** conv3d(x, f, 'same') on `backend`, inside withInferenceKernels when `inference`. */
async function conv(backend: string, x: Float32Array, xs: Shape5, f: Float32Array, fs: Shape5, inference: boolean): Promise<Float32Array> {
  if (!(await tf.setBackend(backend))) throw new Error(`${backend} backend failed`);
  const run = () => tf.tidy(() => tf.conv3d(tf.tensor5d(x, xs), tf.tensor5d(f, fs), 1, 'same').dataSync() as Float32Array);
  return inference ? withInferenceKernels(run) : run();
}

beforeAll(() => registerFastWasmKernels());
afterAll(() => {
  useWinogradConv(true);
  unregisterFastWasmKernels();
});

describe('Winograd F(4x4x4, 3x3x3) for inference', () => {
  // Partial 4x4x4 blocks on every axis, blocks of 8 tiles that span samples (one tile per
  // sample in the last case), the 8-wide channel tile repeated, and a last partial block.
  const cases: { xs: Shape5; fs: Shape5 }[] = [
    { xs: [2, 5, 7, 9, 8], fs: [3, 3, 3, 8, 16] },
    { xs: [1, 3, 1, 6, 4], fs: [3, 3, 3, 4, 8] },
    { xs: [3, 9, 8, 7, 12], fs: [3, 3, 3, 12, 8] },
    { xs: [9, 4, 4, 4, 8], fs: [3, 3, 3, 8, 24] },
    { xs: [1, 16, 16, 16, 32], fs: [3, 3, 3, 32, 16] },
  ];
  for (const { xs, fs } of cases) {
    it(`matches the cpu backend and the direct kernel within 5e-5 of the range: x ${xs.join('x')}, filter ${fs.join('x')}`, async () => {
      const x = arr(xs);
      const f = arr(fs).map((v) => v * 0.3);
      const ref = await conv('cpu', x, xs, f, fs, false);
      const before = conv3dPathCounts.winogradF4;
      const f4 = await conv('wasm', x, xs, f, fs, true);
      expect(conv3dPathCounts.winogradF4 - before).toBe(1);
      useWinogradConv(false);
      const direct = await conv('wasm', x, xs, f, fs, true);
      useWinogradConv(true);
      expect(conv3dPathCounts.winogradF4 - before).toBe(1);
      expect(relMaxError(f4, ref)).toBeLessThan(5e-5);
      expect(relMaxError(f4, direct)).toBeLessThan(5e-5);
      // and it is a different computation from F(2x2x2): rounding errors of its own size
      expect(relMaxError(f4, ref)).toBeGreaterThan(0);
    });
  }

  it('is not taken outside withInferenceKernels, under a gradient tape, or with useWinogradConv("f2")', async () => {
    await tf.setBackend('wasm');
    const xs: Shape5 = [1, 6, 6, 6, 8];
    const X = tf.tensor5d(arr(xs), xs);
    const F = tf.tensor5d(arr([3, 3, 3, 8, 8]), [3, 3, 3, 8, 8]);
    const before = { ...conv3dPathCounts };
    tf.tidy(() => tf.conv3d(X, F, 1, 'same').dataSync());
    withInferenceKernels(() =>
      tf.tidy(() =>
        tf
          .grads((a: tf.Tensor) => tf.sum(tf.conv3d(a as tf.Tensor5D, F, 1, 'same')))([X])[0]
          .dataSync(),
      ),
    );
    useWinogradConv('f2');
    withInferenceKernels(() => tf.tidy(() => tf.conv3d(X, F, 1, 'same').dataSync()));
    useWinogradConv(true);
    expect(conv3dPathCounts.winogradF4).toBe(before.winogradF4);
    expect(conv3dPathCounts.winograd - before.winograd).toBe(4); // y, y and dx under grads (no dfilter: grads of X only), y with f2
    withInferenceKernels(() => tf.tidy(() => tf.conv3d(X, F, 1, 'same').dataSync()));
    expect(conv3dPathCounts.winogradF4 - before.winogradF4).toBe(1);
    tf.dispose([X, F]);
  });

  it('UNet.forward(x, false) takes it for every eligible conv; the logits stay within 2e-5 of the PyTorch fixture and the cpu backend', async () => {
    const fx = loadFixture('unet_parity');
    const names = fx.meta.params as string[];
    const weights = new Map(names.map((n) => [n, fx.get(`param:${n}`).data]));
    const logitsOn = async (backend: string, training: boolean) => {
      await tf.setBackend(backend);
      const model = createUNet({ widths: fx.meta.widths as number[], groups: fx.meta.groups as number }, weights);
      const out = tf.tidy(() => model.forward(tf.tensor5d(fx.get('input').data, fx.get('input').shape as Shape5), training).dataSync() as Float32Array);
      model.dispose();
      return out;
    };
    const cpu = await logitsOn('cpu', false);
    const before = conv3dPathCounts.winogradF4;
    const f4 = await logitsOn('wasm', false);
    const eligible = conv3dPathCounts.winogradF4 - before;
    expect(eligible).toBeGreaterThan(0);
    await logitsOn('wasm', true);
    expect(conv3dPathCounts.winogradF4 - before).toBe(eligible); // training forward: F(2x2x2)
    expect(relMaxError(f4, fx.get('logits').data)).toBeLessThan(2e-5);
    expect(relMaxError(f4, cpu)).toBeLessThan(2e-5);
  });
});
