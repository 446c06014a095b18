/**
 * The wasm fast path against tfjs's pure-JS `cpu` backend (the reference kernels) and against
 * the PyTorch fixture. Each computation is run on both backends from the same host arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, relMaxError } from '../fixtures.ts';
import { syntheticBatch } from '../synthetic.ts';
import '../../src/register-gradients.ts';
import { bceWithLogitsPerPatch } from '../../src/loss/patch-loss.ts';
import { createAdam } from '../../src/train/optimizer.ts';
import { trainStep } from '../../src/train/train-step.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { mulberry32, uniformArray } from '../../src/util/rng.ts';
import { registerFastWasmKernels, unregisterFastWasmKernels } from '../../src/wasm/index.ts';

const rand = mulberry32(42);
const arr = (shape: number[]) =>
  uniformArray(
    shape.reduce((a, b) => a * b, 1),
    1,
    rand,
  );

async function on<T>(backend: string, f: () => T): Promise<T> {
  if (!(await tf.setBackend(backend))) throw new Error(`${backend} backend failed`);
  return f();
}

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(() => unregisterFastWasmKernels());

describe('stock tfjs-backend-wasm 4.22 (why the kernels are replaced)', () => {
  it('Conv3DBackpropInputV2 returns wrong input gradients while forward and filter gradient are right', async () => {
    unregisterFastWasmKernels();
    const x = arr([1, 4, 5, 6, 3]);
    const f = arr([3, 3, 3, 3, 4]);
    const fwd = (backend: string) =>
      on(backend, () => tf.tidy(() => tf.conv3d(tf.tensor5d(x, [1, 4, 5, 6, 3]), tf.tensor5d(f, [3, 3, 3, 3, 4]), 1, 'same').dataSync()));
    expect(relMaxError(await fwd('wasm'), await fwd('cpu'))).toBeLessThan(1e-5);
    const g = arr([1, 4, 5, 6, 4]);
    const dx = async (backend: string) =>
      on(backend, () =>
        tf.tidy(() => tf.conv3dTranspose(tf.tensor5d(g, [1, 4, 5, 6, 4]), tf.tensor5d(f, [3, 3, 3, 3, 4]), [1, 4, 5, 6, 3], 1, 'same').dataSync()),
      );
    const err = relMaxError(await dx('wasm'), await dx('cpu'));
    expect(Number.isNaN(err) || err > 1e-2).toBe(true);
  });
});

describe('registerFastWasmKernels: Conv3D and both gradients', () => {
  const cases: { xs: number[]; fs: number[]; pad: 'same' | 'valid' }[] = [
    { xs: [2, 6, 5, 7, 3], fs: [3, 3, 3, 3, 4], pad: 'same' },
    { xs: [1, 5, 6, 4, 2], fs: [3, 3, 3, 2, 5], pad: 'valid' },
    { xs: [2, 4, 4, 4, 6], fs: [1, 1, 1, 6, 1], pad: 'same' },
    { xs: [1, 6, 5, 7, 2], fs: [3, 1, 2, 2, 3], pad: 'same' },
  ];
  for (const { xs, fs, pad } of cases) {
    it(`matches the cpu backend for x ${xs.join('x')}, filter ${fs.join('x')}, ${pad}`, async () => {
      const x = arr(xs);
      const f = arr(fs);
      const seed = Math.floor(rand() * 1e9);
      const run = (backend: string) =>
        on(backend, () => {
          const r = mulberry32(seed); // identical G on both backends
          return tf.tidy(() => {
            const X = tf.tensor5d(x, xs as [number, number, number, number, number]);
            const F = tf.tensor5d(f, fs as [number, number, number, number, number]);
            const y = tf.conv3d(X, F, 1, pad);
            const G = tf.tensor(uniformArray(y.size, 1, r), y.shape);
            const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, pad), G)))([X, F]);
            return [y.dataSync(), dx.dataSync(), df.dataSync()];
          });
        });
      const ref = await run('cpu');
      registerFastWasmKernels();
      const fast = await run('wasm');
      for (let i = 0; i < 3; i++) expect(relMaxError(fast[i], ref[i]), ['y', 'dx', 'dfilter'][i]).toBeLessThan(2e-6);
    });
  }
});

describe('registerFastWasmKernels: slices, splits, concats, stacks', () => {
  it('match the cpu backend on ranks 1-5 with offsets', async () => {
    const shapes = [[7], [5, 9], [3, 4, 70], [2, 3, 4, 5], [2, 3, 4, 5, 6]];
    for (const shape of shapes) {
      const v = arr(shape);
      const begin = shape.map((s) => Math.floor(s / 3));
      const size = shape.map((s, i) => s - begin[i] - (i % 2));
      const axis = shape.length - 1 - (shape.length > 2 ? 1 : 0);
      const run = (backend: string) =>
        on(backend, () =>
          tf.tidy(() => {
            const t = tf.tensor(v, shape);
            const s = tf.slice(t, begin, size);
            const parts = tf.split(t, [1, shape[axis] - 1], axis);
            const c = tf.concat([t, tf.neg(t), t], axis);
            const st = tf.stack([t, tf.neg(t)], shape.length > 1 ? 1 : 0);
            const un = tf.unstack(t, 0);
            return [s, ...parts, c, st, ...un].map((r) => Array.from(r.dataSync()));
          }),
        );
      const ref = await run('cpu');
      registerFastWasmKernels();
      expect(await run('wasm')).toEqual(ref);
    }
  });
});

describe('the UNet on wasm with the fast kernels', () => {
  it('matches the PyTorch fixture: logits and every gradient', async () => {
    registerFastWasmKernels();
    await tf.setBackend('wasm');
    const fx = loadFixture('unet_parity');
    const names = fx.meta.params as string[];
    const model = createUNet(
      { widths: fx.meta.widths as number[], groups: fx.meta.groups as number },
      new Map(names.map((n) => [n, fx.get(`param:${n}`).data])),
    );
    const x = tf.tensor5d(fx.get('input').data, fx.get('input').shape as [number, number, number, number, number]);
    const m = tf.tensor5d(fx.get('mask').data, fx.get('mask').shape as [number, number, number, number, number]);
    const logits = model.forward(x);
    expect(relMaxError(logits.dataSync(), fx.get('logits').data)).toBeLessThan(2e-5);
    const { value, grads } = tf.variableGrads(() => tf.mean(bceWithLogitsPerPatch(model.forward(x, true), m)) as tf.Scalar, [...model.params.values()]);
    const globalScale = Math.max(...names.map((n) => Math.max(...Array.from(fx.get(`grad:${n}`).data, Math.abs))));
    const errs = [...model.params].map(([name, v]) => [name, relMaxError(grads[v.name].dataSync(), fx.get(`grad:${name}`).data, 1e-2 * globalScale)] as const);
    for (const [name, e] of errs) expect(e, name).toBeLessThan(1e-4); // summation order differs from cpu: ~1e-5 typical
    tf.dispose([x, m, logits, value, ...Object.values(grads)]);
    model.dispose();
  });

  it("trains without leaking tensors and gives the cpu backend's losses", async () => {
    const batch = syntheticBatch(4, 8, 5);
    const losses = async (backend: string) => {
      await tf.setBackend(backend);
      const model = createUNet({ widths: [4, 8], groups: 2, seed: 9 });
      const opt = createAdam(1e-2);
      const out: number[] = [];
      out.push((await trainStep(model, opt, batch, { microBatch: 3 })).loss);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) out.push((await trainStep(model, opt, batch, { microBatch: 3 })).loss);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      opt.dispose();
      return out;
    };
    const ref = await losses('cpu');
    registerFastWasmKernels();
    const fast = await losses('wasm');
    fast.forEach((l, i) => expect(Math.abs(l - ref[i]) / ref[i]).toBeLessThan(1e-4));
  });
});
