// The worked examples E1-E14 of docs/msseg2-evaluation.md section 11, with their expected numbers.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '@lesionseg/data';
import { scorePatient } from '../src/index.ts';
import type { PatientScore, ScoreParamsInput } from '../src/index.ts';
import { box, emptyMask, voxels } from './masks.ts';

const G: Vec3 = [16, 16, 16];
const ISO: Vec3 = [1, 1, 1];
const TOL = 1e-12;

function score(gt: Uint8Array, pred: Uint8Array, opts: { shape?: Vec3; spacing?: Vec3; params?: ScoreParamsInput } = {}): PatientScore {
  const shape = opts.shape ?? G;
  const spacing = opts.spacing ?? ISO;
  return scorePatient({ data: gt, shape, spacing }, { data: pred, shape, spacing }, opts.params);
}

function expectScores(s: PatientScore, dice: number, sens: number, ppv: number, f1: number): void {
  expect(s.gtEmpty).toBe(false);
  expect(Math.abs((s.dice as number) - dice)).toBeLessThanOrEqual(TOL);
  if (Number.isNaN(sens)) expect(s.lesionSensitivity).toBeNaN();
  else expect(Math.abs((s.lesionSensitivity as number) - sens)).toBeLessThanOrEqual(TOL);
  expect(Math.abs((s.lesionPpv as number) - ppv)).toBeLessThanOrEqual(TOL);
  expect(Math.abs((s.lesionF1 as number) - f1)).toBeLessThanOrEqual(TOL);
}

