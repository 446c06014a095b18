import { guardedTrainStep, NonFiniteStepError, ReplicaPool, scorePatches, setLearningRate, type PatchBatch as WindowBatch, type UNet } from '@lesionseg/models';
import type { PatchBatch, PatchScorer } from '@lesionseg/strategies';
import { NonFiniteError, type StepControl, type StepResult, type Trainable } from '../core/types.ts';
import type { Optimizer } from '../config/sections.ts';
import type { TrainingLoss } from './losses.ts';

/**
 * The UNet with its Adam optimizer behind the loop's Trainable, optionally sharing every step
 * with worker-thread replicas; it also scores patches (OHEM) and predicts validation windows
 * on those replicas. The EMA (EmaHook) and checkpoints (CheckpointStore) are plugins of their own.
 */
export class UNetTrainable implements Trainable {
  private pool: ReplicaPool | null = null;

  constructor(
    readonly model: UNet,
    private readonly optimizer: Optimizer,
    private readonly loss: TrainingLoss,
    private readonly microBatch: number | null,
  ) {}

  /** Share every step, OHEM scoring and validation windows with `workers` worker-thread replicas. */
  async startReplicas(workers: number, backend: 'wasm' | 'cpu'): Promise<void> {
    if (workers <= 0 || this.pool) return;
    if (!this.loss.workerConfig)
      throw new Error(
        `model.workers ${workers}: worker replicas rebuild the loss from a built-in loss type; this loss comes from a plugin (set model.workers to 0)`,
      );
    this.pool = await ReplicaPool.create(this.model, { workers, backend, loss: this.loss.workerConfig });
  }

  /** Per-patch loss of `model` (the EMA's for OHEM), without gradients. */
  scorer(model: () => UNet): PatchScorer {
    return {
      scorePatches: (batch) =>
        this.pool ? this.pool.scorePatches(model(), batch, { chunk: batch.count }) : scorePatches(model(), batch, { chunk: batch.count, loss: this.loss.fn }),
    };
  }

  /** Forward passes for sliding-window validation: on the replicas too when there are some. */
  predictWith(model: () => UNet): ((b: WindowBatch) => Promise<Float32Array>) | undefined {
    const pool = this.pool;
    return pool ? (b) => pool.predictPatches(model(), b) : undefined;
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
      const r = await guardedTrainStep(this.model, this.optimizer, batch, {
        loss: this.loss.fn,
        microBatch: this.microBatch ?? undefined,
        shouldStop: control?.shouldStop,
      });
      return r.aborted ? { loss: NaN, aborted: true } : { loss: r.loss };
    } catch (error) {
      throw error instanceof NonFiniteStepError ? new NonFiniteError(error.message) : error;
    }
  }

  dispose(): void {
    // Terminating the workers is what lets the process exit.
    if (this.pool) void this.pool.dispose();
    this.pool = null;
    this.model.dispose();
    this.optimizer.dispose();
  }
}
