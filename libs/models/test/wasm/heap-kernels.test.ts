/**
 * The TypeScript kernels that work on the wasm heap (MaxPool3D, GroupNorm, trilinear x2
 * upsampling) against tfjs's pure-JS `cpu` backend (GroupNorm and upsampling there are the
 * tfjs-op compositions checked against PyTorch).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relMaxError } from '../fixtures.ts';
import '../../src/register-gradients.ts';
import { biasGroupNormRelu, groupNorm } from '../../src/ops/group-norm.ts';
import { upsampleTrilinear2x } from '../../src/ops/upsample-trilinear.ts';
import { mulberry32, uniformArray } from '../../src/util/rng.ts';
import { GROUP_NORM_KERNEL } from '../../src/wasm/group-norm-kernel.ts';
import { UPSAMPLE_KERNEL } from '../../src/wasm/upsample-kernel.ts';
import { registerFastWasmKernels, unregisterFastWasmKernels } from '../../src/wasm/index.ts';

const rand = mulberry32(11);
const arr = (n: number, scale = 1) => uniformArray(n, scale, rand);

async function on<T>(backend: string, f: () => T): Promise<T> {
  if (!(await tf.setBackend(backend))) throw new Error(`${backend} backend failed`);
  return f();
}

beforeAll(() => registerFastWasmKernels());
afterAll(() => unregisterFastWasmKernels());

describe('MaxPool3D on wasm', () => {
  it('stock tfjs-backend-wasm 4.22 returns FLT_MIN for a window of negative values (why it is replaced)', async () => {
    unregisterFastWasmKernels();
    const y = await on('wasm', () => tf.tidy(() => tf.maxPool3d(tf.fill([1, 2, 2, 2, 1], -1) as tf.Tensor5D, 2, 2, 'valid').dataSync()));
    registerFastWasmKernels();
    expect(y[0]).toBeCloseTo(1.1754943508222875e-38, 45);
    const fixed = await on('wasm', () => tf.tidy(() => tf.maxPool3d(tf.fill([1, 2, 2, 2, 1], -1) as tf.Tensor5D, 2, 2, 'valid').dataSync()));
    expect(fixed[0]).toBe(-1);
  });

  it('matches the cpu backend: values and gradient (2x2x2 / 2 and 1x2x2 / 1x2x2, odd sizes cropped; SIMD for 8 channels)', async () => {
    const cases: [number | [number, number, number], [number, number, number, number, number]][] = [
      [2, [2, 4, 6, 4, 3]],
      [
        [1, 2, 2],
        [2, 4, 5, 5, 3],
      ],
      [2, [2, 4, 5, 5, 8]], // SIMD kernel, odd sizes
      [2, [1, 2, 4, 2, 4]],
    ];
    for (const [f, shape] of cases) {
      const size = shape.reduce((a, b) => a * b, 1);
      // Negative values everywhere and whole windows of zeros (what a ReLU gives).
      const v = arr(size).map((u, i) => (i % 7 < 3 ? 0 : u - 0.6));
      const weights = arr(size); // the same upstream gradient on both backends
      const run = (backend: string) =>
        on(backend, () =>
          tf.tidy(() => {
            const t = tf.tensor5d(v, shape);
            const g = tf.tensor1d(weights);
            const fn = (a: tf.Tensor) => {
              const y = tf.maxPool3d(a as tf.Tensor5D, f as never, f as never, 'valid');
              return tf.sum(tf.mul(tf.reshape(y, [-1]), tf.slice(g, 0, y.size)));
            };
            const y = tf.maxPool3d(t, f as never, f as never, 'valid');
            return [Array.from(y.dataSync()), Array.from(tf.grad(fn)(t).dataSync())];
          }),
        );
      const ref = await run('cpu');
      expect(await run('wasm'), shape.join('x')).toEqual(ref);
    }
  });
});

describe('channel concat and split on wasm (SIMD for two tensors of 4k channels)', () => {
  it('match the cpu backend, values and gradients', async () => {
    for (const [ca, cb] of [
      [8, 4],
      [16, 32],
      [3, 5],
    ]) {
      const a = arr(2 * 3 * 5 * ca);
      const b = arr(2 * 3 * 5 * cb);
      const g = arr(2 * 3 * 5 * (ca + cb));
      const run = (backend: string) =>
        on(backend, () =>
          tf.tidy(() => {
            const [A, B] = [tf.tensor4d(a, [2, 3, 5, ca]), tf.tensor4d(b, [2, 3, 5, cb])];
            const G = tf.tensor4d(g, [2, 3, 5, ca + cb]);
            const joined = tf.concat([A, B], 3);
            const grads = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], -1), G)))([A, B]);
            const parts = tf.split(G, [ca, cb], 3);
            return [joined, ...grads, ...parts].map((t) => Array.from(t.dataSync()));
          }),
        );
      const ref = await run('cpu');
      expect(await run('wasm'), `${ca}+${cb}`).toEqual(ref);
    }
  });
});

describe('GroupNorm kernels on wasm (SIMD for channels in multiples of 4, TypeScript otherwise)', () => {
  const cases = [
    { shape: [2, 3, 4, 5, 8], groups: 4 },
    { shape: [1, 6, 5, 4, 12], groups: 3 },
    { shape: [3, 2, 3, 2, 6], groups: 6 },
    { shape: [2, 9, 9, 9, 16], groups: 8 }, // more voxels than one 64-voxel block
  ];
  for (const { shape, groups } of cases) {
    it(`groupNorm and relu(groupNorm(x + bias)) match the tfjs-op versions: values and every gradient (${shape.join('x')}, ${groups} groups)`, async () => {
      const size = shape.reduce((a, b) => a * b, 1);
      const c = shape[shape.length - 1];
      // A large offset mean per channel, so that a plain sum-of-squares variance would lose digits.
      const x = arr(size, 2).map((v, i) => v + 30 + (i % c));
      const gamma = arr(c).map((v) => v + 1);
      const beta = arr(c);
      const bias = arr(c);
      const dy = arr(size);
      const run = (backend: string) =>
        on(backend, () =>
          tf.tidy(() => {
            const [X, G, B, BI] = [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta), tf.tensor1d(bias)];
            const DY = tf.tensor(dy, shape);
            const plain = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(groupNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, groups), DY));
            const fused = (a: tf.Tensor, bi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(biasGroupNormRelu(a, bi as tf.Tensor1D, g as tf.Tensor1D, b as tf.Tensor1D, groups), DY));
            const outs = [groupNorm(X, G, B, groups), ...tf.grads(plain)([X, G, B]), biasGroupNormRelu(X, BI, G, B, groups), ...tf.grads(fused)([X, BI, G, B])];
            return outs.map((t) => t.dataSync());
          }),
        );
      const ref = await run('cpu');
      const fast = await run('wasm');
      expect(tf.getKernel(GROUP_NORM_KERNEL, 'wasm')).toBeDefined();
      // The bias gradient sums to ~0 over a group (GroupNorm ignores a shift of its group), and is
      // exactly 0 with one channel per group: errors are taken relative to at least 1.
      ['y', 'dx', 'dgamma', 'dbeta', 'fused y', 'fused dx', 'fused dbias', 'fused dgamma', 'fused dbeta'].forEach((name, i) =>
        expect(relMaxError(fast[i], ref[i], 1), name).toBeLessThan(2e-5),
      );
    });
  }

  it('leaves no tensor behind across repeated forward + gradient calls', async () => {
    await tf.setBackend('wasm');
    const X = tf.tensor(arr(2 * 4 * 4 * 4 * 8), [2, 4, 4, 4, 8]);
    const G = tf.ones([8]) as tf.Tensor1D;
    const B = tf.zeros([8]) as tf.Tensor1D;
    const step = () =>
      tf.tidy(() =>
        tf
          .grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(groupNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, 2))))([X, G, B])
          .map((t) => t.dataSync()),
      );
    step();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) step();
    expect([tf.memory().numTensors, tf.memory().numDataBuffers, tf.memory().numBytes]).toEqual([before.numTensors, before.numDataBuffers, before.numBytes]);
    tf.dispose([X, G, B]);
  });
});

describe('trilinear x2 upsampling kernel on wasm', () => {
  for (const shape of [
    [2, 3, 4, 5, 3],
    [1, 1, 2, 1, 4],
    [1, 4, 4, 4, 8],
  ] as [number, number, number, number, number][]) {
    it(`matches the tfjs-op upsampling: values and gradient (${shape.join('x')}, size-1 axes included)`, async () => {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = arr(size);
      const g = arr(size * 8);
      const run = (backend: string) =>
        on(backend, () =>
          tf.tidy(() => {
            const X = tf.tensor5d(x, shape);
            const G = tf.tensor(g, [shape[0], 2 * shape[1], 2 * shape[2], 2 * shape[3], shape[4]]);
            const y = upsampleTrilinear2x(X);
            const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(upsampleTrilinear2x(a as tf.Tensor5D), G)))(X);
            return [y.dataSync(), dx.dataSync()];
          }),
        );
      const ref = await run('cpu');
      const fast = await run('wasm');
      expect(tf.getKernel(UPSAMPLE_KERNEL, 'wasm')).toBeDefined();
      expect(relMaxError(fast[0], ref[0]), 'y').toBeLessThan(1e-6);
      expect(relMaxError(fast[1], ref[1]), 'dx').toBeLessThan(1e-6);
    });
  }
});
