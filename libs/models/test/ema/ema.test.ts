import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { Ema } from '../../src/ema/ema.ts';

beforeAll(useCpu);

describe('Ema', () => {
  it('starts as an exact copy and follows ema = decay*ema + (1-decay)*weights', async () => {
    const model = createUNet({ widths: [2, 4], groups: 2, seed: 5 });
    const ema = new Ema(model, 0.9);
    const w0 = await model.getWeights();
    expect(await ema.model.getWeights()).toEqual(w0);
    // move the model: every weight += 1
    tf.tidy(() => model.params.forEach((v) => v.assign(tf.add(v, 1))));
    ema.update();
    ema.update();
    const e = await ema.model.getWeights();
    // after two updates with weights w0+1: ema = w0 + (1 - 0.9^2) * 1
    for (const [name, a] of w0) (e.get(name) as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(a[i] + 0.19, 5));
    expect(ema.updateCount).toBe(2);
    ema.dispose();
    model.dispose();
  });

  it('with decay 0 equals the model after each update', async () => {
    const model = createUNet({ widths: [2, 4], groups: 2, seed: 6 });
    const ema = new Ema(model, 0);
    tf.tidy(() => model.params.forEach((v) => v.assign(tf.mul(v, 3))));
    ema.update();
    expect(await ema.model.getWeights()).toEqual(await model.getWeights());
    expect(() => new Ema(model, 1.5)).toThrow(/decay must be in \[0, 1\]/);
    ema.dispose();
    model.dispose();
  });
});
