// The exported ONNX graph, run by ONNX Runtime (onnxruntime-web's wasm build, in Node), gives our logits.
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, relMaxError } from '../fixtures.ts';
import { useCpu } from '../setup-backend.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { mulberry32 } from '../../src/util/rng.ts';
import { kernelToOnnx, ONNX_INPUT, ONNX_OUTPUT, unetToOnnx } from '../../src/export/unet-onnx.ts';

beforeAll(async () => {
  await useCpu();
  ort.env.wasm.numThreads = 1;
});

/** NDHWC (ours) -> NCDHW (ONNX). */
function toChannelsFirst(x: Float32Array, [n, d, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  const s = d * h * w;
  for (let b = 0; b < n; b++) for (let v = 0; v < s; v++) for (let k = 0; k < c; k++) out[(b * c + k) * s + v] = x[(b * s + v) * c + k];
  return out;
}

async function runOnnx(bytes: Uint8Array, input: Float32Array, dims: number[]): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', input, dims) });
    return out[ONNX_OUTPUT];
  } finally {
    await session.release();
  }
}

describe('ONNX export of the UNet', () => {
  it('reorders conv kernels [kz, ky, kx, in, out] -> [out, in, kz, ky, kx]', () => {
    // 1x1x2 kernel, 2 in, 3 out: value = 100*kx + 10*in + out.
    const src = new Float32Array(12);
    for (let kx = 0; kx < 2; kx++) for (let i = 0; i < 2; i++) for (let o = 0; o < 3; o++) src[(kx * 2 + i) * 3 + o] = 100 * kx + 10 * i + o;
    const dst = kernelToOnnx(src, [1, 1, 2, 2, 3]);
    expect(Array.from(dst.subarray(0, 4))).toEqual([0, 100, 10, 110]); // out 0: (in 0, kx 0..1), (in 1, kx 0..1)
    expect(dst[(2 * 2 + 1) * 2 + 1]).toBe(112);
  });

  it.each([
    ['three levels, 2 groups', { widths: [4, 8, 8], groups: 2, inChannels: 2, seed: 5 }, [2, 8, 12, 16]],
    ['two levels, odd sides after pooling', { widths: [3, 6], groups: 3, inChannels: 2, seed: 9 }, [1, 6, 10, 14]],
    ["the paper's network (16/32/64, 8 groups) on a 32^3 window", { widths: [16, 32, 64], groups: 8, inChannels: 2, seed: 2 }, [1, 32, 32, 32]],
  ])('ONNX Runtime matches our logits to 1e-5 (%s)', async (_what, options, [n, d, h, w]) => {
    const model = createUNet(options);
    // Non-trivial GroupNorm affine and biases: perturb every parameter.
    const rand = mulberry32(11);
    const weights = await model.getWeights();
    for (const v of weights.values()) for (let i = 0; i < v.length; i++) v[i] += (rand() - 0.5) * 0.2;
    model.setWeights(weights);
    const c = options.inChannels;
    const x = new Float32Array(n * d * h * w * c).map(() => rand() * 4 - 2);
    const ours = tf.tidy(() => model.forward(tf.tensor5d(x, [n, d, h, w, c])));
    const expected = (await ours.data()) as Float32Array; // [n, d, h, w, 1] = [n, 1, d, h, w] in memory
    ours.dispose();
    const bytes = unetToOnnx(model.options, weights, { producerVersion: 'test' });
    const got = await runOnnx(bytes, toChannelsFirst(x, [n, d, h, w, c]), [n, c, d, h, w]);
    expect(got.dims).toEqual([n, 1, d, h, w]);
    const data = got.data as Float32Array;
    let maxErr = 0;
    for (let i = 0; i < expected.length; i++) maxErr = Math.max(maxErr, Math.abs(data[i] - expected[i]));
    expect(maxErr).toBeLessThan(1e-5);
    // The comparison is not vacuous: logits vary across voxels.
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.1);
    model.dispose();
  });

  it("agrees with PyTorch's float64 logits (tools/reference/torch_unet_parity.py) as closely as our own forward pass", async () => {
    const fx = loadFixture('unet_parity');
    const names = fx.meta.params as string[];
    const weights = new Map(names.map((n) => [n, fx.get(`param:${n}`).data]));
    const model = createUNet({ widths: fx.meta.widths as number[], groups: fx.meta.groups as number }, weights);
    const input = fx.get('input');
    const [n, d, h, w, c] = input.shape;
    const got = await runOnnx(unetToOnnx(model.options, weights, { producerVersion: 'test' }), toChannelsFirst(input.data, input.shape), [n, c, d, h, w]);
    const reference = fx.get('logits').data; // [n, d, h, w, 1] = [n, 1, d, h, w] in memory
    const ours = tf.tidy(() => model.forward(tf.tensor5d(input.data, input.shape as [number, number, number, number, number])).dataSync());
    model.dispose();
    const ortError = relMaxError(got.data as Float32Array, reference);
    expect(ortError).toBeLessThan(2e-5); // the bound the UNet's own parity test uses
    expect(ortError).toBeLessThan(2 * relMaxError(ours, reference) + 1e-6);
  });
});
