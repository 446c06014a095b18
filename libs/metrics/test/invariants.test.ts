// Randomised invariants on seeded blob masks with anisotropic spacings and empty cases.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '@lesionseg/data';
import { extractRuns, keepLesions, labelComponents, scorePatient } from '../src/index.ts';
import type { PatientScore } from '../src/index.ts';
import { emptyMask, rng } from './masks.ts';

const SPACINGS: Vec3[] = [
  [1, 1, 1],
  [0.5, 0.5, 0.5],
  [1, 1, 3],
  [0.9375, 0.9375, 1.2],
  [0.7, 1.1, 0.45],
];

function blobs(r: () => number, shape: Vec3, n: number, maxR = 3): Uint8Array {
  const m = emptyMask(shape);
  for (let b = 0; b < n; b++) {
    const c = shape.map((s) => r() * s);
    const rad = [0, 1, 2].map(() => 0.6 + r() * maxR);
    for (let z = 0; z < shape[2]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < shape[0]; x++) {
          const d = ((x - c[0]) / rad[0]) ** 2 + ((y - c[1]) / rad[1]) ** 2 + ((z - c[2]) / rad[2]) ** 2;
          if (d <= 1) m[x + shape[0] * (y + shape[1] * z)] = 1;
        }
  }
  return m;
}

function speckle(r: () => number, m: Uint8Array, p: number): Uint8Array {
  const out = m.slice();
  for (let i = 0; i < out.length; i++) if (r() < p) out[i] = 1 - out[i];
  return out;
}

