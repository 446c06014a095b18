/**
 * Patches read through the preprocessed cache: the same seed gives the same patches, bit for
 * bit, with the background worker (and its look-ahead) on or off and whatever the memory cap.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BackgroundExtractor,
  createRng,
  listPatients,
  openCohort,
  phantomOptions,
  writeSyntheticDataset,
  type PatchExtractor,
  type PatientFiles,
} from '@lesionseg/data';
import {
  FixedOversamplingStrategy,
  LossProportionalStrategy,
  OhemStrategy,
  type PatchBatch,
  type PatchKind,
  type PatchScorer,
  type PatchSource,
  type SamplePlanner,
  type SamplingStrategy,
  type StepContext,
} from '@lesionseg/strategies';
import { Container } from 'inversify';
import { resolve } from '@lesionseg/events';
import { DataPatchSource } from '../src/adapters/patch-source.ts';
import { parseConfig } from '../src/config/config.ts';
import { presetConfig } from '../src/config/presets.ts';
import { builtinRegistries, type TrainerRegistries } from '../src/config/registries.ts';
import { composeTrainer } from '../src/di/compose.ts';
import { TOKENS } from '../src/di/tokens.ts';
import { fakeRuntimeFactory } from './fake-runtime.ts';
import { FakeClock } from './fakes.ts';
import { tempDir } from './harness.ts';

/** The bytes of a batch, flags included: what "the same patches, bit for bit" compares. */
function batchBytes(b: PatchBatch): Buffer[] {
  return [
    Buffer.from(b.images.buffer, b.images.byteOffset, b.images.byteLength),
    Buffer.from(b.masks.buffer, b.masks.byteOffset, b.masks.byteLength),
    Buffer.from(b.drawnPositive),
    Buffer.from(b.containsLesion),
  ];
}

/** A loss that depends on the patch's voxels only (its mean intensity), so OHEM's choice follows the patches. */
const meanScorer: PatchScorer = {
  scorePatches(batch) {
    const per = batch.images.length / batch.count;
    return Promise.resolve(
      Float32Array.from({ length: batch.count }, (_, i) => batch.images.subarray(i * per, (i + 1) * per).reduce((a, v) => a + v, 0) / per),
    );
  },
};

/** A third-party strategy without the plan-ahead hook: `kinds` says what it asks for (drawn or fixed). */
class WithoutHook implements SamplingStrategy {
  readonly name = 'custom';
  constructor(
    private readonly source: PatchSource,
    private readonly kinds: (random: StepContext['random']) => PatchKind[],
  ) {}
  async nextBatch(ctx: StepContext) {
    const kinds = this.kinds(ctx.random);
    const batch = await this.source.sample(kinds, ctx.random);
    const n = kinds.length;
    return {
      batch,
      mined: { strategy: this.name, candidates: n, selected: n, positiveCandidates: 0, positiveSelected: 0, meanCandidateLoss: null, meanSelectedLoss: null },
    };
  }
}

