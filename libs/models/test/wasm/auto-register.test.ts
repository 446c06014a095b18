import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/index.ts';
import { mulberry32, uniformArray } from '../../src/util/rng.ts';

describe('importing @lesionseg/models', () => {
  it('installs the fast wasm kernels, so selectBackend("wasm") gives correct conv3d input gradients', async () => {
    await selectBackend('wasm', { log: () => {} });
    expect(tf.getKernel('Conv3DBackpropInputV2', 'wasm')?.kernelFunc.name).toBe('conv3dBackpropInput');
    const r = mulberry32(3);
    const dy = uniformArray(2 * 4 * 5 * 6 * 4, 1, r);
    const f = uniformArray(27 * 3 * 4, 1, r);
    const dx = () =>
      tf.tidy(() => tf.conv3dTranspose(tf.tensor5d(dy, [2, 4, 5, 6, 4]), tf.tensor5d(f, [3, 3, 3, 3, 4]), [2, 4, 5, 6, 3], 1, 'same').dataSync());
    const fast = dx();
    await selectBackend('cpu', { log: () => {} });
    const ref = dx();
    let worst = 0;
    ref.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - fast[i]))));
    expect(worst).toBeLessThan(1e-5);
  });
});
