/**
 * Where the time of one UNet training step (or one inference batch) goes, kernel by kernel,
 * on the selected tfjs backend (tf.profile: each kernel timed on its own). Use it to find the
 * next kernel worth replacing; models-bench.ts measures end-to-end speed.
 *
 *   npx tsx tools/bench/profile-kernels.ts [--mode train|infer] [--widths 16,32,64] [--patch 32]
 *        [--batch 4] [--backend wasm|cpu] [--top 25] [--convs]
 * --convs also lists every Conv3D call with its shapes and GFLOP/s.
 */
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    mode: { type: 'string', default: 'train' },
    widths: { type: 'string', default: '16,32,64' },
    patch: { type: 'string', default: '32' },
    batch: { type: 'string', default: '4' },
    backend: { type: 'string', default: 'wasm' },
    top: { type: 'string', default: '25' },
    convs: { type: 'boolean', default: false },
  },
});
if (opt.mode !== 'train' && opt.mode !== 'infer') throw new Error(`--mode must be train or infer, not "${opt.mode}"`);

const tf = await import('@tensorflow/tfjs-core');
const models = await import('@lesionseg/models');
await models.selectBackend(opt.backend as 'wasm' | 'cpu', { log: () => {} });

const model = models.createUNet({ widths: opt.widths.split(',').map(Number) });
const adam = models.createAdam(1e-4);
const side = Number(opt.patch);
const count = Number(opt.batch);
const v = side ** 3;
const images = Float32Array.from({ length: count * v * 2 }, (_, i) => Math.sin(i));
const masks = Float32Array.from({ length: count * v }, (_, i) => (i % 97 === 0 ? 1 : 0));
const batch = { images, masks, count, shape: [side, side, side] as [number, number, number] };
const run = async () => {
  if (opt.mode === 'train') await models.trainStep(model, adam, batch, { microBatch: count });
  else await models.predictPatches(model, batch);
};
await run(); // warm-up
const t0 = performance.now();
const info = await tf.profile(run);
const wall = performance.now() - t0;

const { rows: byKernel, totalMs: total } = models.kernelBreakdown(info.kernels);
console.log(
  `${opt.mode} ${count}x${side}^3, widths ${opt.widths}, ${tf.getBackend()}: ${wall.toFixed(0)} ms wall (profiled), ${total.toFixed(0)} ms in kernels`,
);
for (const a of byKernel.slice(0, Number(opt.top))) {
  console.log(`${a.name.padEnd(28)} ${a.ms.toFixed(1).padStart(8)} ms ${(100 * a.share).toFixed(1).padStart(5)} %  ${String(a.calls).padStart(5)} calls`);
}
if (opt.convs) {
  for (const k of info.kernels.filter((k) => k.name.startsWith('Conv3D'))) {
    const [a, b] = k.inputShapes as number[][];
    const out = (k.outputShapes as number[][])[0];
    // FLOPs = 2 x (output voxels of the forward conv) x (filter size); the three kernels share it.
    const [vox, filter] = k.name === 'Conv3D' ? [out, b] : k.name === 'Conv3DBackpropFilterV2' ? [b, out] : [a, b];
    const flops = 2 * vox.slice(0, 4).reduce((p, q) => p * q, 1) * filter.reduce((p, q) => p * q, 1);
    const ms = k.kernelTimeMs as number;
    console.log(
      `${k.name.padEnd(24)} ${ms.toFixed(2).padStart(8)} ms ${(flops / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s  in ${a.join('x')} , ${b.join('x')}  out ${out.join('x')}`,
    );
  }
}
model.dispose();
adam.dispose();
