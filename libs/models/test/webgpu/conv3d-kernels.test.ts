/**
 * Our WGSL convolution kernels on tfjs's `webgpu` backend against the pure-JS `cpu` backend:
 * values and gradients through autodiff (tf.grads, tf.variableGrads), so the registered kernels
 * are what the gradients use. Needs Dawn's `webgpu` package and a Vulkan adapter (CI: Mesa's
 * lavapipe); without one the suite is skipped and says so.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFixture, relMaxError } from '../fixtures.ts';
import { syntheticBatch } from '../synthetic.ts';
import { useWebgpu, webgpuAdapter } from '../webgpu.ts';
import '../../src/register-gradients.ts';
import { bceWithLogitsPerPatch } from '../../src/loss/patch-loss.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { mulberry32, uniformArray } from '../../src/util/rng.ts';
import { registerWebgpuKernels, unregisterWebgpuKernels, webgpuConvPathCounts, webgpuGroupNormCounts, webgpuUpsampleCounts } from '../../src/webgpu/index.ts';

const adapter = await webgpuAdapter();
if (!adapter.ok) console.warn(`\n*** SKIPPING the webgpu kernel tests: ${adapter.reason} ***\n`);

const rand = mulberry32(7);
const arr = (shape: readonly number[]) =>
  uniformArray(
    shape.reduce((a, b) => a * b, 1),
    1,
    rand,
  );

async function on(backend: 'cpu' | 'webgpu'): Promise<void> {
  if (backend === 'webgpu') await useWebgpu();
  else if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed');
}

/** y = conv3d(x, w) and d(sum(y r))/dx, /dw through autodiff, as host arrays. */
async function convAndGrads(
  backend: 'cpu' | 'webgpu',
  c: { x: Float32Array; w: Float32Array; r: Float32Array; xs: number[]; ws: number[]; pad: 'same' | 'valid'; stride: number },
) {
  await on(backend);
  const x = tf.tensor5d(c.x, c.xs as never);
  const w = tf.tensor5d(c.w, c.ws as never);
  const y = tf.conv3d(x, w, c.stride, c.pad);
  const r = tf.tensor(c.r, y.shape);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, c.stride, c.pad), r)))([x, w]);
  const out = { y: await y.data(), dx: await dx.data(), dw: await dw.data() };
  tf.dispose([x, w, y, r, dx, dw]);
  return out;
}

const counts = () => ({ ...webgpuConvPathCounts });
const delta = (a: typeof webgpuConvPathCounts, b: typeof webgpuConvPathCounts) => ({
  forward: b.forward - a.forward,
  inputGrad: b.inputGrad - a.inputGrad,
  filterGrad: b.filterGrad - a.filterGrad,
  stock: b.stock - a.stock,
});

afterAll(() => unregisterWebgpuKernels());

describe.skipIf(!adapter.ok)('webgpu Conv3D kernels: implicit GEMM forward and input gradient, split-K filter gradient', () => {
  // [x shape, filter shape, pad]: odd sizes, partial voxel and channel tiles, batch > 1,
  // more voxel tiles and filter-gradient chunks than one workgroup, two channel tiles (Co 33 > 32).
  const cases: [number[], number[], 'same' | 'valid', string][] = [
    [[1, 5, 6, 7, 3], [3, 3, 3, 3, 5], 'same', 'odd sizes, partial tiles'],
    [[2, 9, 8, 10, 2], [3, 3, 3, 2, 16], 'same', 'the 2-channel input layer, batch 2, 23 voxel tiles, 6 split-K chunks'],
    [[2, 6, 7, 5, 20], [3, 3, 3, 20, 33], 'same', 'Ci/Co not multiples of the tiles, two channel tiles'],
    [[3, 7, 5, 6, 16], [1, 1, 1, 16, 1], 'same', 'the 1x1x1 head (16 -> 1), batch 3'],
    [[2, 4, 5, 3, 6], [1, 1, 1, 6, 7], 'valid', 'a 1x1x1 conv with pad valid'],
  ];
  for (const [xs, ws, pad, what] of cases) {
    it(`match the cpu backend: ${what} (x ${xs.join('x')}, filter ${ws.join('x')})`, async () => {
      const ys = [...xs.slice(0, 4), ws[4]];
      const c = { x: arr(xs), w: arr(ws), r: arr(ys), xs, ws, pad, stride: 1 };
      const ref = await convAndGrads('cpu', c);
      registerWebgpuKernels();
      const before = counts();
      const got = await convAndGrads('webgpu', c);
      expect(delta(before, counts())).toEqual({ forward: 2, inputGrad: 1, filterGrad: 1, stock: 0 }); // forward twice: y and inside tf.grads
      expect(relMaxError(got.y, ref.y)).toBeLessThan(1e-5);
      expect(relMaxError(got.dx, ref.dx)).toBeLessThan(1e-5);
      expect(relMaxError(got.dw, ref.dw)).toBeLessThan(1e-5);
    });
  }

  it('leave other convolutions (stride 2, 3x3x3 valid) to the stock kernels, with the same results', async () => {
    for (const [pad, stride] of [
      ['same', 2],
      ['valid', 1],
    ] as const) {
      const xs: [number, number, number, number, number] = [1, 6, 5, 7, 3];
      const ws: [number, number, number, number, number] = [3, 3, 3, 3, 4];
      await on('cpu');
      const ys = tf.conv3d(tf.zeros(xs) as tf.Tensor5D, tf.zeros(ws) as tf.Tensor5D, stride, pad).shape as number[];
      const c = { x: arr(xs), w: arr(ws), r: arr(ys), xs, ws, pad, stride };
      const ref = await convAndGrads('cpu', c);
      registerWebgpuKernels();
      const before = counts();
      const got = await convAndGrads('webgpu', c);
      expect(delta(before, counts())).toEqual({ forward: 0, inputGrad: 0, filterGrad: 0, stock: 4 });
      expect(relMaxError(got.y, ref.y)).toBeLessThan(1e-5);
      expect(relMaxError(got.dx, ref.dx)).toBeLessThan(1e-5);
      expect(relMaxError(got.dw, ref.dw)).toBeLessThan(1e-5);
    }
  });

  it('unregister puts the stock kernels back', async () => {
    registerWebgpuKernels();
    unregisterWebgpuKernels();
    await on('webgpu');
    const before = counts();
    tf.dispose(tf.conv3d(tf.ones([1, 3, 3, 3, 2]) as tf.Tensor5D, tf.ones([3, 3, 3, 2, 2]) as tf.Tensor5D, 1, 'same'));
    expect(counts()).toEqual(before);
  });
});

