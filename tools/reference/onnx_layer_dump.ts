// Node side of tools/reference/onnx_layer_errors.py (run that, not this): a UNet with perturbed
// weights, its input, our logits (tfjs cpu backend) and the exported ONNX graph, then, with
// --ort MODEL, that graph's every output as ONNX Runtime (onnxruntime-web, wasm) computes it.
//   npx tsx tools/reference/onnx_layer_dump.ts DIR [--side 32] [--widths 16,32,64] [--ort DIR/model_all.onnx]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { side: { type: 'string', default: '32' }, widths: { type: 'string', default: '16,32,64' }, ort: { type: 'string' } },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: onnx_layer_dump.ts DIR [--side N] [--widths a,b,c] [--ort MODEL]');
const side = Number(opt.side);
const widths = opt.widths.split(',').map(Number);
const concat = (arrays: Float32Array[]): Buffer => {
  const out = new Float32Array(arrays.reduce((a, b) => a + b.length, 0));
  arrays.reduce((at, a) => (out.set(a, at), at + a.length), 0);
  return Buffer.from(out.buffer);
};
// Deterministic, non-trivial values (no RNG state to share with Python: the weights are written out).
const wobble = (i: number, k: number): number => Math.sin(12.9898 * i + 78.233 * k);

if (!opt.ort) {
  const { createUNet, selectBackend, unetToOnnx } = await import('@lesionseg/models'); // lazily, as the other tools load it
  await selectBackend('cpu', { log: () => {} });
  const model = createUNet({ widths, groups: 8, inChannels: 2, seed: 2 });
  const weights = await model.getWeights();
  [...weights.values()].forEach((v, k) => v.forEach((x, i) => (v[i] = x + 0.1 * wobble(i, k))));
  model.setWeights(weights);
  const names = [...weights.keys()];
  const input = Float32Array.from({ length: side ** 3 * 2 }, (_, i) => 2 * wobble(i, -1));
  const logits = tf.tidy(() => model.forward(tf.tensor5d(input, [1, side, side, side, 2])).dataSync() as Float32Array);
  writeFileSync(join(dir, 'weights.bin'), concat(names.map((n) => weights.get(n) as Float32Array)));
  writeFileSync(join(dir, 'input.bin'), concat([input])); // [1, z, y, x, 2]
  writeFileSync(join(dir, 'ours.bin'), concat([logits])); // [1, z, y, x, 1]
  writeFileSync(join(dir, 'model.onnx'), unetToOnnx(model.options, weights, { producerVersion: 'onnx_layer_dump' }));
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ side, widths, names, sizes: names.map((n) => weights.get(n)?.length) }));
} else {
  ort.env.wasm.numThreads = 1;
  const input = new Float32Array(readFileSync(join(dir, 'input.bin')).buffer.slice(0));
  const v = side ** 3;
  const first = new Float32Array(input.length); // channels first
  for (let i = 0; i < v; i++) for (let c = 0; c < 2; c++) first[c * v + i] = input[i * 2 + c];
  const session = await ort.InferenceSession.create(readFileSync(opt.ort), { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  const out = await session.run({ flair: new ort.Tensor('float32', first, [1, 2, side, side, side]) });
  const names = session.outputNames;
  writeFileSync(join(dir, 'ort.bin'), concat(names.map((n) => out[n].data as Float32Array)));
  writeFileSync(join(dir, 'ort.json'), JSON.stringify(names.map((n) => ({ name: n, dims: out[n].dims }))));
  await session.release();
}
