import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { cloneUNet, createUNet } from '../../src/unet/unet.ts';

beforeAll(useCpu);

// The cpu backend hands out its own storage from `data()`: weights returned to callers (EMA,
// checkpoints, replicas) must be copies, or editing them silently edits the network.
describe('UNet.getWeights returns copies', () => {
  it('changing the returned arrays changes neither the model nor its clone', async () => {
    const model = createUNet({ widths: [2, 4], groups: 1, seed: 3 });
    const clone = cloneUNet(model);
    const before = (await model.getWeights()).get('head/bias')?.[0];
    const w = await model.getWeights();
    (w.get('head/bias') as Float32Array)[0] = 123;
    expect((await model.getWeights()).get('head/bias')?.[0]).toBe(before);
    expect((await clone.getWeights()).get('head/bias')?.[0]).toBe(before);
    model.dispose();
    clone.dispose();
  });
});
