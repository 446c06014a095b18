import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encodeNifti, readNifti, writeNifti, NiftiError } from '../src/index.ts';
import type { Volume } from '../src/index.ts';
import { fixture } from './fixtures.ts';
import { writtenCases } from './written-cases.ts';

interface NibabelReading {
  shape: number[];
  datatype: string;
  affine: number[][];
  qform: number[][];
  sform: number[][];
  nibabel_qform_of_sform: number[][];
  qform_code: number;
  sform_code: number;
  descrip: string;
  values: number[];
  niftilib: { qto_xyz: number[][]; sto_xyz: number[][]; check: string };
}
const nibabel = JSON.parse(readFileSync(fixture('written/nibabel.json'), 'utf8')) as { files: Record<string, NibabelReading> };

function maxDiff(a: number[][], b: number[][]): number {
  let d = 0;
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a[r][c] - b[r][c]));
  return d;
}

describe('writeNifti output as nibabel reads it', () => {
  for (const c of writtenCases()) {
    it(`${c.name}: nibabel sees our affine, both xforms, datatype and values`, () => {
      const nib = nibabel.files[c.name];
      expect(nib.shape).toEqual(c.volume.shape);
      expect(nib.datatype).toBe(c.datatype);
      expect(nib.descrip).toBe(c.description);
      expect(nib.qform_code).toBeGreaterThan(0);
      expect(nib.sform_code).toBeGreaterThan(0);
      // sform holds the affine at float32 precision.
      expect(maxDiff(nib.affine, c.volume.affine)).toBeLessThan(1e-6);
      expect(maxDiff(nib.sform, c.volume.affine)).toBeLessThan(1e-6);
      // Our qform is what nibabel itself would store for this affine.
      expect(maxDiff(nib.qform, nib.nibabel_qform_of_sform)).toBeLessThan(1e-6);
      const want = c.datatype === 'float32' ? Array.from(c.volume.data) : Array.from(c.volume.data, Math.round);
      expect(nib.values).toEqual(want);
    });

    it(`${c.name}: niftilib (the C library under ITK's NIfTI reader) finds it valid, with the same xforms`, () => {
      const lib = nibabel.files[c.name].niftilib;
      expect(lib.check).toBe('header IS GOOD / nifti_image IS GOOD');
      // nifti_tool prints 6 significant digits.
      expect(maxDiff(lib.sto_xyz, c.volume.affine)).toBeLessThan(1e-5);
      expect(maxDiff(lib.qto_xyz, nibabel.files[c.name].qform)).toBeLessThan(1e-5);
    });

    it(`${c.name}: the writer still produces the bytes nibabel checked`, () => {
      const committed = readFileSync(fixture(`written/${c.name}`));
      const raw = c.name.endsWith('.gz') ? gunzipSync(committed) : committed;
      const ours = encodeNifti(c.name, c.volume, { datatype: c.datatype, description: c.description });
      expect(Buffer.compare(Buffer.from(ours), raw)).toBe(0);
    });
  }
});

describe('writeNifti round trips', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lesionseg-nifti-'));

  it('is exact through our reader for float32 (gz) and uint8/int16 (nii)', async () => {
    for (const c of writtenCases()) {
      const path = join(dir, c.name);
      await writeNifti(path, c.volume, { datatype: c.datatype });
      const back = await readNifti(path);
      expect(back.datatype).toBe(c.datatype);
      expect(back.shape).toEqual(c.volume.shape);
      const want = c.datatype === 'float32' ? c.volume.data : Float32Array.from(c.volume.data, Math.round);
      expect(Buffer.compare(Buffer.from(back.data.buffer), Buffer.from(want.buffer))).toBe(0);
      // float32 srow: the affine comes back rounded to float32, nothing worse.
      expect(maxDiff(back.affine, c.volume.affine)).toBeLessThan(1e-6);
    }
  });

  it('with a template keeps its geometry fields bit for bit and its codes', async () => {
    const src = await readNifti(fixture('both_codes.nii.gz'));
    const mask: Volume = { ...src, data: src.data.map((v) => (v > 0.5 ? 1 : 0)) };
    const path = join(dir, 'mask.nii.gz');
    await writeNifti(path, mask, { datatype: 'uint8', template: src });
    const back = await readNifti(path);
    expect(back.affine).toEqual(src.affine);
    expect(back.header.sformCode).toBe(src.header.sformCode);
    expect(back.header.qformCode).toBe(src.header.qformCode);
    expect(back.header.quatern).toEqual(src.header.quatern);
    expect(back.header.srow).toEqual(src.header.srow);
    expect(back.header.description).toBe(src.header.description);
    expect(Array.from(back.data)).toEqual(Array.from(mask.data));
  });

  it('leaves no temporary file behind and refuses a bad extension or values out of range', async () => {
    const v = writtenCases()[1].volume;
    await expect(writeNifti(join(dir, 'x.img'), v)).rejects.toThrow(/x\.img: output name must end in \.nii or \.nii\.gz/);
    const big: Volume = { ...v, data: v.data.map((x) => x * 300) };
    await expect(writeNifti(join(dir, 'big.nii'), big, { datatype: 'uint8' })).rejects.toThrow(NiftiError);
    await expect(writeNifti(join(dir, 'big.nii'), big, { datatype: 'uint8' })).rejects.toThrow(/does not fit uint8/);
    const short: Volume = { ...v, data: new Float32Array(3) };
    await expect(writeNifti(join(dir, 'short.nii'), short)).rejects.toThrow(/data has 3 values but shape \[6, 5, 4\] needs 120/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
