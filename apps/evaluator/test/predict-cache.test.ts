// predict --data reads the patients through the preprocessed cache (the trainer's): the entry is
// built once, reused after, and the prediction is the one predict makes from the files.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CacheEntry, readNifti } from '@lesionseg/data';
import { selectBackend } from '@lesionseg/models';
import { createEvaluatorContainer } from '../src/container.ts';
import { parsePredictArgs } from '../src/predict/args.ts';
import { runPredict } from '../src/predict/run-predict.ts';
import { writeTinyDataset, writeTinyRun } from './fixtures.ts';

let root: string;
const f = (...p: string[]): string => join(root, ...p);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'predict-cache-'));
  await selectBackend('cpu');
  await writeTinyDataset(f('data'), ['p-a']);
  await writeTinyRun(f('run'), { spacingMm: 1, patchSize: 4 });
}, 60_000);

async function predict(args: string[]): Promise<void> {
  const o = parsePredictArgs(['--checkpoint', 'run', '--backend', 'cpu', '--quiet', ...args], root);
  if (o === 'help') throw new Error('unexpected help');
  await runPredict(createEvaluatorContainer(), o, { baseDir: root, log: () => {} });
}

describe('predict --data through the cache', () => {
  it('builds the entry in <dataset>/.lesionseg/cache once, reuses it, and gives the probabilities predict gives from the files', async () => {
    await predict(['--data', 'data', '--out', 'by-cache', '--probabilities', 'by-cache-prob']);
    const entry = f('data', '.lesionseg', 'cache', 'p-a', 's1-m4.lsc');
    const e = CacheEntry.open(entry);
    // The phantom's head reaches the field of view's edge within the 4-voxel margin: the box is the
    // whole working grid, so the windows are those of the uncached path and the values must agree.
    expect(e.header.boxShape).toEqual(e.header.grid.targetShape);
    e.close();
    const built = statSync(entry).mtimeMs;
    await predict(['--data', 'data', '--out', 'again', '--overwrite']);
    expect(statSync(entry).mtimeMs).toBe(built);
    await predict([
      '--flair1',
      'data/p-a/flair_time01_on_middle_space.nii.gz',
      '--flair2',
      'data/p-a/flair_time02_on_middle_space.nii.gz',
      '--out',
      'files.nii.gz',
      '--probabilities',
      'files-prob.nii.gz',
    ]);
    const cached = await readNifti(f('by-cache-prob', 'p-a.nii.gz'));
    const direct = await readNifti(f('files-prob.nii.gz'));
    expect(cached.data).toEqual(direct.data);
    expect(readFileSync(f('again', 'p-a.nii.gz')).length).toBeGreaterThan(0);
  }, 120_000);
});
