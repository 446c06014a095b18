import { describe, expect, it } from 'vitest';
import { LossProportionalStrategy, lossProportionalOptionsSpec, weightedSampleWithoutReplacement } from '../src/index.ts';
import { parseOptions } from '@lesionseg/config';
import { FakeSource, TableScorer, TestRandom, serials } from './fakes.ts';

describe('loss-proportional strategy (the docs/plugins.md example)', () => {
  it('weighted sampling picks one item with probability proportional to its weight', () => {
    const weights = [1, 2, 3, 4];
    const logWeights = weights.map(Math.log);
    const hits = [0, 0, 0, 0];
    const random = new TestRandom(9);
    const n = 20000;
    for (let t = 0; t < n; t++) hits[weightedSampleWithoutReplacement(logWeights, 1, random)[0]]++;
    weights.forEach((w, i) => {
      const p = w / 10;
      expect(Math.abs(hits[i] / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    });
  });

  it('never picks an item twice and never a zero-weight item', () => {
    const picked = Array.from(weightedSampleWithoutReplacement([0, 1, 1, 1, 0].map(Math.log), 3, new TestRandom(2))).sort();
    expect(picked).toEqual([1, 2, 3]);
  });

  it('a very sharp power approaches OHEM top-k; a zero power ignores the loss', async () => {
    const loss = (serial: number) => (serial % 128) + 1;
    const run = async (power: number) => {
      const opts = parseOptions(lossProportionalOptionsSpec, { power, candidates: 128, batchSize: 8 }, 'strategy');
      const s = new LossProportionalStrategy(opts, new FakeSource(), new TableScorer(loss));
      const { batch, mined } = await s.nextBatch({ iteration: 0, elapsedMs: 0, progress: 0, random: new TestRandom(4) });
      expect(mined.strategy).toBe('loss-proportional');
      return serials(batch).map(loss);
    };
    const sharp = await run(5000);
    expect([...sharp].sort((a, b) => b - a)).toEqual([128, 127, 126, 125, 124, 123, 122, 121]);
    const flat = await run(0);
    expect(Math.min(...flat)).toBeLessThan(100); // top-8 would all be >= 121
  });
});
