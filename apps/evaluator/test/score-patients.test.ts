// `evaluator score --patients SPEC`: score a subset of the ground-truth patients; only they need a prediction.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNifti, type Vec3 } from '@lesionseg/data';
import { parseScoreArgs, UsageError } from '../src/score/args.ts';
import { runScore } from '../src/score/run-score.ts';

const shape: Vec3 = [8, 8, 4];
const vol = (lesion: boolean) => {
  const data = new Float32Array(8 * 8 * 4);
  if (lesion) for (let i = 0; i < 16; i++) data[i] = 1;
  return {
    shape,
    spacing: [1, 1, 1] as Vec3,
    affine: [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    data,
  };
};

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'score-patients-'));
  // Three GT patients, predictions for 01 and 03 only (02 was not predicted: a held-out subset).
  for (const id of ['01', '02', '03']) await writeNifti(join(root, 'gt', id, 'ground_truth.nii.gz'), vol(true), { datatype: 'uint8' });
  await writeNifti(join(root, 'pred/01.nii.gz'), vol(true), { datatype: 'uint8' });
  await writeNifti(join(root, 'pred/03.nii.gz'), vol(false), { datatype: 'uint8' });
  writeFileSync(join(root, 'split.json'), JSON.stringify({ train: ['02'], validation: ['03', '01'] }));
  writeFileSync(join(root, 'ids.json'), JSON.stringify(['03']));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const score = async (extra: string[]) => {
  const o = parseScoreArgs(['--gt', 'gt', '--pred', 'pred', '--out', 'out/r.json', '--quiet', ...extra], root);
  if (o === 'help') throw new Error('unexpected help');
  return runScore(o);
};

describe('evaluator score --patients', () => {
  it('without --patients every ground truth needs a prediction', async () => {
    await expect(score([])).rejects.toThrow(/missing prediction for 1 of 3 patients: .*pred\/02\.nii\.gz/);
  });

  it('scores only the listed ids, in the order given', async () => {
    const r = await score(['--patients', '03,01']);
    expect(r.patients.map((p) => [p.patient, p.dice])).toEqual([
      ['03', 0],
      ['01', 1],
    ]);
  });

  it('reads a run split (--run) and a JSON list relative to the user folder', async () => {
    expect((await score(['--patients', 'validation', '--run', '.'])).patients.map((p) => p.patient)).toEqual(['03', '01']);
    expect((await score(['--patients', 'ids.json'])).patients.map((p) => p.patient)).toEqual(['03']);
    expect((await score(['--patients', 'split.json:validation'])).patients).toHaveLength(2);
  });

  it('a selected patient without a prediction, an unknown id, or validation without --run are errors', async () => {
    await expect(score(['--patients', '01,02'])).rejects.toThrow(/missing prediction for 1 of 2 selected patients: .*02\.nii\.gz/);
    await expect(score(['--patients', '01,77'])).rejects.toThrow(/--patients 01,77: not in the dataset: 77/);
    await expect(score(['--patients', 'validation'])).rejects.toThrow(/score was given no --run RUN_DIR/);
    await expect(score(['--patients', 'train', '--run', '.'])).rejects.toThrow(/missing prediction for 1 of 1 selected/);
  });

  it('refuses --patients with single files, and an empty spec', async () => {
    const o = parseScoreArgs(['--gt', 'gt/01/ground_truth.nii.gz', '--pred', 'pred/01.nii.gz', '--out', 'x.json', '--patients', '01'], root);
    if (o === 'help') throw new Error('unexpected help');
    await expect(runScore(o)).rejects.toThrow(/--patients needs folders/);
    expect(() => parseScoreArgs(['--gt', 'a', '--pred', 'b', '--out', 'c', '--patients', ''], root)).toThrow(UsageError);
  });
});
