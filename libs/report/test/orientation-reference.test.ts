import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axisCodes, closestCanonical, toCanonical } from '../src/orientation.ts';

/** Made by tools/reference/orientation_reference.py with nibabel (aff2axcodes, io_orientation, as_closest_canonical). */
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'tools', 'reference', 'fixtures', 'report', 'orientation.json'), 'utf8'),
) as {
  shape: [number, number, number];
  cases: { affine: number[][]; axcodes: string; ornt: [number, number][]; canonicalShape: number[]; canonicalData: number[] }[];
};

describe('orientation against nibabel', () => {
  it('finds nibabel’s closest canonical axes for permuted, flipped and oblique affines', () => {
    expect(fixture.cases.length).toBe(24);
    for (const c of fixture.cases) {
      const m = closestCanonical(c.affine);
      const ours = c.ornt.map((_, j) => {
        const i = m.axis.indexOf(j);
        return [i, m.flip[i] ? -1 : 1];
      });
      expect({ affine: c.affine, ornt: ours }).toEqual({ affine: c.affine, ornt: c.ornt });
      expect(axisCodes(c.affine)).toBe(c.axcodes);
    }
  });

  it('reorders the voxels exactly as as_closest_canonical does', () => {
    const data = Float32Array.from({ length: fixture.shape[0] * fixture.shape[1] * fixture.shape[2] }, (_, i) => i);
    for (const c of fixture.cases) {
      const canon = toCanonical({ shape: fixture.shape, data }, c.affine);
      expect(canon.shape).toEqual(c.canonicalShape);
      expect(Array.from(canon.data)).toEqual(c.canonicalData);
    }
  });
});
