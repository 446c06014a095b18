import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, relMaxError } from '../fixtures.ts';
import { useCpu } from '../setup-backend.ts';
import { bceWithLogitsPerPatch, softDicePerPatch } from '../../src/loss/patch-loss.ts';
import { PAPER_UNET } from '../../src/unet/options.ts';
import { paramSpecs } from '../../src/unet/params.ts';
import { createUNet, cloneUNet } from '../../src/unet/unet.ts';

beforeAll(useCpu);

describe('UNet parity with PyTorch (tools/reference/torch_unet_parity.py, float64 reference)', () => {
  const fx = loadFixture('unet_parity');
  const names = fx.meta.params as string[];

  it('has the same parameter names, order and shapes as the PyTorch network', () => {
    const specs = paramSpecs({ widths: fx.meta.widths as number[], groups: fx.meta.groups as number, inChannels: 2, seed: 0 });
    expect(specs.map((s) => s.name)).toEqual(names);
    for (const s of specs) expect(s.shape).toEqual(fx.get(`param:${s.name}`).shape);
  });

  it('matches logits, per-patch BCE and Dice, the loss and every gradient', () => {
    const weights = new Map(names.map((n) => [n, fx.get(`param:${n}`).data]));
    const model = createUNet({ widths: fx.meta.widths as number[], groups: fx.meta.groups as number }, weights);
    const input = fx.get('input');
    const mask = fx.get('mask');
    const x = tf.tensor5d(input.data, input.shape as [number, number, number, number, number]);
    const m = tf.tensor5d(mask.data, mask.shape as [number, number, number, number, number]);

    const logits = model.forward(x);
    expect(logits.shape).toEqual(fx.get('logits').shape);
    expect(relMaxError(logits.dataSync(), fx.get('logits').data)).toBeLessThan(2e-5);
    const bce = bceWithLogitsPerPatch(logits, m);
    expect(relMaxError(bce.dataSync(), fx.get('bce').data)).toBeLessThan(1e-5);
    const dice = softDicePerPatch()(logits, m);
    expect(relMaxError(dice.dataSync(), fx.get('dice').data)).toBeLessThan(1e-5);

    const vars = [...model.params.values()];
    const { value, grads } = tf.variableGrads(() => tf.mean(bceWithLogitsPerPatch(model.forward(x, true), m)) as tf.Scalar, vars);
    expect(Math.abs(value.dataSync()[0] - (fx.meta.loss as number)) / (fx.meta.loss as number)).toBeLessThan(1e-5);
    let worst = 0;
    // Biases of a conv followed by a one-channel-per-group GroupNorm have a true gradient of 0
    // (PyTorch gives ~1e-18, float32 ~1e-9): errors are measured against at least 1% of the largest gradient.
    const globalScale = Math.max(...names.map((n) => Math.max(...Array.from(fx.get(`grad:${n}`).data, Math.abs))));
    for (const [name, v] of model.params) {
      const err = relMaxError(grads[v.name].dataSync(), fx.get(`grad:${name}`).data, 1e-2 * globalScale);
      worst = Math.max(worst, err);
      expect(err, name).toBeLessThan(1e-4);
    }
    expect(worst).toBeGreaterThan(0); // float32 vs float64: an exact 0 would mean we compared the wrong thing
    console.log(`parity: worst gradient error ${worst.toExponential(2)}`);
    tf.dispose([x, m, logits, bce, dice, value, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('createUNet', () => {
  it('defaults to the paper network: widths 16/32/64, 8 groups, 2 input channels', () => {
    const model = createUNet();
    expect(model.options).toEqual(PAPER_UNET);
    // 2 x conv per block: enc 16,32,64; dec 32 (in 96), 16 (in 48); head 16 -> 1
    const conv = (i: number, o: number) => 27 * i * o + o + 2 * o;
    const expected =
      conv(2, 16) +
      conv(16, 16) +
      conv(16, 32) +
      conv(32, 32) +
      conv(32, 64) +
      conv(64, 64) +
      conv(96, 32) +
      conv(32, 32) +
      conv(48, 16) +
      conv(16, 16) +
      16 +
      1;
    expect(model.parameterCount()).toBe(expected);
    model.dispose();
  });

  it('is reproducible from its seed and differs across seeds', async () => {
    const a = createUNet({ widths: [4, 8], seed: 7 });
    const b = createUNet({ widths: [4, 8], seed: 7 });
    const c = createUNet({ widths: [4, 8], seed: 8 });
    const wa = await a.getWeights();
    const wb = await b.getWeights();
    const wc = await c.getWeights();
    expect(wa.get('enc0/conv0/kernel')).toEqual(wb.get('enc0/conv0/kernel'));
    expect(wa.get('enc0/conv0/kernel')).not.toEqual(wc.get('enc0/conv0/kernel'));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('clones exactly and independently', async () => {
    const a = createUNet({ widths: [4, 8], seed: 1 });
    const b = cloneUNet(a);
    expect(await b.getWeights()).toEqual(await a.getWeights());
    (b.params.get('head/bias') as tf.Variable).assign(tf.tensor1d([5]));
    expect((await a.getWeights()).get('head/bias')?.[0]).not.toBe(5);
    a.dispose();
    b.dispose();
  });

  it('owns exactly its parameters: create + dispose leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    const m = createUNet({ widths: [2, 4], groups: 2 });
    expect(tf.memory().numTensors - before).toBe(m.params.size);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options and shapes with clear errors', () => {
    expect(() => createUNet({ widths: [] })).toThrow(/widths/);
    expect(() => createUNet({ groups: 0 })).toThrow(/groups/);
    const m = createUNet({ widths: [2, 4, 4], groups: 2 });
    expect(() => m.forward(tf.zeros([1, 6, 8, 8, 2]) as tf.Tensor5D)).toThrow(/divisible by 4/);
    expect(() => m.forward(tf.zeros([1, 8, 8, 8, 3]) as tf.Tensor5D)).toThrow(/expects \[batch, z, y, x, 2\]/);
    m.dispose();
  });
});
