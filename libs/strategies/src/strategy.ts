import type { BatchMined } from '@lesionseg/events';
import type { PatchBatch, PatchKind } from './patch-batch.ts';
import type { Random } from './random.ts';

/** What the trainer tells the strategy at each step. */
export interface StepContext {
  /** Optimizer steps done so far (the step being prepared has this index). */
  iteration: number;
  /** Training time so far (excludes validation and checkpoint pauses; survives resume). */
  elapsedMs: number;
  /** Fraction of the budget used, in [0, 1]. */
  progress: number;
  /** The run's seeded generator: the only randomness a strategy may use. */
  random: Random;
}

/** The `batchMined` payload minus the fields the trainer adds (iteration, elapsedMs). */
export type MiningStats = Omit<BatchMined, 'iteration' | 'elapsedMs'>;

export interface MinedBatch {
  batch: PatchBatch;
  mined: MiningStats;
}

/**
 * A sampling strategy: given the step context, return the training batch and what was mined.
 * OHEM, fixed oversampling and any third strategy implement this one interface; the trainer
 * awaits it at the start of every step and emits `batchMined` with `mined`.
 */
export interface SamplingStrategy {
  /** The config `type` it was created from (appears in batchMined.strategy). */
  readonly name: string;
  nextBatch(ctx: StepContext): Promise<MinedBatch>;
  /** Optional: state to save in checkpoints (for strategies that remember something). */
  getState?(): unknown;
  setState?(state: unknown): void;
  /**
   * Optional plan-ahead, for strategies that call `source.sample` once per `nextBatch`: the
   * kinds of the next `sample` call. The patch source calls it right after serving a call, with
   * a copy of the generator in the state that call left it; the hook makes on that copy exactly
   * the draws the strategy makes from there up to its next `sample` call (the rest of this
   * `nextBatch`, then the start of the next) and returns the kinds it will ask for. It must be
   * a pure function of the copy's draws (the same code as `nextBatch`'s, not a second version)
   * and change no state. The source cuts that batch while the step trains and uses it only when
   * the real call's kinds and generator state match: a wrong plan costs a wait, never a patch.
   * Without the hook the source guesses (same kinds and gap as the last call).
   */
  planNextSample?(random: Random): readonly PatchKind[];
}
