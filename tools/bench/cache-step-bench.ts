// Step time through the preprocessed cache against today's in-memory patients, in ONE process,
// modes interleaved step by step (the machine's load drifts: only same-run ratios mean anything).
//   node --import tsx tools/bench/cache-step-bench.ts --data DIR [--cache DIR] [--patients 10] [--steps 12] [--memory 128]
//        [--network quick|paper]
// A step = draw 32 patches of 32^3 (30 % positive) + cut them + one Adam step, at 0.5 mm: on 8 of
// them with the quick network (widths 8,16), or on all 32 with the paper's (widths 16,32,64,
// GroupNorm 8: the paper's batch). Modes:
//   memory     preprocessPatient in memory (full grid) + extractBatch: the trainer before the cache
//   warm       ChunkStore with a cap above the cohort, every chunk read once before timing
//   capped     ChunkStore capped at --memory MiB (chunks re-read from the page cache)
//   worker     BackgroundExtractor (capped), the next batch requested before the step trains
//              (the patch source's look-ahead), so its reads overlap the step
// Uses the cache entries in --cache (default DATA/.lesionseg/cache; built if missing, not timed).
import { parseArgs } from 'node:util';
import {
  BackgroundExtractor,
  ChunkStore,
  createRng,
  defaultCacheDir,
  extractBatch,
  listPatients,
  loadPatient,
  openCohort,
  patientVolumes,
  preprocessPatient,
  samplePatch,
  type ExtractedBatch,
  type Random,
  type SamplingTarget,
  type PatchSpec,
  type PreprocessedPatient,
} from '@lesionseg/data';
// The models library is loaded lazily in tools (the Nx rule for tools/bench).
const { createAdam, createUNet, registerFastWasmKernels, selectBackend, trainStep } = await import('@lesionseg/models');

const { values: a } = parseArgs({
  options: {
    data: { type: 'string' },
    patients: { type: 'string', default: '10' },
    steps: { type: 'string', default: '12' },
    memory: { type: 'string', default: '128' },
    cache: { type: 'string' },
    network: { type: 'string', default: 'quick' },
  },
});
if (!a.data) throw new Error('--data DIR is required');
const files = (await listPatients(a.data)).slice(0, Number(a.patients));
const steps = Number(a.steps);
const cache = { dir: a.cache ?? defaultCacheDir(a.data), spacingMm: 0.5, margin: 32 };
await selectBackend('wasm', { log: () => {} });
registerFastWasmKernels();

const cached = await openCohort(files, { ...cache, memoryMiB: 1 << 20 });
const memory: PreprocessedPatient[] = [];
for (const f of files) memory.push(preprocessPatient(patientVolumes(await loadPatient(f)), { spacing: 0.5 }));
const warm = cached.store;
const capped = new ChunkStore(Number(a.memory));
const worker = new BackgroundExtractor(cached.patients, files, { ...cache, memoryMiB: Number(a.memory) });
{
  // Fill the warm store: every chunk once.
  const rng = createRng(9);
  for (let k = 0; k < 40; k++) await warm.extract(Array.from({ length: 32 }, () => samplePatch(rng, cached.patients, 'uniform', 32)));
}

const draw = <P extends SamplingTarget>(rng: Random, patients: readonly P[]): PatchSpec<P>[] =>
  Array.from({ length: 32 }, (_, i) => samplePatch(rng, patients, i < 10 ? 'positive' : 'uniform', 32));
const networks = { quick: { widths: [8, 16], groups: 4, trained: 8 }, paper: { widths: [16, 32, 64], groups: 8, trained: 32 } };
const net = networks[a.network as keyof typeof networks];
if (!net) throw new Error(`--network: quick or paper, got ${a.network}`);
const model = createUNet({ widths: net.widths, groups: net.groups, inChannels: 2, seed: 1 });
const optimizer = createAdam(1e-3);
async function train(b: ExtractedBatch): Promise<void> {
  const n = net.trained * 32 ** 3;
  await trainStep(model, optimizer, {
    images: b.images.subarray(0, 2 * n),
    masks: b.masks.subarray(0, n),
    count: net.trained,
    shape: [32, 32, 32],
    channels: 2,
  });
}

const rngs = { memory: createRng(1), warm: createRng(1), capped: createRng(1), worker: createRng(1) };
let ahead: Promise<ExtractedBatch> | null = null;
const modes: Record<keyof typeof rngs, () => Promise<void>> = {
  memory: async () => train(extractBatch(draw(rngs.memory, memory))),
  warm: async () => train(await warm.extract(draw(rngs.warm, cached.patients))),
  capped: async () => train(await capped.extract(draw(rngs.capped, cached.patients))),
  worker: async () => {
    const b = await (ahead ?? worker.extract(draw(rngs.worker, cached.patients)));
    ahead = worker.extract(draw(rngs.worker, cached.patients)); // cut while this step trains
    await train(b);
  },
};
const times: Record<string, number[]> = { memory: [], warm: [], capped: [], worker: [] };
for (let s = 0; s < steps + 2; s++) {
  for (const [name, step] of Object.entries(modes)) {
    const t0 = performance.now();
    await step();
    if (s >= 2) times[name].push(performance.now() - t0);
  }
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
const base = median(times.memory);
console.log(`${a.network} network, ${files.length} patients, ${steps} interleaved steps per mode (after 2 warm-up), cap ${a.memory} MiB`);
for (const [name, t] of Object.entries(times))
  console.log(`${name.padEnd(7)} median ${median(t).toFixed(0)} ms  ratio to memory ${(median(t) / base).toFixed(3)}`);
await worker.close();
process.exit(0);
