import type { PatchKind } from './patch-batch.ts';
import type { PatchScorer, PatchSource } from './ports.ts';
import type { MinedBatch, SamplingStrategy, StepContext } from './strategy.ts';
import { topKIndices } from './top-k.ts';
import { candidateKinds, candidateOptionsSpec, drawAndScore, minedBatch, type CandidateOptions } from './candidates.ts';

export { positiveCount } from './candidates.ts';

/** candidates (128), positiveFraction (0.3), batchSize (B = 32: the highest-loss candidates), scoreChunk. */
export type OhemOptions = CandidateOptions;
export const ohemOptionsSpec = candidateOptionsSpec;

/**
 * Online hard example mining with a moving-average scorer (paper, Algorithm 1): draw
 * `candidates` patches (a fixed `positiveFraction` of them positive, the others uniform), score
 * each with the per-patch loss of the scorer (the EMA model, injected: with decay 0 the EMA
 * equals the raw model), and train on the `batchSize` candidates with the highest loss. Ties are
 * broken by draw order, so the choice is deterministic.
 */
export class OhemStrategy implements SamplingStrategy {
  readonly name = 'ohem';
  private readonly kinds: PatchKind[];

  constructor(
    private readonly options: OhemOptions,
    private readonly source: PatchSource,
    private readonly scorer: PatchScorer,
  ) {
    this.kinds = candidateKinds(this.name, options);
  }

  /** Plan-ahead: OHEM draws nothing besides the source's and always asks for the same kinds. */
  planNextSample(): readonly PatchKind[] {
    return this.kinds;
  }

  async nextBatch(ctx: StepContext): Promise<MinedBatch> {
    const { pool, losses } = await drawAndScore(this.name, this.kinds, this.options.scoreChunk, this.source, this.scorer, ctx.random);
    return minedBatch(this.name, pool, losses, topKIndices(losses, this.options.batchSize));
  }
}
