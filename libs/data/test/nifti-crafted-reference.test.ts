// The crafted files of tools/reference/nifti_crafted.py (nibabel wrote them and recorded what it
// does with each): our reader and input policy refuse every one with the file named, agreeing with
// nibabel where nibabel refuses (vox_offset 348) and stricter where nibabel reads silently.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkBinaryMask, checkFiniteVoxels, NiftiError, readNifti } from '../src/index.ts';
import { fixture } from './fixtures.ts';

interface Verdict {
  why: string;
  loads: boolean;
  error?: string;
  zooms?: (number | null)[];
  affine?: (number | null)[][];
  nonFinite?: number;
}
const ref = JSON.parse(readFileSync(fixture('crafted/nibabel.json'), 'utf8')) as { cases: Record<string, Verdict> };

/** What we do with each file: the reader's refusal, or the input-policy check that refuses it. */
const ours: Record<string, { nibabelLoads: boolean; refusal: RegExp; policy?: 'finite' | 'binary' }> = {
  'offset_348.nii': { nibabelLoads: false, refusal: /invalid vox_offset 348: a single-file NIfTI-1 image needs an integer >= 352/ },
  'nan_sform.nii.gz': { nibabelLoads: true, refusal: /the sform \(sform_code 2\) has non-finite entries/ },
  'nan_pixdim.nii.gz': { nibabelLoads: true, refusal: /non-finite voxel size in pixdim \[NaN, 1, 1\.5\]/ },
  'zero_pixdim_qform.nii.gz': { nibabelLoads: true, refusal: /the qform \(qform_code 1\) gives voxel size \[0, 1, 1\.5\] mm/ },
  'trailing_zeros.nii.gz': { nibabelLoads: true, refusal: /at least \d+ bytes of data after the image \(7x6x5 float32 = 840 bytes from offset 352\)/ },
  'nan_voxels.nii.gz': { nibabelLoads: true, refusal: /FLAIR has 8 of 210 voxels not finite \(8 NaN, 0 infinite\)/, policy: 'finite' },
  'mask_0_255.nii.gz': { nibabelLoads: true, refusal: /ground-truth mask is not binary: found value 255 besides 0 and 1 \(in 12 voxels\)/, policy: 'binary' },
};

describe('crafted files (issue 12) against nibabel 5 verdicts', () => {
  it('every crafted file has a verdict and an expectation', () => {
    expect(Object.keys(ref.cases).sort()).toEqual(Object.keys(ours).sort());
  });

  for (const [name, want] of Object.entries(ours)) {
    it(`${name}: ${ref.cases[name]?.why}`, async () => {
      const path = fixture(`crafted/${name}`);
      expect(ref.cases[name].loads).toBe(want.nibabelLoads);
      const refused = async (): Promise<Error> => {
        if (!want.policy)
          return readNifti(path).then(
            () => new Error('read without complaint'),
            (e: unknown) => e as Error,
          );
        const img = await readNifti(path); // the reader reads these; the input policy refuses them
        try {
          if (want.policy === 'finite') checkFiniteVoxels(img, 'FLAIR');
          else checkBinaryMask(img, 'ground-truth mask');
        } catch (e) {
          return e as Error;
        }
        return new Error('accepted');
      };
      const e = await refused();
      expect(e).toBeInstanceOf(NiftiError);
      expect(e.message.startsWith(`${path}: `)).toBe(true);
      expect(e.message).toMatch(want.refusal);
    });
  }

  it('nibabel counts the same 8 NaN voxels, and its affine keeps the sform NaN it reads silently', () => {
    expect(ref.cases['nan_voxels.nii.gz'].nonFinite).toBe(8);
    expect(ref.cases['nan_sform.nii.gz'].affine?.[0][1]).toBeNull(); // nibabel's affine holds the NaN
  });
});
