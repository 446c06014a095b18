// Issue 12 at the trainer's data adapter: the training path lists, splits and preprocesses with the
// data library's input policy (faults 2, 5, 7, 18), the same rules predict, evaluate and score use.
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ensureEntry, MSSEG2_FILES, NiftiError, writeNifti } from '@lesionseg/data';
import type { PatientFiles, Vec3, Volume } from '@lesionseg/data';
import { indexDataset, splitDataset } from '../src/adapters/dataset.ts';

const shape: Vec3 = [8, 8, 6];
const vol = (f: (i: number) => number): Volume => ({
  shape,
  spacing: [1, 1, 1],
  affine: [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ],
  data: Float32Array.from({ length: 8 * 8 * 6 }, (_, i) => f(i)),
});

async function patient(dir: string, o: { flair2?: Volume; gt?: Volume; flairs?: boolean } = {}): Promise<void> {
  if (o.flairs !== false) {
    await writeNifti(
      join(dir, MSSEG2_FILES.baseline),
      vol((i) => 100 + (i % 7)),
      { datatype: 'float32' },
    );
    await writeNifti(join(dir, MSSEG2_FILES.followup), o.flair2 ?? vol((i) => 100 + (i % 5)), { datatype: 'float32' });
  }
  await writeNifti(join(dir, MSSEG2_FILES.groundTruth), o.gt ?? vol((i) => (i % 30 === 0 ? 1 : 0)), { datatype: 'uint8' });
}

describe('training data inputs (issue 12)', () => {
  it('faults 5 and 18: symlinked patient folders are trained on; a ground truth without FLAIRs is reported', async () => {
    const root = mkdtempSync(join(tmpdir(), 'train-inputs-'));
    await patient(join(root, 'store', 'a'));
    await patient(join(root, 'ds', 'b'));
    await patient(join(root, 'ds', 'c'), { flairs: false });
    symlinkSync(join(root, 'store', 'a'), join(root, 'ds', 'a'));
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const index = await indexDataset(join(root, 'ds'));
      expect(index.ids).toEqual(['a', 'b']);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        `warning: skipped ${join(root, 'ds', 'c')}: holds ${MSSEG2_FILES.groundTruth} but neither ${MSSEG2_FILES.baseline} nor ${MSSEG2_FILES.followup}\n`,
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('fault 7: a {0,255} ground truth stops the split with the file named (score refuses it the same way)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'train-gt-'));
    await patient(join(root, 'a'));
    await patient(join(root, 'b'), { gt: vol((i) => (i % 30 === 0 ? 255 : 0)) });
    const index = await indexDataset(root);
    await expect(splitDataset(index, 0.5, 1)).rejects.toThrow(
      new NiftiError(join(root, 'b', MSSEG2_FILES.groundTruth), 'patient b: ground-truth mask is not binary: found value 255 besides 0 and 1 (in 13 voxels)'),
    );
  });

  it('fault 2: a FLAIR with NaN voxels is refused when the patient is preprocessed into the cache, naming the file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'train-nan-'));
    mkdirSync(join(root, 'a'));
    await patient(join(root, 'a'), { flair2: vol((i) => (i === 17 ? Number.NaN : 100)) });
    const index = await indexDataset(root);
    await expect(ensureEntry(index.files.get('a') as PatientFiles, { dir: join(root, 'cache'), spacingMm: 1, margin: 4 })).rejects.toThrow(
      /flair_time02_on_middle_space\.nii\.gz: patient a: follow-up FLAIR has 1 of 384 voxels not finite \(1 NaN, 0 infinite\)/,
    );
  });
});
