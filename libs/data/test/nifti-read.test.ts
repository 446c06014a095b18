import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readNifti, NiftiError } from '../src/index.ts';
import { fixture } from './fixtures.ts';

interface Expected {
  why: string;
  error?: boolean;
  shape: number[];
  zooms: number[];
  affine: number[][];
  datatype: string;
  min: number;
  max: number;
  sum: number;
  mean: number;
  values: number[];
}
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as { cases: Record<string, Expected> };

describe('readNifti against nibabel 5.0 readings', () => {
  for (const [name, want] of Object.entries(expected.cases)) {
    if (want.error) continue;
    it(`${name}: ${want.why}`, async () => {
      const img = await readNifti(fixture(name));
      expect(img.shape).toEqual(want.shape);
      expect(img.datatype).toBe(want.datatype);
      // spacing is the voxel size of the affine in use (its column norms), not pixdim: the two
      // differ for sforms that disagree with pixdim, and the affine is what the voxels measure.
      for (let i = 0; i < 3; i++) expect(img.spacing[i]).toBeCloseTo(Math.hypot(want.affine[0][i], want.affine[1][i], want.affine[2][i]), 6);
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) expect(Math.abs(img.affine[r][c] - want.affine[r][c])).toBeLessThan(1e-6);
      }
      // Every voxel: nibabel computes in float64, we store float32, so compare to float32 rounding.
      expect(img.data.length).toBe(want.values.length);
      let worst = 0;
      for (let i = 0; i < want.values.length; i++) {
        worst = Math.max(worst, Math.abs(img.data[i] - Math.fround(want.values[i])));
      }
      expect(worst).toBe(0);
      // Statistics of the scaled values, within float32 rounding of each value.
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const v of img.data) {
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const tol = 1e-7 * Math.max(1, Math.abs(want.max), Math.abs(want.min));
      expect(Math.abs(sum - want.sum)).toBeLessThanOrEqual(tol * want.values.length);
      expect(Math.abs(min - want.min)).toBeLessThanOrEqual(tol);
      expect(Math.abs(max - want.max)).toBeLessThanOrEqual(tol);
    });
  }

  it('refuses a 4-D file with two volumes, naming the file and its dimensions', async () => {
    const path = fixture('multi_4d.nii.gz');
    const err = await readNifti(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NiftiError);
    expect((err as NiftiError).path).toBe(path);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/4 dimensions \[7, 6, 5, 2\]/);
  });
});
