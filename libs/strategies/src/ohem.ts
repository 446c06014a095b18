import { countFlags, selectPatches, sliceBatch, type PatchKind } from './patch-batch.ts';
import type { PatchScorer, PatchSource } from './ports.ts';
import type { MinedBatch, SamplingStrategy, StepContext } from './strategy.ts';
import { mean, topKIndices } from './top-k.ts';
import { num, type OptionsSpec } from './options.ts';

export interface OhemOptions {
  /** Candidate patches drawn per step (paper: 128). */
  candidates: number;
  /** Fraction of candidates drawn as positive patches (paper: 0.3); the rest are uniform. */
  positiveFraction: number;
  /** Patches trained on: the highest-loss candidates (paper: B = 32). */
  batchSize: number;
  /** Candidates scored per forward pass of the scorer: bounds memory, not the result. */
  scoreChunk: number;
}

export const ohemOptionsSpec: OptionsSpec<OhemOptions> = {
  candidates: num({ default: 128, integer: true, min: 1 }),
  positiveFraction: num({ default: 0.3, min: 0, max: 1 }),
  batchSize: num({ default: 32, integer: true, min: 1 }),
  scoreChunk: num({ default: 32, integer: true, min: 1 }),
};

/** How many of `candidates` are drawn positive: round(candidates x fraction) (128 x 0.3 -> 38). */
export function positiveCount(candidates: number, fraction: number): number {
  return Math.round(candidates * fraction);
}

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
    if (options.batchSize > options.candidates) {
      throw new RangeError(`ohem: batchSize (${options.batchSize}) cannot exceed candidates (${options.candidates})`);
    }
    const nPos = positiveCount(options.candidates, options.positiveFraction);
    this.kinds = [...Array<PatchKind>(nPos).fill('positive'), ...Array<PatchKind>(options.candidates - nPos).fill('uniform')];
  }

  async nextBatch(ctx: StepContext): Promise<MinedBatch> {
    const { candidates, batchSize, scoreChunk } = this.options;
    const pool = await this.source.sample(this.kinds, ctx.random);
    if (pool.count !== candidates) throw new Error(`ohem: the patch source returned ${pool.count} patches, asked for ${candidates}`);
    const losses = new Float32Array(candidates);
    for (let start = 0; start < candidates; start += scoreChunk) {
      const end = Math.min(candidates, start + scoreChunk);
      const chunk = await this.scorer.scorePatches(sliceBatch(pool, start, end));
      if (chunk.length !== end - start) throw new Error(`ohem: the scorer returned ${chunk.length} losses for ${end - start} patches`);
      losses.set(chunk, start);
    }
    const chosen = topKIndices(losses, batchSize);
    const batch = selectPatches(pool, chosen);
    const selectedLosses = Float32Array.from(chosen, (i) => losses[i]);
    return {
      batch,
      mined: {
        strategy: this.name,
        candidates,
        selected: batchSize,
        positiveCandidates: countFlags(pool.containsLesion),
        positiveSelected: countFlags(batch.containsLesion),
        meanCandidateLoss: mean(losses),
        meanSelectedLoss: mean(selectedLosses),
      },
    };
  }
}
