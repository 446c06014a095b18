import { list, num, optional, PluginRegistry, str, type OptionsSpec } from '@lesionseg/strategies';

/**
 * Option schemas of the trainer's own config sections. Each section is an entry
 * `{ "type": ..., ...options }` like the strategy; the registry validates it (unknown type or
 * key: an error naming it) and `create` hands the validated options to the composition root.
 */
function section<O>(kind: string, types: Record<string, { summary: string; options: OptionsSpec<O> }>): PluginRegistry<void, O> {
  const r = new PluginRegistry<void, O>(kind);
  for (const [type, def] of Object.entries(types)) r.register({ type, summary: def.summary, options: def.options, create: (o: O) => o });
  return r;
}

export type BudgetOptions = { type: 'time'; duration: string } | { type: 'iterations'; iterations: number };

export const budgetSection = new PluginRegistry<void, BudgetOptions>('budget')
  .register<{ duration: string }>({
    type: 'time',
    summary: 'wall-clock training time (validation and checkpoints excluded), e.g. "3h" (paper), "10m", "90s"',
    options: { duration: str<string>() },
    create: (o) => ({ type: 'time', duration: o.duration }),
  })
  .register<{ iterations: number }>({
    type: 'iterations',
    summary: 'a number of optimizer steps (reproducible runs)',
    options: { iterations: num({ integer: true, min: 1 }) },
    create: (o) => ({ type: 'iterations', iterations: o.iterations }),
  });

export interface DataOptions {
  /** Dataset folder (MSSEG-2 layout); --data overrides it; default ./data/phantoms. */
  path: string | null;
  /** Fraction of patients held out for validation (paper: 10 of 40). */
  validationFraction: number;
  /** Resample to this isotropic spacing in mm (paper: 0.5); null keeps the native grid. */
  spacingMm: number | null;
  /** Patch side in voxels (paper: 32). */
  patchSize: number;
  /** When the default dataset folder is missing, generate this many synthetic patients there. */
  synthPatients: number;
  /** Side of the synthetic volumes in voxels (smaller is faster). */
  synthSize: number;
}

export const dataSection = section<DataOptions>('data', {
  msseg2: {
    summary: 'one folder per patient with flair_time01/02_on_middle_space.nii.gz and ground_truth.nii.gz',
    options: {
      path: optional(str()),
      validationFraction: num({ default: 0.25, min: 0, max: 0.9 }),
      // 0.1 mm is 125x the voxels of the paper's 0.5 mm; finer grids do not fit in memory
      spacingMm: optional(num({ min: 0.1, max: 10 })),
      // a 256^3 training patch already needs ~20 GiB for the paper's UNet
      patchSize: num({ default: 32, integer: true, min: 4, max: 256 }),
      synthPatients: num({ default: 16, integer: true, min: 2 }),
      synthSize: num({ default: 96, integer: true, min: 16 }),
    },
  },
});

export interface ModelOptions {
  widths: number[];
  groups: number;
  /** Patches per forward/backward pass inside one step (same step, bounded memory); null: whole batch. */
  microBatch: number | null;
  /**
   * Worker-thread replicas that share each batch with the main thread (one more core each):
   * gradients are summed and one Adam update is applied, so the step is the same. 0 = main thread only.
   */
  workers: number;
}

/** More worker replicas than this only add threads that wait for cores. */
export const MAX_WORKERS = 64;

export const modelSection = section<ModelOptions>('model', {
  unet: {
    summary: "the paper's 3D UNet: B(16) pool B(32) pool B(64) up B(32) up B(16) 1x1x1",
    options: {
      widths: list(num({ integer: true, min: 1 }), { default: [16, 32, 64], minLength: 1 }),
      groups: num({ default: 8, integer: true, min: 1 }),
      microBatch: optional(num({ integer: true, min: 1 })),
      workers: num({ default: 0, integer: true, min: 0, max: MAX_WORKERS }),
    },
  },
});

/** The models library's loss config: `createPatchLoss` takes exactly this. */
export type LossOptions = { type: 'bce' } | { type: 'dice'; smooth: number } | { type: 'bce+dice'; diceWeight: number; smooth: number };

export const lossSection = new PluginRegistry<void, LossOptions>('loss')
  .register({ type: 'bce', summary: 'binary cross-entropy on logits, mean per patch (paper)', options: {}, create: () => ({ type: 'bce' }) })
  .register({
    type: 'dice',
    summary: 'soft Dice per patch',
    options: { smooth: num({ default: 1, min: 0 }) },
    create: (o) => ({ type: 'dice', ...o }),
  })
  .register({
    type: 'bce+dice',
    summary: 'BCE + diceWeight x soft Dice',
    options: { diceWeight: num({ default: 1, min: 0 }), smooth: num({ default: 1, min: 0 }) },
    create: (o) => ({ type: 'bce+dice', ...o }),
  });

export interface OptimizerOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const optimizerSection = section<OptimizerOptions>('optimizer', {
  adam: {
    summary: 'Adam (the learning rate comes from lrSchedule)',
    options: { beta1: num({ default: 0.9, min: 0, max: 1 }), beta2: num({ default: 0.999, min: 0, max: 1 }), epsilon: num({ default: 1e-8, above: 0 }) },
  },
});

export interface EmaOptions {
  /** Weight on the old average: ema = decay * ema + (1 - decay) * model (the paper's "momentum"). */
  decay: number;
}

export const emaSection = section<EmaOptions>('ema', {
  ema: { summary: 'exponential moving average of the weights; OHEM scores candidates with it', options: { decay: num({ min: 0, max: 1 }) } },
});

export interface ValidationOptions {
  everySeconds: number | null;
  everyIterations: number | null;
  model: 'ema' | 'raw';
  /** Step between windows; null: 3/4 of the patch size (paper: 24 for 32). */
  stride: number | null;
  threshold: number;
  /** Validate on at most this many validation patients (null: all). */
  maxPatients: number | null;
}

export const validationSection = section<ValidationOptions>('validation', {
  dice: {
    summary: 'Dice of the sliding-window prediction on the validation patients, every N seconds of training',
    options: {
      everySeconds: optional(num({ above: 0 })),
      everyIterations: optional(num({ integer: true, min: 1 })),
      model: str({ default: 'ema', oneOf: ['ema', 'raw'] as const }),
      stride: optional(num({ integer: true, min: 1 })),
      threshold: num({ default: 0.5, above: 0, max: 1 }),
      maxPatients: optional(num({ integer: true, min: 1 })),
    },
  },
});

export interface CheckpointOptions {
  everySeconds: number | null;
}

export const checkpointSection = section<CheckpointOptions>('checkpoint', {
  interval: {
    summary: 'checkpoints/latest every N seconds of training and at the end; checkpoints/best at each better validation',
    options: { everySeconds: optional(num({ above: 0 })) },
  },
});

export type LoggerOptions = { type: 'progress'; refreshSeconds: number } | { type: 'jsonl' };

export const loggerSection = new PluginRegistry<void, LoggerOptions>('logger')
  .register({
    type: 'progress',
    summary: 'progress bar on stderr: iteration, elapsed/budget, loss, lr, last val Dice, ETA',
    options: { refreshSeconds: num({ default: 1, min: 0 }) },
    create: (o) => ({ type: 'progress', ...o }),
  })
  .register({ type: 'jsonl', summary: 'every bus event as one JSON line in RUN_DIR/events.jsonl', options: {}, create: () => ({ type: 'jsonl' }) });
