import type { Budget } from '@lesionseg/events';
import { bool, ConfigError, definePlugin, list, num, optional, parseDuration, PluginRegistry, str, type InferOptions } from '@lesionseg/config';
import { createAdam, createUNet, type PatchBatch as WindowBatch, type UNet } from '@lesionseg/models';
import type { PreprocessedPatient } from '@lesionseg/data';
import { DiceValidator, type LazyPatient } from '../adapters/dice-validator.ts';
import { EmaHook } from '../adapters/ema-hook.ts';

/**
 * The trainer's fixed config sections (one type each, or a closed set): each entry
 * `{ "type": ..., ...options }` is validated by its registry and built by its definition's
 * `create`, with option types inferred from the one spec. The open kinds a plugin may extend
 * (strategy, loss, lrSchedule, logger, hook) are in registries.ts.
 */

const timeBudget = definePlugin({
  type: 'time',
  summary: 'wall-clock training time (validation and checkpoints excluded), e.g. "3h" (paper), "10m", "90s"',
  options: { duration: str<string>() },
  create: (o): Budget => {
    try {
      return { kind: 'time', ms: parseDuration(o.duration) };
    } catch (e) {
      throw new ConfigError('budget.duration', (e as Error).message);
    }
  },
});

const iterationBudget = definePlugin({
  type: 'iterations',
  summary: 'a number of optimizer steps (reproducible runs)',
  options: { iterations: num({ integer: true, min: 1 }) },
  create: (o): Budget => ({ kind: 'iterations', iterations: o.iterations }),
});

export type BudgetOptions = InferOptions<typeof timeBudget.options> | InferOptions<typeof iterationBudget.options>;

export const budgetSection = new PluginRegistry<void, Budget, BudgetOptions>('budget').register(timeBudget).register(iterationBudget);

const dataSpec = {
  /** Dataset folder (MSSEG-2 layout); --data overrides it; default ./data/phantoms. */
  path: optional(str()),
  /** Fraction of patients held out for validation (paper: 10 of 40). */
  validationFraction: num({ default: 0.25, min: 0, max: 0.9 }),
  /** Resample to this isotropic spacing in mm (paper: 0.5); null keeps the native grid. 0.1 mm is 125x the voxels of 0.5 mm: finer grids do not fit in memory. */
  spacingMm: optional(num({ min: 0.1, max: 10 })),
  /** Patch side in voxels (paper: 32); a 256^3 training patch already needs ~20 GiB for the paper's UNet. */
  patchSize: num({ default: 32, integer: true, min: 4, max: 256 }),
  /** When the default dataset folder is missing, generate this many synthetic patients there. */
  synthPatients: num({ default: 16, integer: true, min: 2 }),
  /** Side of the synthetic volumes in voxels (smaller is faster). */
  synthSize: num({ default: 96, integer: true, min: 16 }),
  /** The preprocessed cache's folder; null: `<dataset>/.lesionseg/cache` (give one when the dataset is read-only). */
  cacheDir: optional(str()),
  /** Preprocessed voxels held in memory by the trainer, MiB, whatever the number of patients (chunks read on demand into an LRU); below 16 a 32-patch pool re-reads its chunks for every patch. */
  memoryMiB: num({ default: 2048, integer: true, min: 16 }),
  /** Read and cut patches in a worker thread, the next batch prepared while the step trains (same patches either way). */
  patchWorker: bool({ default: true }),
};

export type DataOptions = InferOptions<typeof dataSpec>;

/** The data section holds the loader's settings: the runtime reads and splits the dataset from them (asynchronously). */
export const dataSection = new PluginRegistry<void, DataOptions, DataOptions>('data').register(
  definePlugin({
    type: 'msseg2',
    summary: 'one folder per patient with flair_time01/02_on_middle_space.nii.gz and ground_truth.nii.gz',
    options: dataSpec,
    create: (o): DataOptions => o,
  }),
);

/** More worker replicas than this only add threads that wait for cores. */
export const MAX_WORKERS = 64;

const modelSpec = {
  widths: list(num({ integer: true, min: 1 }), { default: [16, 32, 64], minLength: 1 }),
  groups: num({ default: 8, integer: true, min: 1 }),
  /** Patches per forward/backward pass inside one step (same step, bounded memory); null: whole batch. */
  microBatch: optional(num({ integer: true, min: 1 })),
  /**
   * Worker-thread replicas that share each batch with the main thread (one more core each):
   * gradients are summed and one Adam update is applied, so the step is the same. 0 = main thread only.
   */
  workers: num({ default: 0, integer: true, min: 0, max: MAX_WORKERS }),
};

