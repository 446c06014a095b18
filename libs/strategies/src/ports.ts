import type { PatchBatch, PatchKind } from './patch-batch.ts';
import type { Random } from './random.ts';

/**
 * Where training patches come from: the trainer's adapter over the data library's sampling
 * primitives (uniformPatch / positivePatch / extractBatch). One patch per requested kind, in
 * that order, drawn with the given generator only (no hidden randomness), so runs replay.
 */
export interface PatchSource {
  sample(kinds: readonly PatchKind[], random: Random): Promise<PatchBatch>;
  /**
   * Optional: a source that prepares batches ahead takes the strategy's plan-ahead hook
   * (`SamplingStrategy.planNextSample`) here; the composition root hands it over once.
   */
  planAheadWith?(planner: SamplePlanner): void;
}

/** The plan-ahead hook of a strategy (`SamplingStrategy.planNextSample`), as the patch source sees it. */
export interface SamplePlanner {
  planNextSample(random: Random): readonly PatchKind[];
}

/**
 * Per-patch loss of a model without gradients (OHEM: the EMA model's). Returns one loss per
 * patch of `batch`, in order. The caller decides the chunking (memory), not the scorer.
 */
export interface PatchScorer {
  scorePatches(batch: PatchBatch): Promise<Float32Array>;
}
