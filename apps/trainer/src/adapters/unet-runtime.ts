import {
  createAdam,
  createPatchLoss,
  createUNet,
  Ema,
  loadCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
  scorePatches,
  setLearningRate,
  guardedTrainStep,
  NonFiniteStepError,
  PREPROCESSING_PLUGIN_KEY,
  ReplicaPool,
  type PatchBatch as WindowBatch,
  type PatchLoss,
  type ModelCardInfo,
  type PreprocessingState,
  type UNet,
} from '@lesionseg/models';
import type { PatchBatch, PatchScorer } from '@lesionseg/strategies';
import { NonFiniteError, type EmaPlugin, type ModelStore, type StepControl, type StepResult, type Trainable, type TrainerState } from '../core/types.ts';
import type { LossOptions, ModelOptions, OptimizerOptions } from '../config/sections.ts';

/** The key under which the loop's own state is stored in a models-lib checkpoint. */
const TRAINER_KEY = 'trainer';

/**
 * Thin adapters from the loop's plugin interfaces to @lesionseg/models: the UNet with its Adam
 * optimizer (Trainable), its moving average (EmaPlugin, and the OHEM scorer), and checkpoints
 * (ModelStore: weights, Adam moments and step, EMA weights and the trainer state in one
 * atomically written folder).
 */
export class UNetTraining implements Trainable, EmaPlugin, ModelStore {
  readonly model: UNet;
  readonly ema: Ema;
  readonly scorer: PatchScorer;
  private readonly optimizer;
  private readonly loss: PatchLoss;
  private readonly lossConfig: LossOptions;
  private pool: ReplicaPool | null = null;
  /** Describes a checkpoint for its model card (metadata.json + model-card.md, saved with it); null: no card. */
  modelCard: ((dir: string, state: TrainerState) => ModelCardInfo) | null = null;

  constructor(
    model: ModelOptions,
    optimizer: OptimizerOptions,
    loss: LossOptions,
    decay: number,
    seed: number,
    private readonly microBatch: number | null,
    initialLr = 1e-3,
    /** Stored in every checkpoint, so a checkpoint copied out of its run folder still predicts. */
    private readonly preprocessing: PreprocessingState | null = null,
  ) {
    this.model = createUNet({ widths: model.widths, groups: model.groups, inChannels: 2, seed });
    this.optimizer = createAdam(initialLr, optimizer);
    this.ema = new Ema(this.model, decay);
    this.loss = createPatchLoss(loss);
    this.lossConfig = loss;
    this.scorer = {
      scorePatches: (batch) =>
        this.pool ? this.pool.scorePatches(this.ema.model, batch, { chunk: batch.count }) : scorePatches(this.ema.model, batch, { chunk: batch.count, loss: this.loss }),
    };
  }

  /** Share every step, OHEM scoring and validation windows with `workers` worker-thread replicas. */
  async startReplicas(workers: number, backend: 'wasm' | 'cpu'): Promise<void> {
    if (workers <= 0 || this.pool) return;
    this.pool = await ReplicaPool.create(this.model, { workers, backend, loss: this.lossConfig });
  }

  /** Forward passes for sliding-window validation: on the replicas too when there are some. */
  predictWith(model: () => UNet): ((b: WindowBatch) => Promise<Float32Array>) | undefined {
    const pool = this.pool;
    return pool ? (b) => pool.predictPatches(model(), b) : undefined;
  }

  get decay(): number {
    return this.ema.decay;
  }

  async trainStep(batch: PatchBatch, lr: number, control?: StepControl): Promise<StepResult> {
    setLearningRate(this.optimizer, lr);
    if (this.pool) {
      // The workers compute while this thread waits (signals are handled meanwhile); the pool
      // applies the update itself, so a non-finite loss is caught after it (nothing is saved then).
      const r = await this.pool.trainStep(this.model, this.optimizer, batch, { microBatch: this.microBatch ?? undefined });
      if (!Number.isFinite(r.loss)) throw new NonFiniteError(`the loss is ${r.loss}`);
      return { loss: r.loss };
    }
    return this.abortableStep(batch, control);
  }

  private async abortableStep(batch: PatchBatch, control?: StepControl): Promise<StepResult> {
    try {
      const r = await guardedTrainStep(this.model, this.optimizer, batch, { loss: this.loss, microBatch: this.microBatch ?? undefined, shouldStop: control?.shouldStop });
      return r.aborted ? { loss: NaN, aborted: true } : { loss: r.loss };
    } catch (error) {
      throw error instanceof NonFiniteStepError ? new NonFiniteError(error.message) : error;
    }
  }

  update(): Promise<void> {
    this.ema.update();
    return Promise.resolve();
  }

  save(dir: string, state: TrainerState): Promise<void> {
    const plugins: Record<string, unknown> = { [TRAINER_KEY]: state };
    if (this.preprocessing) plugins[PREPROCESSING_PLUGIN_KEY] = this.preprocessing;
    return saveCheckpoint(dir, { model: this.model, optimizer: this.optimizer, ema: this.ema, plugins, card: this.modelCard?.(dir, state) });
  }

  async load(dir: string): Promise<TrainerState> {
    const loaded = await loadCheckpoint(dir);
    await restoreCheckpoint(loaded, { model: this.model, optimizer: this.optimizer, ema: this.ema });
    const state = loaded.plugins[TRAINER_KEY] as TrainerState | undefined;
    if (!state) throw new Error(`${dir}: checkpoint has no trainer state (not written by the trainer?)`);
    return state;
  }

  dispose(): void {
    // Terminating the workers is what lets the process exit.
    if (this.pool) void this.pool.dispose();
    this.pool = null;
    this.ema.dispose();
    this.model.dispose();
    this.optimizer.dispose();
  }
}
