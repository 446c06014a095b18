import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, relMaxError } from '../fixtures.ts';
import { useCpu } from '../setup-backend.ts';
import '../../src/register-gradients.ts';
import { groupNorm, groupsFor } from '../../src/ops/group-norm.ts';
import { upsampleTrilinear2x } from '../../src/ops/upsample-trilinear.ts';

beforeAll(useCpu);
const fx = loadFixture('ops_parity');
const t = (name: string) => tf.tensor(fx.get(name).data, fx.get(name).shape);

describe('upsampleTrilinear2x = F.interpolate(scale_factor=2, trilinear, align_corners=False)', () => {
  it('matches PyTorch values and input gradient on odd sizes (3x4x5)', () => {
    const x = t('up:x') as tf.Tensor5D;
    const g = t('up:g');
    const y = upsampleTrilinear2x(x);
    expect(y.shape).toEqual(fx.get('up:y').shape);
    expect(relMaxError(y.dataSync(), fx.get('up:y').data)).toBeLessThan(1e-6);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(upsampleTrilinear2x(v as tf.Tensor5D), g)))(x);
    expect(relMaxError(dx.dataSync(), fx.get('up:dx').data)).toBeLessThan(1e-6);
  });

  it('keeps a constant field constant, including at the borders', () => {
    const y = upsampleTrilinear2x(tf.fill([1, 2, 3, 1, 2], 3.5) as tf.Tensor5D);
    expect(y.shape).toEqual([1, 4, 6, 2, 2]);
    expect(Array.from(y.dataSync()).every((v) => v === 3.5)).toBe(true);
  });
});

describe('groupNorm = torch.nn.GroupNorm (eps 1e-5, per-channel affine)', () => {
  it('matches PyTorch output and the gradients of x, gamma and beta', () => {
    const x = t('gn:x');
    const gamma = t('gn:gamma') as tf.Tensor1D;
    const beta = t('gn:beta') as tf.Tensor1D;
    const g = t('gn:g');
    const y = groupNorm(x, gamma, beta, 3);
    expect(relMaxError(y.dataSync(), fx.get('gn:y').data)).toBeLessThan(1e-5);
    const [dx, dgamma, dbeta] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(groupNorm(a, b as tf.Tensor1D, c as tf.Tensor1D, 3), g)))([
      x,
      gamma,
      beta,
    ]);
    expect(relMaxError(dx.dataSync(), fx.get('gn:dx').data)).toBeLessThan(1e-5);
    expect(relMaxError(dgamma.dataSync(), fx.get('gn:dgamma').data)).toBeLessThan(1e-5);
    expect(relMaxError(dbeta.dataSync(), fx.get('gn:dbeta').data)).toBeLessThan(1e-5);
  });

  it('chooses the largest divisor of the channel count not above the requested groups', () => {
    expect(groupsFor(16, 8)).toBe(8);
    expect(groupsFor(4, 8)).toBe(4);
    expect(groupsFor(12, 8)).toBe(6);
    expect(groupsFor(7, 8)).toBe(7);
    expect(groupsFor(5, 4)).toBe(1);
    expect(() => groupNorm(tf.zeros([1, 2, 5]), tf.ones([5]), tf.zeros([5]), 2)).toThrow(/5 channels cannot be split into 2 groups/);
  });
});
