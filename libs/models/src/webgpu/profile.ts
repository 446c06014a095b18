/**
 * Where one UNet training step (or inference batch) goes on the `webgpu` backend, kernel by
 * kernel (tf.profile: each kernel timed with GPU timestamp queries), with our WGSL kernels or,
 * with --stock, tfjs-webgpu's own. Needs Dawn's `webgpu` package and a Vulkan adapter.
 *
 *   XDG_RUNTIME_DIR=/tmp npx tsx libs/models/src/webgpu/profile.ts [--stock] [--mode train|infer]
 *        [--widths 16,32,64] [--patch 32] [--batch 2] [--top 12]
 *
 * On lavapipe (a CPU Vulkan driver) absolute times say nothing about a GPU; the shares and the
 * pathologies (a kernel that leaves the device idle) do.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createAdam, createUNet, predictPatches, trainStep } from '../index.ts';
import { useWebgpu } from '../../test/webgpu.ts';
import { registerWebgpuKernels } from './index.ts';
import { kernelBreakdown } from '../util/kernel-breakdown.ts';

const { values: opt } = parseArgs({
  options: {
    stock: { type: 'boolean', default: false },
    mode: { type: 'string', default: 'train' },
    widths: { type: 'string', default: '16,32,64' },
    patch: { type: 'string', default: '32' },
    batch: { type: 'string', default: '2' },
    top: { type: 'string', default: '12' },
  },
});
if (opt.mode !== 'train' && opt.mode !== 'infer') throw new Error(`--mode must be train or infer, not "${opt.mode}"`);

await useWebgpu();
if (!opt.stock) registerWebgpuKernels();
const model = createUNet({ widths: opt.widths.split(',').map(Number) });
const adam = createAdam(1e-4);
const side = Number(opt.patch);
const count = Number(opt.batch);
const v = side ** 3;
const images = Float32Array.from({ length: count * v * 2 }, (_, i) => Math.sin(i));
const masks = Float32Array.from({ length: count * v }, (_, i) => (i % 97 === 0 ? 1 : 0));
const batch = { images, masks, count, shape: [side, side, side] as [number, number, number] };
const run = async () => {
  if (opt.mode === 'train') await trainStep(model, adam, batch);
  else await predictPatches(model, batch);
};
await run(); // warm-up: compiles every pipeline
let t0 = performance.now();
await run();
const unprofiled = performance.now() - t0;
t0 = performance.now();
const info = await tf.profile(run);
const wall = performance.now() - t0;

const { rows, totalMs: total } = kernelBreakdown(info.kernels);
console.log(
  `${opt.mode} ${count}x${side}^3, widths ${opt.widths}, webgpu (${opt.stock ? 'stock kernels' : 'our kernels'}): ` +
    `${unprofiled.toFixed(0)} ms wall, ${wall.toFixed(0)} ms profiled, ${total.toFixed(0)} ms in ${info.kernels.length} kernel calls`,
);
for (const a of rows.slice(0, Number(opt.top))) {
  console.log(`${a.name.padEnd(28)} ${a.ms.toFixed(1).padStart(9)} ms ${(100 * a.share).toFixed(1).padStart(5)} %  ${String(a.calls).padStart(5)} calls`);
}
model.dispose();
adam.dispose();
process.exit(0); // Dawn's GPU object keeps Node alive
