import type { PatchBatch, PatchKind } from './patch-batch.ts';
import type { Random } from './random.ts';

/**
 * Where training patches come from: the trainer's adapter over the data library's sampling
 * primitives (uniformPatch / positivePatch / extractBatch). One patch per requested kind, in
 * that order, drawn with the given generator only (no hidden randomness), so runs replay.
 */
export interface PatchSource {
  sample(kinds: readonly PatchKind[], random: Random): Promise<PatchBatch>;
}

/**
 * Per-patch loss of a model without gradients (OHEM: the EMA model's). Returns one loss per
 * patch of `batch`, in order. The caller decides the chunking (memory), not the scorer.
 */
export interface PatchScorer {
  scorePatches(batch: PatchBatch): Promise<Float32Array>;
}
