/** The x2 trilinear upsampling kernels on `webgpu` against the composed tfjs ops on `cpu`: values and gradients. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { relMaxError } from '../fixtures.ts';
import { useWebgpu, webgpuAdapter } from '../webgpu.ts';
import '../../src/register-gradients.ts';
import { upsampleTrilinear2x } from '../../src/ops/upsample-trilinear.ts';
import { mulberry32, uniformArray } from '../../src/util/rng.ts';
import { registerWebgpuKernels, unregisterWebgpuKernels, webgpuUpsampleCounts } from '../../src/webgpu/index.ts';

const adapter = await webgpuAdapter();
if (!adapter.ok) console.warn(`\n*** SKIPPING the webgpu upsampling kernel tests: ${adapter.reason} ***\n`);

const rand = mulberry32(13);

afterAll(() => unregisterWebgpuKernels());

describe.skipIf(!adapter.ok)('webgpu x2 trilinear upsampling and its gradient', () => {
  const cases: [number, number, number, number, number][] = [
    [2, 3, 4, 5, 3], // odd sizes, batch 2
    [1, 1, 2, 6, 5], // an axis of length 1 (both taps clamp to the one voxel)
  ];
  for (const shape of cases) {
    it(`matches the composed ops on cpu for x ${shape.join('x')}`, async () => {
      const x = uniformArray(
        shape.reduce((a, b) => a * b, 1),
        1,
        rand,
      );
      const [n, d, h, w, c] = shape;
      const r = uniformArray(n * 8 * d * h * w * c, 1, rand);
      const run = async (backend: 'cpu' | 'webgpu') => {
        if (backend === 'webgpu') await useWebgpu();
        else await tf.setBackend('cpu');
        const xt = tf.tensor5d(x, shape);
        const rt = tf.tensor5d(r, [n, 2 * d, 2 * h, 2 * w, c]);
        const y = upsampleTrilinear2x(xt);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(upsampleTrilinear2x(t as tf.Tensor5D), rt)))(xt);
        const out = [await y.data(), await dx.data()];
        tf.dispose([xt, rt, y, dx]);
        return out;
      };
      const ref = await run('cpu');
      registerWebgpuKernels();
      const before = { ...webgpuUpsampleCounts };
      const got = await run('webgpu');
      expect(webgpuUpsampleCounts.forward - before.forward).toBe(2);
      expect(webgpuUpsampleCounts.backward - before.backward).toBe(1);
      expect(relMaxError(got[0], ref[0])).toBeLessThan(1e-6);
      expect(relMaxError(got[1], ref[1])).toBeLessThan(1e-6);
    });
  }
});
