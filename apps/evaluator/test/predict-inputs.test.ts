// Issue 12 at the `evaluator predict` level: --data follows symbolic links to patient folders
// (fault 5), and a FLAIR with NaN voxels is refused naming the file instead of writing an empty
// mask and NaN probabilities with exit 0 (fault 2).
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NiftiError, writeNifti } from '@lesionseg/data';
import { selectBackend } from '@lesionseg/models';
import { createEvaluatorContainer } from '../src/container.ts';
import { parsePredictArgs } from '../src/predict/args.ts';
import { runPredict } from '../src/predict/run-predict.ts';
import { tinyPhantom, writeConstantCheckpoint, writeTinyDataset } from './fixtures.ts';

let root: string;
const f = (...p: string[]): string => join(root, ...p);
const quietLog = (): void => {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'predict-inputs-'));
  await selectBackend('cpu', { log: quietLog });
  await writeTinyDataset(f('all'), ['001', '002']);
  mkdirSync(f('subset'));
  symlinkSync(f('all', '002'), f('subset', '002'));
  const p = tinyPhantom(9);
  const nan = Float32Array.from(p.followup.data);
  for (let i = 0; i < 8; i++) nan[100 + 37 * i] = Number.NaN;
  await writeNifti(f('in/t1.nii.gz'), p.baseline, { datatype: 'float32' });
  await writeNifti(f('in/t2-nan.nii.gz'), { ...p.followup, data: nan }, { datatype: 'float32' });
  await writeConstantCheckpoint(f('ones'), 6, { spacingMm: null, patchSize: 8 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const predict = (args: string[]) => {
  const o = parsePredictArgs(['--backend', 'cpu', '--quiet', '--checkpoint', 'ones', ...args], root);
  if (o === 'help') throw new Error('unexpected help');
  return runPredict(createEvaluatorContainer(), o, { baseDir: root, log: quietLog });
};

describe('evaluator predict inputs (issue 12)', () => {
  it('fault 5: --data over a folder of symbolic links predicts the linked patients', async () => {
    const r = await predict(['--data', 'subset', '--out', 'out-subset']);
    expect(r.map((p) => p.patient)).toEqual(['002']);
    expect(existsSync(f('out-subset', '002.nii.gz'))).toBe(true);
  });

  it('fault 2: a FLAIR with 8 NaN voxels is refused naming the file and the count, and no mask is written', async () => {
    const e = await predict(['--flair1', 'in/t1.nii.gz', '--flair2', 'in/t2-nan.nii.gz', '--out', 'out/seg.nii.gz']).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(e).toBeInstanceOf(NiftiError);
    expect(e?.message).toMatch(new RegExp(`^${f('in/t2-nan.nii.gz')}: patient input: follow-up FLAIR has 8 of \\d+ voxels not finite \\(8 NaN, 0 infinite\\)`));
    expect(existsSync(f('out/seg.nii.gz'))).toBe(false);
  });
});
