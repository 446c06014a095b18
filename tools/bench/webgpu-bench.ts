/**
 * The W1/W2/W3 workloads (tools/bench/workloads.ts, the same as models-bench.ts) on the
 * `webgpu` backend: seconds (median), GFLOP/s and, with --profile, where the time of one more
 * run goes, kernel by kernel (tf.profile; GPU timestamp queries where the adapter has them).
 * The PyTorch twin on CUDA is `tools/reference/torch_bench.py --device cuda`. Bundled for the GPU
 * machine by tools/gpu/make-device-bundle.sh, run there by tools/gpu/run-device-bench.sh.
 *
 *   npx tsx tools/bench/webgpu-bench.ts [--workloads W1,W2,W3] [--reps 3] [--micro 32]
 *        [--window-batch N] [--profile] [--top 12] [--tiny] [--json FILE]
 * --tiny shrinks every size (1x8^3 training, a 32x32x40 volume: 2 windows) to check the bundle on a CPU Vulkan
 * driver; its timings mean nothing for a GPU. --micro is the patches per pass (capped to the
 * device's limits). --json also writes the rows and the adapter to FILE.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { w1, w2, w3, type Row } from './workloads.ts';
import type { KernelRow } from '@lesionseg/models';

const { values: opt } = parseArgs({
  options: {
    workloads: { type: 'string', default: 'W1,W2,W3' },
    reps: { type: 'string', default: '3' },
    micro: { type: 'string', default: '32' },
    'window-batch': { type: 'string' },
    profile: { type: 'boolean', default: false },
    top: { type: 'string', default: '12' },
    tiny: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const tf = await import('@tensorflow/tfjs-core');
const models = await import('@lesionseg/models');

/** Kernel name -> total ms and calls over one profiled run, largest first. */
async function breakdown(run: () => Promise<unknown>, top: number): Promise<KernelRow[]> {
  const info = await tf.profile(async () => {
    await run();
  });
  return models.kernelBreakdown(info.kernels).rows.slice(0, top);
}

async function main(): Promise<void> {
  await models.selectBackend('webgpu', { log: (l) => console.error(l) });
  const adapter = await models.activeWebgpuAdapter();
  const reps = Number(opt.reps);
  const micro = Number(opt.micro);
  const tiny = opt.tiny;
  const windowBatch = opt['window-batch'] ? Number(opt['window-batch']) : undefined;
  const ops = { trainStep: models.trainStep, scorePatches: models.scorePatches };
  const rows: (Row & { kernels?: Awaited<ReturnType<typeof breakdown>> })[] = [];
  for (const w of opt.workloads.split(',')) {
    const r =
      w === 'W1'
        ? await w1(models, ops, { micro, reps, ...(tiny ? { count: 1, side: 8 } : {}) })
        : w === 'W2'
          ? await w2(models, ops, { micro, reps, ...(tiny ? { candidates: 2, count: 1, side: 8, chunk: 2 } : {}) })
          : w === 'W3'
            ? await w3(models, { reps: Math.max(1, reps - 2), batchSize: windowBatch, ...(tiny ? { shape: [32, 32, 40] as [number, number, number] } : {}) })
            : null;
    if (!r) throw new Error(`unknown workload "${w}" (W1, W2, W3)`);
    const row: (typeof rows)[number] = { ...r.row };
    console.log(`tfjs webgpu ${row.workload}: ${row.seconds.toFixed(3)} s, ${row.gflops.toFixed(2)} GFLOP/s (${row.note})`);
    if (opt.profile) {
      row.kernels = await breakdown(r.run, Number(opt.top));
      for (const k of row.kernels)
        console.log(
          `  ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(9)} ms ${(100 * k.share).toFixed(1).padStart(5)} %  ${String(k.calls).padStart(5)} calls`,
        );
    }
    r.dispose();
    rows.push(row);
    // After every workload: a run cut short by its time limit keeps what it measured.
    if (opt.json) writeFileSync(opt.json, `${JSON.stringify({ adapter, tiny, rows }, null, 2)}\n`);
  }
  if (tiny) console.log('(--tiny: sizes for a bundle check; these timings say nothing about a GPU)');
}

main()
  .finally(models.releaseWebgpu)
  .then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`webgpu-bench: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