describe('patch source over the cache', () => {
  it('same seed, same patches with the worker on or off and a 16 MiB or 512 MiB cap; OHEM-like calls are served from the look-ahead', async () => {
    const data = mkdtempSync(join(tmpdir(), 'lesionseg-cps-'));
    await writeSyntheticDataset(data, { patients: 3, seed: 4, phantom: phantomOptions('quick', { shape: [40, 36, 32], noNewLesionProbability: 0 }) });
    const files = await listPatients(data);
    const cache = { dir: join(data, 'cache'), spacingMm: 1, margin: 8, chunk: 16 };
    const run = async (worker: boolean, memoryMiB: number) => {
      const { patients, store } = await openCohort(files, { ...cache, memoryMiB });
      const extractor: PatchExtractor = worker ? new BackgroundExtractor(patients, files, { ...cache, memoryMiB }) : store;
      const source = new DataPatchSource(patients, 12, (s) => extractor.extract(s), worker);
      const rng = createRng(21);
      const out: Buffer[] = [];
      const ohem: PatchKind[] = ['positive', 'positive', 'uniform', 'uniform', 'uniform'];
      for (let step = 0; step < 6; step++) {
        // Steps 0-3: fixed kinds and no draw in between (OHEM); then kinds drawn by the
        // "strategy" from the same generator (oversampling): the look-ahead must miss, not lie.
        const kinds: PatchKind[] = step < 4 ? ohem : Array.from({ length: 5 }, () => (rng.next() < 0.5 ? 'positive' : 'uniform'));
        const b = await source.sample(kinds, rng);
        out.push(
          Buffer.from(b.images.buffer, b.images.byteOffset, b.images.byteLength),
          Buffer.from(b.masks.buffer),
          Buffer.from(b.drawnPositive),
          Buffer.from(b.containsLesion),
        );
      }
      await extractor.close();
      store.close();
      return { bytes: Buffer.concat(out), state: rng.getState(), stats: source.lookaheadStats };
    };
    const plain = await run(false, 512);
    const background = await run(true, 512);
    const capped = await run(true, 16);
    expect(background.bytes.equals(plain.bytes)).toBe(true);
    expect(capped.bytes.equals(plain.bytes)).toBe(true);
    expect(background.state).toEqual(plain.state);
    // Call 2 shows the gap (no draw between calls) and prepares call 3; calls 3 and 4 hit; the
    // look-ahead made after call 4 assumed OHEM kinds again and misses.
    expect(background.stats.hits).toBe(2);
    expect(background.stats.misses).toBeGreaterThanOrEqual(1);
    expect(plain.stats).toEqual({ hits: 0, misses: 0 });
  }, 120_000);
});

describe('plan-ahead: the look-ahead prepares exactly the next call', () => {
  const steps = 6;
  let files: PatientFiles[];
  let cache: { dir: string; spacingMm: number; margin: number; chunk: number };

  beforeAll(async () => {
    const data = mkdtempSync(join(tmpdir(), 'lesionseg-cps-plan-'));
    await writeSyntheticDataset(data, { patients: 3, seed: 9, phantom: phantomOptions('quick', { shape: [40, 36, 32], noNewLesionProbability: 0 }) });
    files = await listPatients(data);
    cache = { dir: join(data, 'cache'), spacingMm: 1, margin: 8, chunk: 16 };
    // Warm the cache: the runs below only read it.
    const warm = await openCohort(files, { ...cache, memoryMiB: 64 });
    expect(warm.built).toBe(3);
    warm.store.close();
  }, 120_000);

  /** `steps` nextBatch calls of the strategy `make` builds, wired as composeTrainer wires it. */
  const run = async (make: (source: PatchSource) => SamplingStrategy, worker: boolean, memoryMiB: number) => {
    const { patients, store, built } = await openCohort(files, { ...cache, memoryMiB });
    expect(built).toBe(0);
    const extractor: PatchExtractor = worker ? new BackgroundExtractor(patients, files, { ...cache, memoryMiB }) : store;
    const source = new DataPatchSource(patients, 12, (s) => extractor.extract(s), worker);
    const strategy = make(source);
    const planNextSample = strategy.planNextSample?.bind(strategy);
    if (planNextSample) source.planAheadWith({ planNextSample });
    const random = createRng(33);
    const out: Buffer[] = [];
    for (let i = 0; i < steps; i++) out.push(...batchBytes((await strategy.nextBatch({ iteration: i, elapsedMs: 0, progress: 0, random })).batch));
    await extractor.close();
    store.close();
    return { bytes: Buffer.concat(out), state: random.getState(), stats: { ...source.lookaheadStats } };
  };

  const withHook: [string, (s: PatchSource) => SamplingStrategy][] = [
    ['oversample p=0.5', (s) => new FixedOversamplingStrategy({ p: 0.5, batchSize: 6 }, s)],
    ['ohem', (s) => new OhemStrategy({ candidates: 8, positiveFraction: 0.3, batchSize: 3, scoreChunk: 4 }, s, meanScorer)],
    [
      'loss-proportional',
      (s) => new LossProportionalStrategy({ candidates: 8, positiveFraction: 0.3, batchSize: 3, scoreChunk: 4, power: 1, floor: 1e-6 }, s, meanScorer),
    ],
  ];

  it.each(withHook)(
    '%s: warm cache, every call after the first hits; same patches with the worker off, on, and capped at 1 MiB',
    async (_name, make) => {
      const plain = await run(make, false, 512);
      const background = await run(make, true, 512);
      const capped = await run(make, true, 1);
      expect(background.stats).toEqual({ hits: steps - 1, misses: 0 });
      expect(capped.stats).toEqual({ hits: steps - 1, misses: 0 });
      expect(plain.stats).toEqual({ hits: 0, misses: 0 });
      expect(background.bytes.equals(plain.bytes)).toBe(true);
      expect(capped.bytes.equals(plain.bytes)).toBe(true);
      expect(background.state).toEqual(plain.state);
      expect(capped.state).toEqual(plain.state);
    },
    120_000,
  );

  it('a custom strategy without the hook keeps working: the guess follows fixed kinds, misses drawn ones, patches unchanged', async () => {
    const drawn = (s: PatchSource) => new WithoutHook(s, (r) => Array.from({ length: 5 }, (): PatchKind => (r.next() < 0.5 ? 'positive' : 'uniform')));
    const fixed = (s: PatchSource) => new WithoutHook(s, () => ['positive', 'uniform', 'uniform', 'positive']);
    const drawnPlain = await run(drawn, false, 512);
    const drawnBackground = await run(drawn, true, 512);
    expect(drawnBackground.bytes.equals(drawnPlain.bytes)).toBe(true);
    expect(drawnBackground.state).toEqual(drawnPlain.state);
    // The guess (same kinds, same gap) is tried from the third call on and, with kinds drawn, misses.
    expect(drawnBackground.stats.misses).toBeGreaterThanOrEqual(1);
    expect(drawnBackground.stats.hits + drawnBackground.stats.misses).toBe(steps - 2);
    const fixedPlain = await run(fixed, false, 512);
    const fixedBackground = await run(fixed, true, 512);
    expect(fixedBackground.bytes.equals(fixedPlain.bytes)).toBe(true);
    expect(fixedBackground.stats).toEqual({ hits: steps - 2, misses: 0 });
  }, 120_000);
});

