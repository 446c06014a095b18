import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNifti, type Volume } from '@lesionseg/data';
import { scorePatient } from '@lesionseg/metrics';
import { beforeAll, describe, expect, it } from 'vitest';
import { axisCodes, closestCanonical, toCanonical } from '../src/orientation.ts';
import { OVERLAY_COLOURS, renderOverlayPanels } from '../src/overlay.ts';
import { patientFigure } from '../src/patient-figures.ts';
import { decodePng } from '../src/png.ts';
import { restore, type Storage } from './reorient.ts';

/**
 * One patient in RAS+ voxel order, anisotropic voxels (1 x 1.25 x 2 mm), with a bright marker
 * on the patient's right-anterior side so that any mirroring shows, a new lesion, and a
 * prediction that is partly off and has a false positive.
 */
const shape: [number, number, number] = [28, 24, 16];
const spacing: [number, number, number] = [1, 1.25, 2];
const affine = [
  [1, 0, 0, -14],
  [0, 1.25, 0, -15],
  [0, 0, 2, -16],
  [0, 0, 0, 1],
];
function make(f: (x: number, y: number, z: number) => number): Volume {
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < shape[2]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[0]; x++) data[x + shape[0] * (y + shape[1] * z)] = f(x, y, z);
  return { shape, spacing, affine, data };
}
const brain = (x: number, y: number, z: number) => ((x - 13.5) / 12) ** 2 + ((y - 11.5) / 10) ** 2 + ((z - 7.5) / 7) ** 2 < 1;
const marker = (x: number, y: number) => x >= 20 && x <= 23 && y >= 15 && y <= 18; // right (high x), anterior (high y)
const lesion = (x: number, y: number, z: number) => (x - 9) ** 2 + (y - 9) ** 2 + ((z - 8) * 2) ** 2 <= 6.5;
const baseline = make((x, y, z) => (brain(x, y, z) ? 300 + 3 * y + (marker(x, y) ? 400 : 0) : 0));
const followup = make((x, y, z) => baseline.data[x + shape[0] * (y + shape[1] * z)] + (lesion(x, y, z) ? 500 : 0));
const gt = make((x, y, z) => (lesion(x, y, z) ? 1 : 0));
const pred = make((x, y, z) => (lesion(x - 1, y, z) || ((x - 17) ** 2 + (y - 6) ** 2 <= 2 && z === 8) ? 1 : 0));

const STORAGES: Record<string, Storage> = {
  RAS: { perm: [0, 1, 2], flip: [false, false, false] },
  LAS: { perm: [0, 1, 2], flip: [true, false, false] },
  LPS: { perm: [0, 1, 2], flip: [true, true, false] },
  // Sagittal slices first (voxel axes posterior, superior, right) and rotated 20 degrees: an oblique scan.
  'PSR oblique': { perm: [1, 2, 0], flip: [true, false, false], obliqueDeg: 20 },
  // Sagittal-first, inferior first, no rotation.
  ASL: { perm: [1, 2, 0], flip: [false, false, true] },
};

let figures: Record<string, Buffer>;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'orientation-'));
  figures = {};
  for (const [name, s] of Object.entries(STORAGES)) {
    const files = { baseline: baseline, followup: followup, groundTruth: gt, prediction: pred };
    const paths: Record<string, string> = {};
    for (const [k, v] of Object.entries(files)) {
      paths[k] = join(dir, `${name.replace(' ', '-')}-${k}.nii.gz`);
      await writeNifti(paths[k], restore(v, s), { datatype: k === 'baseline' || k === 'followup' ? 'float32' : 'uint8' });
    }
    const g = restore(gt, s);
    const score = scorePatient(g, restore(pred, s));
    const fig = await patientFigure({ patient: '001', ...score }, paths as { baseline: string; followup: string; groundTruth: string; prediction: string });
    figures[name] = fig.png;
    if (process.env.SHOTS) (await import('node:fs')).writeFileSync(`${process.env.SHOTS}/orientation-${name.replace(' ', '-')}.png`, fig.png);
  }
}, 60_000);