/** Brute-force 6-connected flood fill on voxels: component sizes, sorted. */
function floodSizes(m: Uint8Array, [X, Y, Z]: Vec3): number[] {
  const seen = new Uint8Array(m.length);
  const sizes: number[] = [];
  for (let s = 0; s < m.length; s++) {
    if (!m[s] || seen[s]) continue;
    let n = 0;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop() as number;
      n++;
      const x = i % X;
      const y = Math.floor(i / X) % Y;
      const z = Math.floor(i / (X * Y));
      const nb: number[] = [];
      if (x > 0) nb.push(i - 1);
      if (x < X - 1) nb.push(i + 1);
      if (y > 0) nb.push(i - X);
      if (y < Y - 1) nb.push(i + X);
      if (z > 0) nb.push(i - X * Y);
      if (z < Z - 1) nb.push(i + X * Y);
      for (const j of nb)
        if (m[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
    }
    sizes.push(n);
  }
  return sizes.sort((a, b) => b - a);
}

function randomCase(seed: number): { shape: Vec3; spacing: Vec3; gt: Uint8Array; pred: Uint8Array } {
  const r = rng(seed);
  const shape: Vec3 = [8 + Math.floor(r() * 18), 8 + Math.floor(r() * 18), 6 + Math.floor(r() * 14)];
  const spacing = SPACINGS[seed % SPACINGS.length];
  const gt = r() < 0.15 ? emptyMask(shape) : blobs(r, shape, Math.floor(r() * 25));
  const pred = r() < 0.1 ? emptyMask(shape) : r() < 0.6 ? speckle(r, gt, r() * 0.04) : blobs(r, shape, Math.floor(r() * 25));
  return { shape, spacing, gt, pred };
}

const SEEDS = Array.from({ length: 120 }, (_, k) => 1000 + k);

function lesionChecks(s: PatientScore, gt: Uint8Array, pred: Uint8Array): void {
  const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
  // Volumes add up: kept lesions' volumes are the reported total.
  expect(Math.abs(sum(s.predLesions.map((l) => l.volumeMm3)) - s.predLesionVolumeMm3)).toBeLessThan(1e-9);
  expect(Math.abs(sum(s.gtLesions.map((l) => l.volumeMm3)) - s.gtLesionVolumeMm3)).toBeLessThan(1e-9);
  // Every lesion is numbered once, 1..n, by non-increasing size, and each kept voxel belongs to one lesion.
  for (const ls of [s.gtLesions, s.predLesions]) {
    expect(ls.map((l) => l.label)).toEqual(ls.map((_, k) => k + 1));
    for (let k = 1; k < ls.length; k++) expect(ls[k - 1].voxels).toBeGreaterThanOrEqual(ls[k].voxels);
    for (const l of ls) expect(l.voxels).toBeGreaterThanOrEqual(s.minLesionVoxels);
  }
  expect(s.gtVoxels).toBe(gt.reduce((a, b) => a + b, 0));
  expect(s.predVoxels).toBe(pred.reduce((a, b) => a + b, 0));
  expect(sum(s.predLesions.map((l) => l.voxels))).toBeLessThanOrEqual(s.predVoxels);
  if (!s.gtEmpty) {
    expect(s.tpGt).toBe(s.nPredLesions > 0 ? s.gtLesions.filter((l) => l.matched).length : 0);
    expect(s.tpPred).toBe(s.nGtLesions > 0 ? s.predLesions.filter((l) => l.matched).length : 0);
    // Overlap tables agree from both sides.
    const a = sum(s.gtLesions.flatMap((l) => l.overlaps.map((o) => o.voxels)));
    const b = sum(s.predLesions.flatMap((l) => l.overlaps.map((o) => o.voxels)));
    expect(a).toBe(b);
    expect(a).toBeLessThanOrEqual(s.intersectionVoxels);
    expect(s.dice).toBeGreaterThanOrEqual(0);
    expect(s.dice).toBeLessThanOrEqual(1);
    expect(Math.abs((s.dice as number) - (2 * s.intersectionVoxels) / (s.gtVoxels + s.predVoxels))).toBeLessThan(1e-12);
  }
}

describe('randomised invariants', () => {
  it.each(SEEDS)('seed %i: components match a brute-force flood fill', (seed) => {
    const { shape, gt, pred } = randomCase(seed);
    for (const m of [gt, pred]) {
      const comps = labelComponents(extractRuns(m, shape));
      expect(Array.from(comps.size).sort((a, b) => b - a)).toEqual(floodSizes(m, shape));
      const kept = keepLesions(comps, 4);
      expect(kept.keptVoxels + kept.droppedVoxels).toBe(m.reduce((a, b) => a + b, 0));
    }
  });

  it.each(SEEDS)('seed %i: bookkeeping, swap symmetry, translation invariance', (seed) => {
    const { shape, spacing, gt, pred } = randomCase(seed);
    const s = scorePatient({ data: gt, shape, spacing }, { data: pred, shape, spacing });
    lesionChecks(s, gt, pred);

    // Swapping GT and prediction swaps sensitivity and PPV (same criteria both ways) when both
    // masks have kept lesions; Dice is symmetric.
    const w = scorePatient({ data: pred, shape, spacing }, { data: gt, shape, spacing });
    if (!s.gtEmpty && !w.gtEmpty) {
      expect(w.dice).toBe(s.dice);
      if (s.nGtLesions > 0 && s.nPredLesions > 0) {
        expect(w.lesionSensitivity).toBe(s.lesionPpv);
        expect(w.lesionPpv).toBe(s.lesionSensitivity);
        expect(w.lesionF1).toBe(s.lesionF1);
        expect([w.tpGt, w.tpPred]).toEqual([s.tpPred, s.tpGt]);
      }
    }

    // Embedding both masks at an offset in a larger grid changes nothing but coordinates.
    const off: Vec3 = [2, 1, 3];
    const big: Vec3 = [shape[0] + 4, shape[1] + 3, shape[2] + 5];
    const embed = (m: Uint8Array): Uint8Array => {
      const out = emptyMask(big);
      for (let z = 0; z < shape[2]; z++)
        for (let y = 0; y < shape[1]; y++)
          for (let x = 0; x < shape[0]; x++) out[x + off[0] + big[0] * (y + off[1] + big[1] * (z + off[2]))] = m[x + shape[0] * (y + shape[1] * z)];
      return out;
    };
    const e = scorePatient({ data: embed(gt), shape: big, spacing }, { data: embed(pred), shape: big, spacing });
    for (const k of ['dice', 'lesionSensitivity', 'lesionPpv', 'lesionF1', 'nGtLesions', 'nPredLesions', 'predLesionVolumeMm3'] as const) {
      expect(e[k]).toEqual(s[k]);
    }
    e.gtLesions.forEach((l, k) => {
      expect(l.matched).toBe(s.gtLesions[k].matched);
      l.centroidVoxel.forEach((v, a) => expect(Math.abs(v - off[a] - s.gtLesions[k].centroidVoxel[a])).toBeLessThan(1e-9));
    });
  });

  it('binarises like Anima: values truncated toward zero, NaN is background', () => {
    const shape: Vec3 = [4, 4, 4];
    const f = new Float32Array(64);
    f.set([0.7, 1, 2, 0.999, NaN, -1], 0);
    const runs = extractRuns(f, shape);
    expect(runs.voxels).toBe(3); // 1, 2, -1
    expect(runs.otherValues.map(String)).toEqual(['0.699999988079071', '2', '0.9990000128746033', 'NaN', '-1']);
    expect(extractRuns(Uint8Array.of(0, 1, 1, 0, 1, 0, 0, 0), [2, 2, 2]).otherValues).toEqual([]);
    expect(Array.from(runs.start.subarray(0, runs.count))).toEqual([1, 1]); // x of the runs in rows 0 and 1 (X = 4)
  });

  it('reports world centroids through the affine', () => {
    const shape: Vec3 = [8, 8, 8];
    const m = emptyMask(shape);
    for (const i of [0, 1, 8, 9]) m[i + 64 * 2] = 1; // 2x2x1 square at z = 2, centroid (0.5, 0.5, 2)
    const affine = [
      [-2, 0, 0, 10],
      [0, 1, 0, -5],
      [0, 0, 3, 1],
      [0, 0, 0, 1],
    ];
    const s = scorePatient({ data: m, shape, spacing: [2, 1, 3], affine }, { data: m, shape, spacing: [2, 1, 3] });
    expect(s.gtLesions[0].centroidVoxel).toEqual([0.5, 0.5, 2]);
    expect(s.gtLesions[0].centroidWorld).toEqual([9, -4.5, 7]);
    expect(s.gtLesions[0].bboxMax).toEqual([1, 1, 2]);
  });

  it('rejects grids of different shapes', () => {
    expect(() =>
      scorePatient({ data: emptyMask([2, 2, 2]), shape: [2, 2, 2], spacing: [1, 1, 1] }, { data: emptyMask([2, 2, 3]), shape: [2, 2, 3], spacing: [1, 1, 1] }),
    ).toThrow(/2x2x2.*2x2x3/);
  });
});
