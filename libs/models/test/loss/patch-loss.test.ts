import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { bceDicePerPatch, bceWithLogitsPerPatch, createPatchLoss, softDicePerPatch } from '../../src/loss/patch-loss.ts';

beforeAll(useCpu);

describe('per-patch losses', () => {
  it('BCE with logits matches the textbook formula per patch and is stable for large logits', () => {
    const logits = tf.tensor([0, 2, -3, 100, -100, 50, 0.5, -0.5], [2, 2, 2, 1, 1]);
    const mask = tf.tensor([1, 0, 0, 1, 0, 0, 1, 1], [2, 2, 2, 1, 1]);
    const got = bceWithLogitsPerPatch(logits, mask).dataSync();
    const bce = (x: number, y: number) => -(y * Math.log(1 / (1 + Math.exp(-x))) + (1 - y) * Math.log(1 - 1 / (1 + Math.exp(-x))));
    expect(got[0]).toBeCloseTo((bce(0, 1) + bce(2, 0) + bce(-3, 0) + 0) / 4, 5);
    expect(got[1]).toBeCloseTo((0 + 50 + bce(0.5, 1) + bce(-0.5, 1)) / 4, 4);
  });

  it('soft Dice is 0 for a perfect confident prediction, 1 - smooth/(|m|+smooth) style for an empty one', () => {
    const logits = tf.tensor([50, -50, -50, -50], [1, 4, 1, 1, 1]);
    const mask = tf.tensor([1, 0, 0, 0], [1, 4, 1, 1, 1]);
    expect(softDicePerPatch()(logits, mask).dataSync()[0]).toBeCloseTo(0, 5);
    const wrong = tf.tensor([-50, -50, -50, -50], [1, 4, 1, 1, 1]);
    expect(softDicePerPatch(1)(wrong, mask).dataSync()[0]).toBeCloseTo(1 - 1 / 2, 5);
    const combo = bceDicePerPatch(0.5)(logits, mask).dataSync()[0];
    expect(combo).toBeCloseTo(bceWithLogitsPerPatch(logits, mask).dataSync()[0], 5);
  });

  it('builds losses from config and names the valid types on a bad one', () => {
    expect(createPatchLoss({ type: 'bce' })).toBe(bceWithLogitsPerPatch);
    expect(() => createPatchLoss({ type: 'focal' } as never)).toThrow('Unknown loss type "focal". Choose one of: bce, dice, bce+dice.');
  });
});
