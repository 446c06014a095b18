import { describe, expect, it } from 'vitest';
import { fullOrder, meanSem, minLesionVoxels, nonZeroOrder, resolveScoreParams, summarizeCohort } from '../src/index.ts';
import type { PatientScore } from '../src/index.ts';
import { rng } from './masks.ts';

describe('cohort aggregation (paper Table 1)', () => {
  it('mean and SEM use the n-1 standard deviation and skip NaN', () => {
    const m = meanSem([1, 2, 3, 4, NaN]);
    expect(m.mean).toBe(2.5);
    // scipy.stats.sem([1,2,3,4]) = 0.6454972243679028
    expect(Math.abs(m.sem - 0.6454972243679028)).toBeLessThan(1e-15);
    expect([m.n, m.nNaN]).toEqual([4, 1]);
    expect(meanSem([5]).sem).toBeNaN();
    expect(meanSem([]).mean).toBeNaN();
  });

  it('splits patients by an empty GT', () => {
    type P = Pick<PatientScore, 'gtEmpty' | 'dice' | 'lesionSensitivity' | 'lesionPpv' | 'lesionF1' | 'nPredLesions' | 'predLesionVolumeMm3'>;
    const pos = (d: number, s: number): P => ({
      gtEmpty: false,
      dice: d,
      lesionSensitivity: s,
      lesionPpv: 1,
      lesionF1: 0.5,
      nPredLesions: 3,
      predLesionVolumeMm3: 9,
    });
    const neg = (n: number, v: number): P => ({
      gtEmpty: true,
      dice: null,
      lesionSensitivity: null,
      lesionPpv: null,
      lesionF1: null,
      nPredLesions: n,
      predLesionVolumeMm3: v,
    });
    const s = summarizeCohort([pos(0.5, 1), pos(0.7, NaN), neg(0, 0), neg(2, 10), pos(0.9, 0)]);
    expect(s.withNewLesions.nPatients).toBe(3);
    expect(s.withNewLesions.dice.mean).toBeCloseTo(0.7, 15);
    expect(s.withNewLesions.lesionSensitivity).toMatchObject({ mean: 0.5, n: 2, nNaN: 1 });
    expect(s.withoutNewLesions.nPatients).toBe(2);
    expect(s.withoutNewLesions.nPredLesions).toMatchObject({ mean: 1, sem: 1, n: 2 });
    expect(s.withoutNewLesions.predLesionVolumeMm3.mean).toBe(5);
  });
});

describe('parameters', () => {
  it('defaults are Anima defaults and the paper names are aliases', () => {
    expect(resolveScoreParams()).toEqual({ minLesionMm3: 3, alpha: 0.1, coverage: 0.65, maxOutside: 0.7 });
    expect(resolveScoreParams({ beta: 0.5, gamma: 0.6 })).toMatchObject({ coverage: 0.5, maxOutside: 0.6 });
    expect(() => resolveScoreParams({ coverage: 0.5, beta: 0.6 })).toThrow(/coverage=0.5.*beta=0.6/);
    expect(() => resolveScoreParams({ coverage: 1 })).toThrow(/coverage must be in \(0, 1\)/);
    expect(() => resolveScoreParams({ alpha: -0.1 })).toThrow(/alpha/);
    expect(() => resolveScoreParams({ minLesionMm3: NaN })).toThrow(/minLesionMm3/);
  });

  it('minimum lesion size: floor(min / v) + 1 (spec section 3 examples)', () => {
    expect(minLesionVoxels(3, 1)).toBe(4);
    expect(minLesionVoxels(3, 0.125)).toBe(25);
    expect(minLesionVoxels(3, 3)).toBe(2);
    expect(minLesionVoxels(3, 0.9375 * 0.9375 * 1.2)).toBe(3);
  });
});

describe('candidate order shortcut', () => {
  it('the non-zero prefix equals the full libstdc++ order', () => {
    const r = rng(99);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(r() * 60);
      const row = new Map<number, number>();
      for (let j = 1; j <= n; j++) if (r() < 0.3) row.set(j, 1 + Math.floor(r() * (t % 2 ? 3 : 1000)));
      const full = Array.from(fullOrder(row, n)).filter((j) => row.has(j));
      expect(nonZeroOrder(row, n)).toEqual(full);
    }
  });
});
