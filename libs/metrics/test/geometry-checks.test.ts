// Issue 12, fault 6: a zero or NaN voxel size scored a perfect prediction as lesion F1 0 (every
// lesion "smaller than 3 mm3"); it is now a named error.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '@lesionseg/data';
import { GeometryError, scorePatient } from '../src/index.ts';
import { emptyMask } from './masks.ts';

const shape: Vec3 = [10, 10, 10];
const mask = emptyMask(shape);
for (let z = 2; z < 6; z++) for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) mask[x + 10 * (y + 10 * z)] = 1;

describe('scorePatient refuses a voxel size or affine that measures nothing', () => {
  it('a perfect prediction on 1 mm voxels scores F1 1 (the control)', () => {
    expect(scorePatient({ data: mask, shape, spacing: [1, 1, 1] }, { data: mask, shape, spacing: [1, 1, 1] }).lesionF1).toBe(1);
  });

  for (const spacing of [
    [0, 1, 1],
    [Number.NaN, 1, 1],
    [1, -1, 1],
    [1, 1, Number.POSITIVE_INFINITY],
  ] as Vec3[]) {
    it(`ground-truth spacing [${spacing.join(', ')}]`, () => {
      expect(() => scorePatient({ data: mask, shape, spacing }, { data: mask, shape, spacing: [1, 1, 1] })).toThrow(
        new GeometryError(`ground-truth voxel size [${spacing.join(', ')}] mm must be finite and > 0`),
      );
    });
  }

  it('a NaN affine', () => {
    const affine = [
      [Number.NaN, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    expect(() => scorePatient({ data: mask, shape, spacing: [1, 1, 1], affine }, { data: mask, shape, spacing: [1, 1, 1] })).toThrow(
      /ground-truth affine has non-finite entries/,
    );
  });
});
