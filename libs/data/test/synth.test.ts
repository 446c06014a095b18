import { describe, expect, it } from 'vitest';
import { generatePhantom, phantomOptions, preprocessPatient, predictionToOriginalMask, Tissue } from '../src/index.ts';
import type { Phantom } from '../src/index.ts';
import { componentSizes, dice, missedComponents } from './components.ts';

const small = phantomOptions('quick', { shape: [40, 40, 36], newLesions: [3, 4], noNewLesionProbability: 0 });

function stats(p: Phantom): { inside: [number, number]; outsideDiff: number } {
  let ib = 0;
  let iff = 0;
  let n = 0;
  let diff = 0;
  let m = 0;
  const { baseline: b, followup: f, groundTruth: t } = p;
  for (let i = 0; i < t.data.length; i++) {
    if (t.data[i] > 0.5) {
      ib += b.data[i];
      iff += f.data[i];
      n++;
    } else if (b.data[i] > 100) {
      diff += Math.abs(f.data[i] - b.data[i]) / b.data[i];
      m++;
    }
  }
  return { inside: [ib / n, iff / n], outsideDiff: diff / m };
}

describe('generatePhantom', () => {
  const p = generatePhantom(123, small);

  it('is reproducible from its seed and differs between seeds', () => {
    const again = generatePhantom(123, small);
    expect(Buffer.compare(Buffer.from(again.followup.data.buffer), Buffer.from(p.followup.data.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(again.groundTruth.data.buffer), Buffer.from(p.groundTruth.data.buffer))).toBe(0);
    const other = generatePhantom(124, small);
    expect(Buffer.compare(Buffer.from(other.baseline.data.buffer), Buffer.from(p.baseline.data.buffer))).not.toBe(0);
  });

  it('puts new lesions only in the follow-up, hyperintense, and the ground truth on them', () => {
    expect(p.info.newLesions.length).toBeGreaterThanOrEqual(1);
    expect(p.info.newLesionVoxels).toBe(p.groundTruth.data.reduce((s, v) => s + v, 0));
    const s = stats(p);
    expect(s.inside[1] / s.inside[0]).toBeGreaterThan(1.3);
    // Elsewhere the time points differ only by noise, drift and slight misalignment.
    expect(s.outsideDiff).toBeLessThan(0.15);
    expect(componentSizes(p.groundTruth.data, p.groundTruth.shape).length).toBeGreaterThanOrEqual(1);
  });

  it('has FLAIR-like contrast: CSF and ventricles dark, white matter darker than grey matter', () => {
    const lab = generatePhantom(123, small, { labels: true });
    const labels = lab.labels as Uint8Array;
    const mean = (t: number): number => {
      let s = 0;
      let n = 0;
      labels.forEach((l, i) => {
        if (l === t && lab.groundTruth.data[i] === 0) {
          s += lab.baseline.data[i];
          n++;
        }
      });
      expect(n).toBeGreaterThan(20);
      return s / n;
    };
    const [csf, ventricle, wm, gm] = [Tissue.Csf, Tissue.Ventricle, Tissue.Wm, Tissue.Gm].map(mean);
    expect(ventricle).toBeLessThan(0.3 * wm);
    expect(csf).toBeLessThan(0.5 * wm);
    expect(wm).toBeLessThan(0.85 * gm);
    // The same seed without labels gives the same image (labels are only a read-out).
    expect(lab.info.baselineLesions).toBeGreaterThan(0);
    expect(Buffer.compare(Buffer.from(lab.baseline.data.buffer), Buffer.from(p.baseline.data.buffer))).toBe(0);
  });

  it('makes patients without new lesions when asked, with an empty ground truth', () => {
    const none = generatePhantom(5, { ...small, noNewLesionProbability: 1 });
    expect(none.info.newLesions).toEqual([]);
    expect(none.groundTruth.data.every((v) => v === 0)).toBe(true);
  });

  it('supports anisotropic voxels with matching affine and shape', () => {
    const thick = generatePhantom(9, { ...small, shape: [40, 40, 16], spacing: [1, 1, 2.5] });
    expect(thick.baseline.affine[2][2]).toBe(2.5);
    expect(thick.baseline.data.length).toBe(40 * 40 * 16);
    // Per-lesion voxel counts add up to the ground truth, sub-sampled voxels included.
    expect(thick.info.newLesions.reduce((s, l) => s + l.voxels, 0)).toBe(thick.info.newLesionVoxels);
    expect(thick.info.newLesionVoxels).toBe(thick.groundTruth.data.reduce((s, v) => s + v, 0));
  });
});

describe('preprocessing round trip on a phantom', () => {
  for (const spacing of [
    [1, 1, 1],
    [1.2, 1.2, 2],
  ] as const) {
    it(`[${spacing.join(', ')}] mm -> 0.5 mm -> original: Dice >= 0.99, no lesion > 3 mm3 lost`, () => {
      const ph = generatePhantom(77, { ...small, spacing: [...spacing], shape: [40, 40, spacing[2] > 1 ? 20 : 36] });
      const pre = preprocessPatient({ id: 'rt', baseline: ph.baseline, followup: ph.followup, mask: ph.groundTruth });
      const back = predictionToOriginalMask(Float32Array.from(pre.mask), pre.grid);
      expect(back.shape).toEqual(ph.groundTruth.shape);
      expect(dice(back.data, ph.groundTruth.data)).toBeGreaterThanOrEqual(0.99);
      const voxelMm3 = spacing[0] * spacing[1] * spacing[2];
      const lost = missedComponents(ph.groundTruth.data, back.data, ph.groundTruth.shape).filter((n) => n * voxelMm3 > 3);
      expect(lost).toEqual([]);
      expect(ph.groundTruth.data.some((v) => v > 0)).toBe(true);
    });
  }
});

describe('phantomOptions', () => {
  it('applies difficulty, then overrides, and names a bad key', () => {
    const hard = phantomOptions('quick', { noise: 0.01 }, 'hard');
    expect(hard.lesionContrast).toEqual([1.2, 1.5]);
    expect(hard.noise).toBe(0.01);
    expect(hard.shape).toEqual([64, 64, 64]);
    expect(() => phantomOptions('quick', { newLesionRadiusMm: [3, 1] })).toThrow(/phantom option newLesionRadiusMm = \[3,1\]: needs 0 < min <= max/);
    expect(() => phantomOptions('quick', { shape: [8, 64, 64] })).toThrow(/phantom option shape/);
    expect(() => phantomOptions('huge' as 'quick')).toThrow(/unknown phantom preset "huge"/);
  });
});
