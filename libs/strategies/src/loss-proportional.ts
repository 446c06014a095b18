import type { PatchKind } from './patch-batch.ts';
import type { PatchScorer, PatchSource } from './ports.ts';
import type { Random } from './random.ts';
import type { MinedBatch, SamplingStrategy, StepContext } from './strategy.ts';
import { num, type InferOptions } from '@lesionseg/config';
import { candidateKinds, candidateOptionsSpec, drawAndScore, minedBatch } from './candidates.ts';

/**
 * The worked example of docs/plugins.md: a third strategy added without touching the trainer.
 * Like OHEM it draws and scores candidates with the EMA model, but instead of keeping the
 * top-k it draws `batchSize` of them without replacement with probability proportional to
 * `(loss + floor) ^ power`: hard patches are likely, easy ones still possible.
 */
export const lossProportionalOptionsSpec = {
  ...candidateOptionsSpec,
  /** Sharpness: 0 = uniform among candidates, 1 = proportional to loss, large = close to top-k. */
  power: num({ default: 1, min: 0 }),
  /** Added to every loss so that a zero-loss candidate keeps a small chance. */
  floor: num({ default: 1e-6, above: 0 }),
};

export type LossProportionalOptions = InferOptions<typeof lossProportionalOptionsSpec>;

/**
 * Weighted sampling without replacement (Efraimidis & Spirakis 2006): give item i the key
 * u_i^(1 / w_i) with u_i uniform in (0, 1) and keep the k largest keys. Takes log-weights and
 * compares log(-log u_i) - log w_i (smallest first), which orders items like the keys do but
 * cannot overflow when a sharp `power` makes the weights astronomically large. A log-weight of
 * -Infinity (weight 0) is never picked before a positive weight. Consumes `logWeights.length` draws.
 */
export function weightedSampleWithoutReplacement(logWeights: ArrayLike<number>, k: number, random: { next(): number }): Int32Array {
  const u = keyDraws(logWeights.length, random);
  const keys = new Float64Array(logWeights.length);
  for (let i = 0; i < logWeights.length; i++) keys[i] = Math.log(-Math.log(u[i])) - logWeights[i];
  const idx = Array.from({ length: logWeights.length }, (_, i) => i);
  idx.sort((a, b) => keys[a] - keys[b] || a - b);
  return Int32Array.from(idx.slice(0, k));
}

/** The n uniform draws of the keys, clamped inside (0, 1): the draws the choice takes, whatever the losses. */
function keyDraws(n: number, random: { next(): number }): Float64Array {
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = Math.min(Math.max(random.next(), Number.MIN_VALUE), 1 - Number.EPSILON);
  return u;
}

export class LossProportionalStrategy implements SamplingStrategy {
  readonly name = 'loss-proportional';
  private readonly kinds: PatchKind[];

  constructor(
    private readonly options: LossProportionalOptions,
    private readonly source: PatchSource,
    private readonly scorer: PatchScorer,
  ) {
    this.kinds = candidateKinds(this.name, options);
  }

  /**
   * Plan-ahead: after `sample` the choice takes one key draw per candidate (whatever the
   * losses), then the next call asks for the same kinds.
   */
  planNextSample(random: Random): readonly PatchKind[] {
    keyDraws(this.kinds.length, random);
    return this.kinds;
  }

  async nextBatch(ctx: StepContext): Promise<MinedBatch> {
    const { power, floor, batchSize, scoreChunk } = this.options;
    const { pool, losses } = await drawAndScore(this.name, this.kinds, scoreChunk, this.source, this.scorer, ctx.random);
    // log((loss + floor)^power); a NaN or infinite loss gets weight 0 (a broken score is not "hard")
    const logWeights = Float64Array.from(losses, (l) => (Number.isFinite(l) ? power * Math.log(Math.max(l, 0) + floor) : -Infinity));
    return minedBatch(this.name, pool, losses, weightedSampleWithoutReplacement(logWeights, batchSize, ctx.random));
  }
}
