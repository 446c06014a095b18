// Agreement with an independent implementation (scipy.ndimage.label + numpy counting, written
// from the spec): tools/reference/score_reference.py -> fixtures/metrics/random_cases.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '@lesionseg/data';
import { scorePatient } from '../src/index.ts';
import type { ScoreParams } from '../src/index.ts';

interface RefLesion {
  voxels: number;
  centroidVoxel: Vec3;
  matched?: boolean;
  examined?: number[];
}
interface RefCase {
  shape: Vec3;
  spacing: Vec3;
  params: ScoreParams;
  gt: number[];
  pred: number[];
  expected: Record<string, unknown> & { gtLesions: RefLesion[]; predLesions: RefLesion[]; sensitivityNaN?: boolean };
}

const file = new URL('../../../tools/reference/fixtures/metrics/random_cases.json', import.meta.url);
const cases = (JSON.parse(readFileSync(file, 'utf8')) as { cases: RefCase[] }).cases;

function mask(shape: Vec3, idx: number[]): Uint8Array {
  const m = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (const i of idx) m[i] = 1;
  return m;
}

const close = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)));

describe('agreement with the scipy reference on random masks', () => {
  it('has enough varied cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(cases.some((c) => c.expected.gtEmpty)).toBe(true);
    expect(cases.some((c) => c.expected.sensitivityNaN)).toBe(true);
    expect(cases.some((c) => (c.expected.tpGt as number) > 0)).toBe(true);
  });

  it.each(cases.map((c, k) => [k, c] as const))('case %i', (_k, c) => {
    const s = scorePatient(
      { data: mask(c.shape, c.gt), shape: c.shape, spacing: c.spacing },
      { data: mask(c.shape, c.pred), shape: c.shape, spacing: c.spacing },
      c.params,
    );
    const e = c.expected;
    for (const key of ['gtEmpty', 'nGtLesions', 'nPredLesions', 'tpGt', 'tpPred', 'minLesionVoxels', 'gtSmallComponents', 'predSmallComponents']) {
      expect(s[key as keyof typeof s], key).toBe(e[key]);
    }
    for (const key of ['dice', 'lesionPpv', 'lesionF1', 'predLesionVolumeMm3']) {
      expect(close(s[key as keyof typeof s], e[key]), `${key}: ${String(s[key as keyof typeof s])} vs ${String(e[key])}`).toBe(true);
    }
    if (e.sensitivityNaN) expect(s.lesionSensitivity).toBeNaN();
    else expect(close(s.lesionSensitivity, e.lesionSensitivity), 'lesionSensitivity').toBe(true);
    const cmp = (ours: typeof s.gtLesions, ref: RefLesion[]): void => {
      expect(ours.length).toBe(ref.length);
      ours.forEach((l, k) => {
        expect(l.voxels).toBe(ref[k].voxels);
        l.centroidVoxel.forEach((v, a) => expect(Math.abs(v - ref[k].centroidVoxel[a])).toBeLessThan(1e-9));
        if (ref[k].matched !== undefined) expect(l.matched).toBe(ref[k].matched);
        if (ref[k].examined !== undefined) expect(l.examined).toEqual(ref[k].examined);
      });
    };
    cmp(s.gtLesions, e.gtLesions);
    cmp(s.predLesions, e.predLesions);
  });
});