describe('figures follow the affine, not the voxel order', () => {
  it('names the orientation of each stored copy as nibabel does', () => {
    expect(axisCodes(affine)).toBe('RAS');
    expect(Object.values(STORAGES).map((s) => axisCodes(restore(gt, s).affine))).toEqual(['RAS', 'LAS', 'LPS', 'PSR', 'ASL']);
  });

  it('draws pixel-identical PNGs for RAS, LAS, LPS, an oblique sagittal-first copy and ASL', () => {
    const ref = figures.RAS;
    expect(decodePng(ref).width).toBeGreaterThan(600);
    for (const [name, png] of Object.entries(figures)) expect({ name, same: png.equals(ref) }).toEqual({ name, same: true });
  });

  it('without reorientation the LAS copy would be mirrored (the test can fail)', () => {
    const las = restore(followup, STORAGES.LAS);
    const asIfRas = { ...las, affine };
    const a = renderOverlayPanels({ baseline: followup, followup, affine }, { slice: 8 }).panels[1];
    const b = renderOverlayPanels({ baseline: asIfRas, followup: asIfRas, affine }, { slice: 8 }).panels[1];
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(false);
  });

  it('is radiological: the right-sided marker is on the image left, the anterior one at the top', () => {
    const { panels } = renderOverlayPanels({ baseline, followup, affine }, { slice: 8 });
    const img = panels[0];
    let sx = 0;
    let sy = 0;
    let n = 0;
    let max = 0;
    for (let i = 0; i < img.data.length; i += 4) max = Math.max(max, img.data[i]);
    for (let r = 0; r < img.height; r++)
      for (let c = 0; c < img.width; c++) {
        if (img.data[(r * img.width + c) * 4] < max - 10) continue;
        sx += c;
        sy += r;
        n++;
      }
    expect(n).toBeGreaterThan(0);
    expect(sx / n).toBeLessThan(img.width / 2);
    expect(sy / n).toBeLessThan(img.height / 2);
    // 1 x 1.25 mm pixels keep their aspect: 28 mm wide, 30 mm high
    expect(img.height / img.width).toBeCloseTo(30 / 28, 1);
  });

  it('outlines ground truth and prediction in the two palette colours, and shares one window', () => {
    const { panels, window } = renderOverlayPanels({ baseline, followup, groundTruth: gt, prediction: pred, affine }, { slice: 8 });
    const count = (img: (typeof panels)[number], rgb: readonly number[]) => {
      let k = 0;
      for (let i = 0; i < img.data.length; i += 4) if (img.data[i] === rgb[0] && img.data[i + 1] === rgb[1] && img.data[i + 2] === rgb[2]) k++;
      return k;
    };
    expect(count(panels[2], OVERLAY_COLOURS.groundTruth)).toBeGreaterThan(20);
    expect(count(panels[2], OVERLAY_COLOURS.prediction)).toBeGreaterThan(20);
    expect(count(panels[1], OVERLAY_COLOURS.groundTruth) + count(panels[0], OVERLAY_COLOURS.prediction)).toBe(0);
    // The lesion is brighter than the brain on the follow-up: the shared window reaches it (baseline has no value that high but the marker).
    expect(window[1]).toBeGreaterThan(700);
    // Outlines, not filled blobs: the lesion's centre pixel stays grey.
    const img = panels[2];
    const c = toCanonical(gt, affine);
    expect(c.shape).toEqual(shape);
    const mid = (img.height / 2) | 0;
    const gray = Array.from({ length: img.width }, (_, col) => img.data[(mid * img.width + col) * 4 + 0] === img.data[(mid * img.width + col) * 4 + 2]).filter(
      Boolean,
    ).length;
    expect(gray).toBeGreaterThan(img.width * 0.8);
  });

  it('rejects a degenerate affine, naming the axis', () => {
    expect(() =>
      closestCanonical([
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ]),
    ).toThrow('voxel axis 1 of the affine has zero length');
  });
});