describe('MSSEG-2 worked examples (spec section 11)', () => {
  it('E1 perfect match', () => {
    const m = box(emptyMask(G), G, [1, 2], [1, 2], [1, 2]);
    const s = score(m, m.slice());
    expectScores(s, 1, 1, 1, 1);
    expect([s.nGtLesions, s.nPredLesions, s.tpGt, s.tpPred]).toEqual([1, 1, 1, 1]);
  });

  it('E2 tiny components count for Dice but not for detection', () => {
    const gt = box(box(emptyMask(G), G, [1, 2], [1, 2], [1, 2]), G, [8, 10], [8, 8], [8, 8]);
    const pred = box(box(emptyMask(G), G, [1, 2], [1, 2], [1, 2]), G, [8, 10], [1, 1], [1, 1]);
    const s = score(gt, pred);
    expectScores(s, 16 / 22, 1, 1, 1);
    expect([s.nGtLesions, s.nPredLesions, s.gtSmallComponents, s.predSmallComponents]).toEqual([1, 1, 1, 1]);
  });

  it('E3 empty GT, 6-connectivity', () => {
    const pred = box(box(emptyMask(G), G, [1, 2], [1, 2], [1, 1]), G, [3, 4], [3, 4], [1, 1]);
    voxels(pred, G, [10, 10, 10]);
    box(pred, G, [10, 12], [1, 1], [5, 5]);
    const s = score(emptyMask(G), pred);
    expect(s.gtEmpty).toBe(true);
    expect(s.nPredLesions).toBe(2);
    expect(s.predLesionVolumeMm3).toBe(8);
    expect([s.dice, s.lesionSensitivity, s.lesionPpv, s.lesionF1]).toEqual([null, null, null, null]);
    expect(s.predLesions.map((l) => l.reason)).toEqual(['gtEmpty', 'gtEmpty']);
  });

  it('E4 strict size threshold with 1 x 1 x 3 mm voxels', () => {
    const sp: Vec3 = [1, 1, 3];
    const pred = box(voxels(emptyMask(G), G, [1, 1, 1]), G, [5, 6], [5, 5], [5, 5]);
    const s = score(emptyMask(G), pred, { spacing: sp });
    expect(s.minLesionVoxels).toBe(2);
    expect(s.nPredLesions).toBe(1);
    expect(s.predLesionVolumeMm3).toBe(6);
  });

  it('E4b 0.5 mm voxels: 24 voxels (3.000 mm3) dropped, 25 kept', () => {
    const pred = box(box(emptyMask(G), G, [0, 1], [0, 2], [0, 3]), G, [6, 10], [6, 10], [6, 6]);
    const s = score(emptyMask(G), pred, { spacing: [0.5, 0.5, 0.5] });
    expect(s.minLesionVoxels).toBe(25);
    expect(s.nPredLesions).toBe(1);
    expect(s.predLesionVolumeMm3).toBe(3.125);
  });

  it('E5 covered fraction exactly alpha fails', () => {
    const gt = box(emptyMask(G), G, [0, 4], [0, 1], [0, 1]);
    const pred = box(emptyMask(G), G, [4, 7], [0, 0], [0, 1]);
    const s = score(gt, pred);
    expectScores(s, 0.14285714285714288, 0, 0, 0);
    expect(s.dice).toBe(0.14285714285714288); // Anima's Jaccard route, bit for bit
    expect(s.gtLesions[0].reason).toBe('insufficientOverlap');
    expect(s.predLesions[0].reason).toBe('overlapRejected');
    expect(s.predLesions[0].rejectedBy).toBe(1);
  });

  it('E6 over-segmentation is asymmetric', () => {
    const gt = box(emptyMask(G), G, [2, 3], [2, 3], [2, 2]);
    const pred = box(emptyMask(G), G, [1, 5], [2, 3], [2, 3]);
    const s = score(gt, pred);
    expectScores(s, 0.33333333333333337, 0, 1, 0);
    expect(s.gtLesions[0]).toMatchObject({ matched: false, reason: 'overlapRejected', rejectedBy: 1, coveredFraction: 1 });
    expect(s.predLesions[0]).toMatchObject({ matched: true, reason: 'matched', coveredFraction: 0.2 });
  });

  const e7 = (aEnd: number): [Uint8Array, Uint8Array] => {
    const gt = box(emptyMask(G), G, [0, 9], [0, 1], [0, 0]);
    const pred = box(box(emptyMask(G), G, [0, aEnd], [0, 1], [0, 0]), G, [7, 9], [0, 1], [0, 3]);
    return [gt, pred];
  };

  it('E7 reaching coverage stops the walk before the bad lesion', () => {
    const s = score(...e7(5));
    expectScores(s, 36 / 56, 1, 1, 1);
    expect([s.nGtLesions, s.nPredLesions, s.tpGt, s.tpPred]).toEqual([1, 2, 1, 2]);
    // Labels by size: B (24 voxels) = 1, A (12) = 2; only A is examined.
    expect(s.gtLesions[0].examined).toEqual([2]);
  });

  it('E7-literal: the other reading of the paper (coverage 0.70, maxOutside 0.65) misses the lesion', () => {
    const s = score(...e7(5), { params: { coverage: 0.7, maxOutside: 0.65 } });
    expectScores(s, 36 / 56, 0, 1, 0);
    // The same through the paper's names read the other way round.
    const t = score(...e7(5), { params: { beta: 0.7, gamma: 0.65 } });
    expect(t.lesionSensitivity).toBe(0);
  });

  it('E7b a smaller A leaves the walk short of coverage', () => {
    const s = score(...e7(4));
    expectScores(s, 32 / 54, 0, 1, 0);
    expect([s.tpGt, s.tpPred]).toEqual([0, 2]);
    expect(s.gtLesions[0]).toMatchObject({ reason: 'overlapRejected', rejectedBy: 1, examined: [2, 1] });
  });

  it('E8 one prediction merging two GT lesions detects both', () => {
    const gt = box(box(emptyMask(G), G, [0, 1], [0, 1], [0, 1]), G, [3, 4], [0, 1], [0, 1]);
    const pred = box(emptyMask(G), G, [0, 4], [0, 1], [0, 1]);
    const s = score(gt, pred);
    expectScores(s, 32 / 36, 1, 1, 1);
    expect([s.nGtLesions, s.nPredLesions, s.tpGt, s.tpPred]).toEqual([2, 1, 2, 1]);
  });

  it('E9 empty prediction', () => {
    const gt = box(emptyMask(G), G, [1, 2], [1, 2], [1, 2]);
    const s = score(gt, emptyMask(G));
    expectScores(s, 0, 0, 0, 0);
    expect(s.gtLesions[0].reason).toBe('insufficientOverlap');
  });

  it('E10 GT with only tiny lesions: not empty, sensitivity NaN', () => {
    const m = box(emptyMask(G), G, [1, 3], [1, 1], [1, 1]);
    const s = score(m, m.slice());
    expectScores(s, 1, NaN, 0, 0);
    expect([s.nGtLesions, s.nPredLesions]).toEqual([0, 0]);
  });

  it('E11 tied overlaps keep label order with <= 16 candidates', () => {
    const gt = box(emptyMask(G), G, [0, 10], [0, 1], [0, 0]);
    const pred = box(box(box(emptyMask(G), G, [0, 4], [0, 1], [0, 0]), G, [6, 7], [0, 1], [0, 3]), G, [9, 10], [0, 1], [0, 0]);
    const s = score(gt, pred);
    expectScores(s, 36 / 52, 0, 1, 0);
    expect(s.predLesions.map((l) => l.voxels)).toEqual([16, 10, 4]);
    expect(s.gtLesions[0]).toMatchObject({ reason: 'overlapRejected', examined: [2, 1], rejectedBy: 1 });
    expect(s.tpPred).toBe(3);
  });

  it('E12 outside fraction exactly at the limit passes', () => {
    const gt = box(emptyMask(G), G, [2, 4], [2, 3], [2, 2]);
    const pred = box(emptyMask(G), G, [1, 5], [2, 3], [2, 3]);
    expectScores(score(gt, pred), 12 / 26, 1, 1, 1);
    // Under the E7-literal reading (maxOutside 0.65) it fails.
    expect(score(gt, pred, { params: { coverage: 0.7, maxOutside: 0.65 } }).lesionF1).toBe(0);
  });

  it('E13 cumulative fraction exactly at coverage stops the walk', () => {
    const gt = box(emptyMask(G), G, [0, 11], [0, 1], [0, 0]);
    const pred = voxels(box(emptyMask(G), G, [0, 5], [0, 1], [0, 0]), G, [6, 0, 0]);
    voxels(box(pred, G, [8, 10], [0, 1], [0, 3]), G, [11, 0, 0]);
    const s = score(gt, pred);
    expectScores(s, 40 / 62, 1, 1, 1);
    expect(s.gtLesions[0].examined).toEqual([2]);
  });

  it('E14 more than 16 tied candidates follow libstdc++ order', () => {
    const shape: Vec3 = [52, 2, 6];
    const gt = box(box(emptyMask(shape), shape, [0, 50], [0, 1], [0, 0]), shape, [0, 1], [0, 1], [2, 5]);
    const pred = emptyMask(shape);
    for (let k = 0; k <= 16; k++) box(pred, shape, [3 * k, 3 * k + 1], [0, 1], [0, 0]);
    box(pred, shape, [0, 1], [0, 1], [1, 5]);
    box(pred, shape, [48, 49], [0, 1], [1, 3]);
    const s = score(gt, pred, { shape });
    expectScores(s, 168 / 218, 1, 1, 1);
    expect(s.nPredLesions).toBe(17);
    expect(s.predLesions[0].voxels).toBe(24);
    expect(s.predLesions[1].voxels).toBe(16);
    expect(s.gtLesions[0].examined).toEqual([9, 17, 16, 15, 14, 13, 12, 11, 10, 1, 8, 7]);
    expect(s.tpPred).toBe(17);
  });
});
