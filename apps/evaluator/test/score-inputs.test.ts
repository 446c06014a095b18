// Issue 12 on `evaluator score`'s inputs: symlinked patient folders (fault 5), folders that are
// not patients reported (5), voxel sizes from the affine and refused when zero or NaN (6), the
// data library's mask rule (7), and two predictions for one patient.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { NiftiError, writeNifti } from '@lesionseg/data';
import type { Vec3 } from '@lesionseg/data';
import { parseScoreArgs } from '../src/score/args.ts';
import { InputError } from '../src/score/inputs.ts';
import { runScore } from '../src/score/run-score.ts';

const shape: Vec3 = [12, 12, 8];
const affine = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];
const n = 12 * 12 * 8;
/** One 4x4x4 = 64 mm3 lesion: well above the 3 mm3 limit on 1 mm voxels. */
const lesion = (value = 1): Float32Array => {
  const m = new Float32Array(n);
  for (let z = 2; z < 6; z++) for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) m[x + 12 * (y + 12 * z)] = value;
  return m;
};
const write = (path: string, data: Float32Array) => writeNifti(path, { shape, spacing: [1, 1, 1], affine, data }, { datatype: 'uint8' });

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'score-inputs-'));
  await write(join(root, 'all/001/ground_truth.nii.gz'), lesion());
  await write(join(root, 'all/002/ground_truth.nii.gz'), lesion());
  await write(join(root, 'pred/001.nii.gz'), lesion());
  await write(join(root, 'pred/002.nii.gz'), lesion());
});

async function score(gt: string, pred: string) {
  const o = parseScoreArgs(['--gt', gt, '--pred', pred, '--out', `out-${Math.random().toString(36).slice(2)}/r.json`, '--quiet'], root);
  if (o === 'help') throw new Error('unexpected help');
  return runScore(o);
}

describe('score inputs (issue 12)', () => {
  it('fault 5: follows a symbolic link to a patient folder, and reports a folder that is not a patient', async () => {
    mkdirSync(join(root, 'subset/derivatives'), { recursive: true });
    symlinkSync(join(root, 'all/002'), join(root, 'subset/002'));
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const r = await score('subset', 'pred');
      expect(r.patients.map((p) => [p.patient, p.lesionF1])).toEqual([['002', 1]]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toContain(
        `warning: skipped ${join(root, 'subset/derivatives')}: no ground_truth.nii.gz (not a patient folder)\n`,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('fault 6: a ground truth with pixdim 0 (qform in use) is refused naming the file, not scored F1 0', async () => {
    mkdirSync(join(root, 'pix0/001'), { recursive: true });
    const gt = join(root, 'pix0/001/ground_truth.nii');
    await write(gt, lesion());
    const b = readFileSync(gt);
    b.writeInt16LE(0, 254); // sform_code 0: the qform (and pixdim) is the affine in use
    b.writeFloatLE(0, 76 + 4); // pixdim[1] = 0
    writeFileSync(gt, b);
    copyFileSync(gt, join(root, 'pix0/001/ground_truth.nii.gz')); // the name score looks for (content is read by magic)
    mkdirSync(join(root, 'pix0pred'));
    copyFileSync(gt, join(root, 'pix0pred/001.nii')); // a perfect prediction: the same file
    const e = await score('pix0', 'pix0pred').then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(e).toBeInstanceOf(NiftiError);
    expect(e?.message).toMatch(new RegExp(`^${join(root, 'pix0/001/ground_truth.nii.gz')}: the qform \\(qform_code \\d\\) gives voxel size \\[0, 1, 1\\] mm`));
  });

  it('fault 7: a {0,2} ground truth is refused with the data library rule and wording (as train refuses it)', async () => {
    await write(join(root, 'two/001/ground_truth.nii.gz'), lesion(2));
    const gt = join(root, 'two/001/ground_truth.nii.gz');
    await expect(score('two', 'pred')).rejects.toThrow(new NiftiError(gt, 'ground-truth mask is not binary: found value 2 besides 0 and 1 (in 64 voxels)'));
    await expect(score('two', 'pred')).rejects.toBeInstanceOf(NiftiError);
  });

  it('X.nii beside X.nii.gz is two predictions for one patient, not an unmatched file', async () => {
    await write(join(root, 'both/001.nii.gz'), lesion());
    await write(join(root, 'both/001.nii'), lesion());
    await write(join(root, 'both/002.nii.gz'), lesion());
    await expect(score('all', 'both')).rejects.toThrow(
      new InputError(`two predictions for one patient (remove one): ${join(root, 'both/001.nii.gz')} and 001.nii`),
    );
  });
});
