/**
 * Float32 error of the wasm inference path (Winograd F(4x4x4) forward convs, see
 * libs/models/API.md "Fast CPU path") on the paper network, against tfjs's pure-JS `cpu` backend
 * and against the wasm path with F(2x2x2) (--winograd f2): logits of a batch of windows, and the
 * sliding-window probabilities and 0.5-thresholded masks of a small volume. The network is
 * seeded, not trained, so its probabilities sit near 0.5: the report says how many voxels lie
 * closer to 0.5 than the probability error (only those can flip).
 *
 *   npx tsx tools/bench/inference-error.ts [--side 40] [--seed 3]
 */
import { parseArgs } from 'node:util';
import { mulberry32 } from '@lesionseg/data';

const { values: opt } = parseArgs({ options: { side: { type: 'string', default: '40' }, seed: { type: 'string', default: '3' } } });
const tf = await import('@tensorflow/tfjs-core');
const models = await import('@lesionseg/models');
const { createUNet, slidingWindowPredict, selectBackend, useWinogradConv, windowCount, PAPER_UNET } = models;

const side = Number(opt.side);
const shape: [number, number, number] = [side, side, side];
const rand = mulberry32(Number(opt.seed));
const n = side ** 3;
const chans = [Float32Array.from({ length: n }, () => rand() * 2 - 1), Float32Array.from({ length: n }, () => rand() * 2 - 1)];
const batch = Float32Array.from({ length: 32 ** 3 * 2 }, () => rand() * 2 - 1);

async function run(backend: 'cpu' | 'wasm', winograd: 'f4' | 'f2') {
  await selectBackend(backend, { log: () => {} });
  useWinogradConv(winograd);
  const model = createUNet(PAPER_UNET);
  const logits = tf.tidy(() => model.forward(tf.tensor5d(batch, [1, 32, 32, 32, 2]), false).dataSync() as Float32Array);
  const probs = await slidingWindowPredict(model, chans, shape, { batchSize: 4 });
  model.dispose();
  return { logits, probs };
}

function compare(name: string, a: { logits: Float32Array; probs: Float32Array }, ref: { logits: Float32Array; probs: Float32Array }) {
  let dl = 0,
    sl = 0,
    dp = 0,
    flips = 0,
    pos = 0;
  for (let i = 0; i < ref.logits.length; i++) {
    dl = Math.max(dl, Math.abs(a.logits[i] - ref.logits[i]));
    sl = Math.max(sl, Math.abs(ref.logits[i]));
  }
  for (let i = 0; i < n; i++) {
    dp = Math.max(dp, Math.abs(a.probs[i] - ref.probs[i]));
    if (a.probs[i] > 0.5 !== ref.probs[i] > 0.5) flips++;
    if (ref.probs[i] > 0.5) pos++;
  }
  let near = 0;
  for (let i = 0; i < n; i++) if (Math.abs(ref.probs[i] - 0.5) <= dp) near++;
  console.log(
    `${name}: logits max |diff| ${dl.toExponential(2)} (${(dl / sl).toExponential(2)} of max |logit| ${sl.toFixed(3)}); probabilities max |diff| ${dp.toExponential(2)}; mask voxels that differ ${flips} of ${n} (reference mask ${pos} voxels; ${near} voxels lie within the probability error of 0.5)`,
  );
}

const cpu = await run('cpu', 'f4');
const f4 = await run('wasm', 'f4');
const f2 = await run('wasm', 'f2');
console.log(`paper network (seeded), logits of a window of 32^3, sliding window over ${shape.join('x')} (${windowCount(shape)} windows of 32, stride 24)`);
compare('wasm F(4x4x4) vs cpu backend', f4, cpu);
compare('wasm F(2x2x2) vs cpu backend', f2, cpu);
compare('wasm F(4x4x4) vs wasm F(2x2x2)', f4, f2);
