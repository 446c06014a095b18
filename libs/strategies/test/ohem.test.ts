import { describe, expect, it } from 'vitest';
import { OhemStrategy, ohemOptionsSpec, positiveCount, topKIndices } from '../src/index.ts';
import { parseOptions } from '@lesionseg/config';
import { FakeSource, TableScorer, TestRandom, permutation, serials } from './fakes.ts';

const ctx = (random = new TestRandom(1)) => ({ iteration: 0, elapsedMs: 0, progress: 0, random });

describe('OHEM strategy', () => {
  it('draws 128 candidates, 38 positive (30 %) then 90 uniform, with the paper defaults', async () => {
    const opts = parseOptions(ohemOptionsSpec, {}, 'strategy');
    expect(opts).toEqual({ candidates: 128, positiveFraction: 0.3, batchSize: 32, scoreChunk: 32 });
    const source = new FakeSource();
    const s = new OhemStrategy(opts, source, new TableScorer(() => 1));
    await s.nextBatch(ctx());
    expect(source.requests).toHaveLength(1);
    const kinds = source.requests[0];
    expect(kinds).toHaveLength(128);
    expect(kinds.filter((k) => k === 'positive')).toHaveLength(38);
    expect(positiveCount(128, 0.3)).toBe(38);
  });

  it('trains on exactly the 32 highest-loss candidates of a known score vector, hardest first', async () => {
    // candidate with serial i has loss perm[i]: the top 32 are the ones with loss 96..127
    const perm = permutation(128, 7);
    const scorer = new TableScorer((serial) => perm[serial]);
    const s = new OhemStrategy(parseOptions(ohemOptionsSpec, {}, 'strategy'), new FakeSource(), scorer);
    const { batch, mined } = await s.nextBatch(ctx());
    const chosenLosses = serials(batch).map((i) => perm[i]);
    expect(chosenLosses).toEqual(Array.from({ length: 32 }, (_, k) => 127 - k));
    expect(batch.count).toBe(32);
    // scored without gradients, in chunks of 32
    expect(scorer.chunks).toEqual([32, 32, 32, 32]);
    expect(mined.candidates).toBe(128);
    expect(mined.selected).toBe(32);
    expect(mined.meanCandidateLoss).toBeCloseTo(63.5, 10);
    expect(mined.meanSelectedLoss).toBeCloseTo(111.5, 10);
  });

  it('copies the chosen patches (image and mask) intact into a contiguous batch', async () => {
    const scorer = new TableScorer((serial) => (serial === 5 ? 10 : serial === 100 ? 9 : 0));
    const s = new OhemStrategy({ candidates: 128, positiveFraction: 0.3, batchSize: 2, scoreChunk: 50 }, new FakeSource(), scorer);
    const { batch, mined } = await s.nextBatch(ctx());
    expect(scorer.chunks).toEqual([50, 50, 28]);
    expect(serials(batch)).toEqual([5, 100]);
    expect(batch.images.length).toBe(2 * 8 * 2);
    expect(Array.from(batch.images.subarray(0, 16))).toEqual(Array(16).fill(5));
    expect(Array.from(batch.images.subarray(16))).toEqual(Array(16).fill(100));
    // serial 5 is among the 38 positive draws, 100 is uniform (fake source: no lesion)
    expect(Array.from(batch.containsLesion)).toEqual([1, 0]);
    expect(batch.masks[3]).toBe(1);
    expect(mined.positiveSelected).toBe(1);
    expect(mined.positiveCandidates).toBe(38);
  });

  it('counts positives by mask content, also uniform draws that happen to hold a lesion', async () => {
    const source = new FakeSource(1); // every uniform patch holds a lesion too
    const s = new OhemStrategy(parseOptions(ohemOptionsSpec, {}, 'strategy'), source, new TableScorer((x) => x));
    const { mined } = await s.nextBatch(ctx());
    expect(mined.positiveCandidates).toBe(128);
    expect(mined.positiveSelected).toBe(32);
  });

  it('breaks ties by draw order and ranks NaN losses last', () => {
    expect(Array.from(topKIndices([1, 3, 3, NaN, 2, 3], 4))).toEqual([1, 2, 5, 4]);
    expect(Array.from(topKIndices([NaN, 0], 2))).toEqual([1, 0]);
    expect(() => topKIndices([1, 2], 3)).toThrow(RangeError);
  });

  it('refuses a batch larger than the candidate pool and a short answer from the scorer', async () => {
    expect(() => new OhemStrategy({ candidates: 8, positiveFraction: 0.3, batchSize: 9, scoreChunk: 4 }, new FakeSource(), new TableScorer(() => 0))).toThrow(
      'batchSize (9) cannot exceed candidates (8)',
    );
    const bad = { scorePatches: () => Promise.resolve(new Float32Array(1)) };
    const s = new OhemStrategy({ candidates: 8, positiveFraction: 0.3, batchSize: 2, scoreChunk: 4 }, new FakeSource(), bad);
    await expect(s.nextBatch(ctx())).rejects.toThrow('returned 1 losses for 4 patches');
  });
});
