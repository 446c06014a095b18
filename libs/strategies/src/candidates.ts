/**
 * What every "score candidates, then choose" strategy shares (OHEM, loss-proportional sampling):
 * draw a pool with a fixed share of positive patches, score it with the scorer (the EMA model)
 * in chunks, and describe the choice for the `batchMined` event.
 */
import { countFlags, selectPatches, sliceBatch, type PatchKind } from './patch-batch.ts';
import type { PatchBatch } from './patch-batch.ts';
import type { PatchScorer, PatchSource } from './ports.ts';
import type { Random } from './random.ts';
import type { MinedBatch } from './strategy.ts';
import { mean } from './top-k.ts';
import { num, type InferOptions } from '@lesionseg/config';

/** The options spec: it validates the entry, is its JSON Schema, and CandidateOptions is inferred from it. */
export const candidateOptionsSpec = {
  /** Candidate patches drawn per step (paper: 128). */
  candidates: num({ default: 128, integer: true, min: 1 }),
  /** Fraction of candidates drawn as positive patches (paper: 0.3); the rest are uniform. */
  positiveFraction: num({ default: 0.3, min: 0, max: 1 }),
  /** Patches trained on (paper: B = 32). */
  batchSize: num({ default: 32, integer: true, min: 1 }),
  /** Candidates scored per forward pass of the scorer: bounds memory, not the result. */
  scoreChunk: num({ default: 32, integer: true, min: 1 }),
};

export type CandidateOptions = InferOptions<typeof candidateOptionsSpec>;

/** How many of `candidates` are drawn positive: round(candidates x fraction) (128 x 0.3 -> 38). */
export function positiveCount(candidates: number, fraction: number): number {
  return Math.round(candidates * fraction);
}

/** The kinds to draw, positives first; checks that the batch fits in the pool. */
export function candidateKinds(strategy: string, o: CandidateOptions): PatchKind[] {
  if (o.batchSize > o.candidates) throw new RangeError(`${strategy}: batchSize (${o.batchSize}) cannot exceed candidates (${o.candidates})`);
  const nPos = positiveCount(o.candidates, o.positiveFraction);
  return [...Array<PatchKind>(nPos).fill('positive'), ...Array<PatchKind>(o.candidates - nPos).fill('uniform')];
}

/** Draw the pool and score every candidate, `scoreChunk` at a time (no gradients). */
export async function drawAndScore(
  strategy: string,
  kinds: PatchKind[],
  scoreChunk: number,
  source: PatchSource,
  scorer: PatchScorer,
  random: Random,
): Promise<{ pool: PatchBatch; losses: Float32Array }> {
  const n = kinds.length;
  const pool = await source.sample(kinds, random);
  if (pool.count !== n) throw new Error(`${strategy}: the patch source returned ${pool.count} patches, asked for ${n}`);
  const losses = new Float32Array(n);
  for (let start = 0; start < n; start += scoreChunk) {
    const end = Math.min(n, start + scoreChunk);
    const chunk = await scorer.scorePatches(sliceBatch(pool, start, end));
    if (chunk.length !== end - start) throw new Error(`${strategy}: the scorer returned ${chunk.length} losses for ${end - start} patches`);
    losses.set(chunk, start);
  }
  return { pool, losses };
}

/** The chosen candidates as the training batch, with the statistics of `batchMined`. */
export function minedBatch(strategy: string, pool: PatchBatch, losses: Float32Array, chosen: Int32Array): MinedBatch {
  const batch = selectPatches(pool, chosen);
  return {
    batch,
    mined: {
      strategy,
      candidates: pool.count,
      selected: chosen.length,
      positiveCandidates: countFlags(pool.containsLesion),
      positiveSelected: countFlags(batch.containsLesion),
      meanCandidateLoss: mean(losses),
      meanSelectedLoss: mean(Float32Array.from(chosen, (i) => losses[i])),
    },
  };
}