describe.skipIf(!adapter.ok)('the UNet on webgpu with our kernels (convolutions, fused GroupNorm, upsampling)', () => {
  it('matches the cpu backend at 16^3 (widths 4, 8, batch 2): logits, loss and every gradient, without leaking tensors', async () => {
    const batch = syntheticBatch(2, 16, 3);
    const run = async (backend: 'cpu' | 'webgpu') => {
      await on(backend);
      const model = createUNet({ widths: [4, 8], groups: 2, seed: 5 });
      const x = tf.tensor5d(batch.images, [2, 16, 16, 16, 2]);
      const m = tf.tensor5d(batch.masks as Float32Array, [2, 16, 16, 16, 1]);
      const before = tf.memory().numTensors;
      let logits: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        logits = tf.keep(model.forward(x, true));
        return tf.mean(bceWithLogitsPerPatch(logits, m)) as tf.Scalar;
      }, [...model.params.values()]);
      const out = {
        logits: await (logits as tf.Tensor).data(),
        loss: (await value.data())[0],
        grads: new Map(await Promise.all([...model.params].map(async ([name, v]) => [name, await grads[v.name].data()] as const))),
      };
      tf.dispose([logits as tf.Tensor, value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, m]);
      model.dispose();
      return out;
    };
    const ref = await run('cpu');
    registerWebgpuKernels();
    const start = counts();
    const gnStart = { ...webgpuGroupNormCounts };
    const upStart = { ...webgpuUpsampleCounts };
    const got = await run('webgpu');
    const used = delta(start, counts());
    // 3 blocks x 2 fused bias + GroupNorm + ReLU, forward and backward.
    expect(webgpuGroupNormCounts.forward - gnStart.forward).toBe(6);
    expect(webgpuGroupNormCounts.backward - gnStart.backward).toBe(6);
    expect([webgpuUpsampleCounts.forward - upStart.forward, webgpuUpsampleCounts.backward - upStart.backward]).toEqual([1, 1]);
    // 2 levels: 3 blocks x 2 convs + head = 7 convolutions; no input gradient for the image.
    expect(used).toEqual({ forward: 7, inputGrad: 6, filterGrad: 7, stock: 0 });
    expect(relMaxError(got.logits, ref.logits)).toBeLessThan(1e-5);
    expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
    for (const [name, g] of ref.grads) expect(relMaxError(got.grads.get(name) as Float32Array, g), name).toBeLessThan(1e-4);
  }, 180_000); // the cpu backend's pass takes ~5 s alone; CI's 2 cores are shared

  it('matches the PyTorch fixture: logits and every gradient', async () => {
    registerWebgpuKernels();
    await on('webgpu');
    const fx = loadFixture('unet_parity');
    const names = fx.meta.params as string[];
    const model = createUNet(
      { widths: fx.meta.widths as number[], groups: fx.meta.groups as number },
      new Map(names.map((n) => [n, fx.get(`param:${n}`).data])),
    );
    const x = tf.tensor5d(fx.get('input').data, fx.get('input').shape as never);
    const m = tf.tensor5d(fx.get('mask').data, fx.get('mask').shape as never);
    const start = counts();
    const logits = model.forward(x);
    expect(relMaxError(await logits.data(), fx.get('logits').data)).toBeLessThan(2e-5);
    const { value, grads } = tf.variableGrads(() => tf.mean(bceWithLogitsPerPatch(model.forward(x, true), m)) as tf.Scalar, [...model.params.values()]);
    expect(delta(start, counts()).stock).toBe(0);
    const globalScale = Math.max(...names.map((n) => Math.max(...Array.from(fx.get(`grad:${n}`).data, Math.abs))));
    for (const [name, v] of model.params) {
      expect(relMaxError(await grads[v.name].data(), fx.get(`grad:${name}`).data, 1e-2 * globalScale), name).toBeLessThan(1e-4);
    }
    tf.dispose([x, m, logits, value, ...Object.values(grads)]);
    model.dispose();
  }, 180_000);
});
