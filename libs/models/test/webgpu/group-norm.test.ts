/**
 * The fused bias + GroupNorm + ReLU kernels on `webgpu` against the composed tfjs ops on the
 * `cpu` backend: values and the gradients of x, bias, gamma and beta through autodiff.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { relMaxError } from '../fixtures.ts';
import { useWebgpu, webgpuAdapter } from '../webgpu.ts';
import '../../src/register-gradients.ts';
import { biasGroupNormRelu, groupNorm } from '../../src/ops/group-norm.ts';
import { mulberry32, uniformArray } from '../../src/util/rng.ts';
import { registerWebgpuKernels, unregisterWebgpuKernels, webgpuGroupNormCounts } from '../../src/webgpu/index.ts';

const adapter = await webgpuAdapter();
if (!adapter.ok) console.warn(`\n*** SKIPPING the webgpu GroupNorm kernel tests: ${adapter.reason} ***\n`);

const rand = mulberry32(11);
const arr = (n: number, offset = 0) => uniformArray(n, 1, rand).map((v) => v + offset);

afterAll(() => unregisterWebgpuKernels());

describe.skipIf(!adapter.ok)('webgpu fused bias + GroupNorm + ReLU and its gradient', () => {
  // [x shape, groups, relu, offset]: odd sizes, several voxel chunks (729 > 512), batch > 1,
  // 3 channels per group, and a large mean (float32 sums must not cancel).
  const cases: [number[], number, boolean, number, string][] = [
    [[2, 5, 6, 7, 12], 4, true, 0, 'biasGroupNormRelu, odd sizes, 3 channels per group'],
    [[3, 9, 9, 9, 8], 8, true, 0, 'biasGroupNormRelu, two voxel chunks, batch 3, one channel per group'],
    [[2, 4, 5, 6, 6], 2, false, 50, 'groupNorm (no ReLU) on values around 50'],
  ];
  for (const [shape, groups, relu, offset, what] of cases) {
    it(`matches the composed ops on cpu: ${what} (x ${shape.join('x')}, ${groups} groups)`, async () => {
      const c = shape[4];
      const size = shape.reduce((a, b) => a * b, 1);
      const data = { x: arr(size, offset), b: arr(c), g: arr(c, 1), be: arr(c), r: arr(size) };
      const run = async (backend: 'cpu' | 'webgpu') => {
        if (backend === 'webgpu') await useWebgpu();
        else await tf.setBackend('cpu');
        const [x, b, g, be] = [tf.tensor(data.x, shape), tf.tensor1d(data.b), tf.tensor1d(data.g), tf.tensor1d(data.be)];
        const r = tf.tensor(data.r, shape);
        const f = (xx: tf.Tensor, bb: tf.Tensor, gg: tf.Tensor, bbe: tf.Tensor) =>
          relu
            ? biasGroupNormRelu(xx, bb as tf.Tensor1D, gg as tf.Tensor1D, bbe as tf.Tensor1D, groups)
            : // a 2-D bias add: tfjs-webgpu 4.22's rank-5 broadcast shader does not compile ("cannot index type 'vec5'")
              groupNorm(tf.reshape(tf.add(tf.reshape(xx, [-1, c]), bb), shape), gg as tf.Tensor1D, bbe as tf.Tensor1D, groups);
        const y = f(x, b, g, be);
        const grads = tf.grads((xx: tf.Tensor, bb: tf.Tensor, gg: tf.Tensor, bbe: tf.Tensor) => tf.sum(tf.mul(f(xx, bb, gg, bbe), r)))([x, b, g, be]);
        const out = [await y.data(), ...(await Promise.all(grads.map((t) => t.data())))];
        tf.dispose([x, b, g, be, r, y, ...grads]);
        return out;
      };
      const ref = await run('cpu');
      registerWebgpuKernels();
      const before = { ...webgpuGroupNormCounts };
      const got = await run('webgpu');
      expect(webgpuGroupNormCounts.forward - before.forward).toBe(2); // y, and inside tf.grads
      expect(webgpuGroupNormCounts.backward - before.backward).toBe(1);
      // Relative to the largest value, at least 1: with one channel per group dbias is exactly 0
      // mathematically, and both backends give rounding noise of sums over ~2000 voxels (~4e-5).
      ['y', 'dx', 'dbias', 'dgamma', 'dbeta'].forEach((name, i) => expect(relMaxError(got[i], ref[i], 1), name).toBeLessThan(i === 0 ? 2e-5 : 1e-4));
    });
  }
});