describe('composeTrainer and the plan-ahead hook', () => {
  it("hands the configured strategy's hook to the patch source, and nothing for a strategy without one", async () => {
    const planners: SamplePlanner[] = [];
    const compose = async (config: ReturnType<typeof parseConfig>, registries?: TrainerRegistries) => {
      const runtime = await fakeRuntimeFactory(new FakeClock())({ config, runDir: tempDir(), dataDir: '', split: null });
      const source: PatchSource = { sample: (k, r) => runtime.source.sample(k, r), planAheadWith: (p) => planners.push(p) };
      const c = new Container();
      composeTrainer(c, { config, runDir: tempDir(), runtime: { ...runtime, source }, registries });
      return resolve(c, TOKENS.Strategy);
    };
    const oversample = await compose(parseConfig(presetConfig('oversample-p0.5')));
    expect(planners).toHaveLength(1);
    const a = createRng(3);
    const b = createRng(3);
    // The handed-over hook is the strategy's own: the same draws, the same kinds.
    expect(planners[0].planNextSample(a)).toEqual(oversample.planNextSample?.(b));
    expect(a.getState()).toEqual(b.getState());
    expect(planners[0].planNextSample(a).filter((k) => k === 'positive').length).toBeGreaterThan(0);

    const registries = builtinRegistries();
    registries.strategy.register({
      type: 'no-hook',
      summary: 'a strategy without plan-ahead',
      options: {},
      create: (_o, d) => new WithoutHook(d.source, () => ['uniform']),
    });
    const custom = await compose(parseConfig({ ...presetConfig('oversample-p0.5'), strategy: { type: 'no-hook' } }, registries), registries);
    expect(custom.name).toBe('custom');
    expect(planners).toHaveLength(1);
  });
});
