import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixture } from './fixtures.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;

describe('tools/nifti-info.ts', () => {
  it('prints one JSON object whose numbers equal nibabel readings of the scaled file', () => {
    const out = execFileSync(tsx, [`${root}tools/nifti-info.ts`, fixture('scaled_int16.nii.gz')], { encoding: 'utf8' });
    const info = JSON.parse(out) as {
      shape: number[];
      spacing: number[];
      affine: number[][];
      datatype: string;
      min: number;
      max: number;
      sum: number;
      mean: number;
    };
    const want = (
      JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as {
        cases: Record<string, { shape: number[]; affine: number[][]; min: number; max: number; sum: number; mean: number }>;
      }
    ).cases['scaled_int16.nii.gz'];
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(info.shape).toEqual(want.shape);
    expect(info.datatype).toBe('int16');
    expect(info.min).toBe(want.min);
    expect(info.max).toBe(want.max);
    expect(info.sum).toBeCloseTo(want.sum, 6);
    expect(info.mean).toBeCloseTo(want.mean, 9);
    info.affine.flat().forEach((v, i) => expect(Math.abs(v - want.affine.flat()[i])).toBeLessThan(1e-6));
  });

  it('exits 1 with the file name and problem on stderr for a non-NIfTI file', () => {
    let err: { status: number; stderr: string } | undefined;
    try {
      execFileSync(tsx, [`${root}tools/nifti-info.ts`, fixture('expected.json')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      err = e as { status: number; stderr: string };
    }
    expect(err?.status).toBe(1);
    expect(err?.stderr).toMatch(/expected\.json: not a NIfTI file/);
  });
});