export type ModelOptions = InferOptions<typeof modelSpec>;

export const modelSection = new PluginRegistry<{ seed: number }, UNet, ModelOptions>('model').register(
  definePlugin({
    type: 'unet',
    summary: "the paper's 3D UNet: B(16) pool B(32) pool B(64) up B(32) up B(16) 1x1x1",
    options: modelSpec,
    create: (o, d: { seed: number }) => createUNet({ widths: o.widths, groups: o.groups, inChannels: 2, seed: d.seed }),
  }),
);

const adam = definePlugin({
  type: 'adam',
  summary: 'Adam (the learning rate comes from lrSchedule)',
  options: { beta1: num({ default: 0.9, min: 0, max: 1 }), beta2: num({ default: 0.999, min: 0, max: 1 }), epsilon: num({ default: 1e-8, above: 0 }) },
  /** `initialLr` is the schedule's rate at progress 0 (LrSchedule.lrAt(0)), not a key of its options. */
  create: (o, d: { initialLr: number }) => createAdam(d.initialLr, o),
});

export type OptimizerOptions = InferOptions<typeof adam.options>;
export type Optimizer = ReturnType<typeof createAdam>;

export const optimizerSection = new PluginRegistry<{ initialLr: number }, Optimizer, OptimizerOptions>('optimizer').register(adam);

const ema = definePlugin({
  type: 'ema',
  summary: 'exponential moving average of the weights; OHEM scores candidates with it',
  /** Weight on the old average: ema = decay * ema + (1 - decay) * model (the paper's "momentum"). */
  options: { decay: num({ min: 0, max: 1 }) },
  create: (o, d: { model: UNet }) => new EmaHook(d.model, o.decay),
});

export type EmaOptions = InferOptions<typeof ema.options>;

export const emaSection = new PluginRegistry<{ model: UNet }, EmaHook, EmaOptions>('ema').register(ema);

const validationSpec = {
  everySeconds: optional(num({ above: 0 })),
  everyIterations: optional(num({ integer: true, min: 1 })),
  model: str({ default: 'ema', oneOf: ['ema', 'raw'] as const }),
  /** Step between windows; null: 3/4 of the patch size (paper: 24 for 32). */
  stride: optional(num({ integer: true, min: 1 })),
  threshold: num({ default: 0.5, above: 0, max: 1 }),
  /** Validate on at most this many validation patients (null: all). */
  maxPatients: optional(num({ integer: true, min: 1 })),
};

export type ValidationOptions = InferOptions<typeof validationSpec>;

/** What the Dice validator is built from: the held-out patients and the two models it may score. */
export interface ValidationDeps {
  /** In memory, or read from the cache when validation runs (one at a time). */
  patients: readonly (PreprocessedPatient | LazyPatient)[];
  patchSize: number;
  models: { ema: () => UNet; raw: () => UNet };
  /** Forward passes on worker replicas, when there are some. */
  predictWith(model: () => UNet): ((b: WindowBatch) => Promise<Float32Array>) | undefined;
}

export const validationSection = new PluginRegistry<ValidationDeps, DiceValidator, ValidationOptions>('validation').register(
  definePlugin({
    type: 'dice',
    summary: 'Dice of the sliding-window prediction on the validation patients, every N seconds of training',
    options: validationSpec,
    create: (o, d: ValidationDeps) => {
      const model = d.models[o.model];
      return new DiceValidator(d.patients, model, o.model, {
        window: d.patchSize,
        stride: o.stride ?? Math.max(1, Math.round(d.patchSize * 0.75)),
        threshold: o.threshold,
        predict: d.predictWith(model),
      });
    },
  }),
);

/** When the loop writes checkpoints/latest (checkpoints/best follows validation). */
export interface CheckpointPolicy {
  everyMs: number | null;
}

const checkpointSpec = { everySeconds: optional(num({ above: 0 })) };

const interval = definePlugin({
  type: 'interval',
  summary: 'checkpoints/latest every N seconds of training and at the end; checkpoints/best at each better validation',
  options: checkpointSpec,
  create: (o): CheckpointPolicy => ({ everyMs: o.everySeconds != null ? o.everySeconds * 1000 : null }),
});

export type CheckpointOptions = InferOptions<typeof checkpointSpec>;

export const checkpointSection = new PluginRegistry<void, CheckpointPolicy, CheckpointOptions>('checkpoint').register(interval);
