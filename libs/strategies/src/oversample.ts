import { countFlags, type PatchKind } from './patch-batch.ts';
import type { PatchSource } from './ports.ts';
import type { Random } from './random.ts';
import type { MinedBatch, SamplingStrategy, StepContext } from './strategy.ts';
import { num, type InferOptions } from '@lesionseg/config';

export const oversampleOptionsSpec = {
  /** Probability that each patch is drawn positive (paper: 0, 0.1, 0.5). */
  p: num({ min: 0, max: 1 }),
  /** Patches per step (paper: 32). */
  batchSize: num({ default: 32, integer: true, min: 1 }),
};

export type OversampleOptions = InferOptions<typeof oversampleOptionsSpec>;

/**
 * Fixed oversampling (the paper's "Uniform" curves): each of the `batchSize` patches is,
 * independently, a positive patch with probability `p` and otherwise a uniform one (which may
 * still happen to contain a lesion). `p` is a per-patch Bernoulli draw, as in the paper ("we
 * sampled positive patches with a probability p"), not a fixed count per batch: the number of
 * positive draws in a batch is Binomial(batchSize, p). The strategy consumes one draw per patch even
 * when p is 0 or 1, so its own use of the stream does not depend on p.
 */
export class FixedOversamplingStrategy implements SamplingStrategy {
  readonly name = 'oversample';

  constructor(
    private readonly options: OversampleOptions,
    private readonly source: PatchSource,
  ) {}

  /** The batch's kinds: one Bernoulli(p) draw per patch, the only draws besides the source's. */
  private drawKinds(random: Random): PatchKind[] {
    const { p, batchSize } = this.options;
    const kinds: PatchKind[] = [];
    for (let i = 0; i < batchSize; i++) kinds.push(random.next() < p ? 'positive' : 'uniform');
    return kinds;
  }

  /** Plan-ahead: no draw after `sample`, so the next call's kinds are the next batchSize draws. */
  planNextSample(random: Random): readonly PatchKind[] {
    return this.drawKinds(random);
  }

  async nextBatch(ctx: StepContext): Promise<MinedBatch> {
    const { batchSize } = this.options;
    const kinds = this.drawKinds(ctx.random);
    const batch = await this.source.sample(kinds, ctx.random);
    if (batch.count !== batchSize) throw new Error(`oversample: the patch source returned ${batch.count} patches, asked for ${batchSize}`);
    const positives = countFlags(batch.containsLesion);
    return {
      batch,
      mined: {
        strategy: this.name,
        candidates: batchSize,
        selected: batchSize,
        positiveCandidates: positives,
        positiveSelected: positives,
        meanCandidateLoss: null,
        meanSelectedLoss: null,
      },
    };
  }
}
