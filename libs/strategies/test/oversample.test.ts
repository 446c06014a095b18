import { describe, expect, it } from 'vitest';
import { FixedOversamplingStrategy } from '../src/index.ts';
import { FakeSource, TestRandom } from './fakes.ts';

async function positiveDrawsPerBatch(p: number, batches: number, seed: number): Promise<number[]> {
  const source = new FakeSource();
  const s = new FixedOversamplingStrategy({ p, batchSize: 32 }, source);
  const random = new TestRandom(seed);
  const counts: number[] = [];
  for (let b = 0; b < batches; b++) {
    const { batch, mined } = await s.nextBatch({ iteration: b, elapsedMs: 0, progress: 0, random });
    expect(batch.count).toBe(32);
    expect(mined.candidates).toBe(32);
    expect(mined.meanCandidateLoss).toBeNull();
    counts.push(source.requests[b].filter((k) => k === 'positive').length);
  }
  return counts;
}

describe('fixed oversampling strategy', () => {
  it.each([0.1, 0.5])('draws positive patches with probability p = %s (within 5 standard errors)', async (p) => {
    const batches = 1000;
    const counts = await positiveDrawsPerBatch(p, batches, 11);
    const n = batches * 32;
    const rate = counts.reduce((a, b) => a + b, 0) / n;
    const se = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(rate - p)).toBeLessThan(5 * se);
    // a per-patch Bernoulli draw, not a fixed count: the count per batch varies as Binomial(32, p)
    const m = counts.reduce((a, b) => a + b, 0) / batches;
    const variance = counts.reduce((a, c) => a + (c - m) ** 2, 0) / (batches - 1);
    const expected = 32 * p * (1 - p);
    expect(variance).toBeGreaterThan(expected * 0.8);
    expect(variance).toBeLessThan(expected * 1.2);
  });

  it('p = 0 is uniform sampling and p = 1 is all positive', async () => {
    expect((await positiveDrawsPerBatch(0, 20, 3)).every((c) => c === 0)).toBe(true);
    expect((await positiveDrawsPerBatch(1, 20, 3)).every((c) => c === 32)).toBe(true);
  });

  it('consumes exactly one draw per patch whatever p is', async () => {
    const after = async (p: number) => {
      const random = new TestRandom(5);
      const s = new FixedOversamplingStrategy({ p, batchSize: 32 }, new FakeSource());
      await s.nextBatch({ iteration: 0, elapsedMs: 0, progress: 0, random });
      return random.next();
    };
    expect(await after(0)).toBe(await after(0.5));
  });

  it('reports positives by mask content', async () => {
    const s = new FixedOversamplingStrategy({ p: 0, batchSize: 32 }, new FakeSource(1));
    const { mined } = await s.nextBatch({ iteration: 0, elapsedMs: 0, progress: 0, random: new TestRandom(1) });
    expect(mined.positiveCandidates).toBe(32);
    expect(mined.positiveSelected).toBe(32);
  });
});
