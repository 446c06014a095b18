// Issue 12 at the `evaluator predict` level: --data follows symbolic links to patient folders
// (fault 5), and a FLAIR with NaN voxels is refused naming the file instead of writing an empty
// mask and NaN probabilities with exit 0 (fault 2).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
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
  await writeConstantCheckpoint(f('half-mm'), 6, { spacingMm: 0.5, patchSize: 8 });
  // The same images with a sform of 100 mm voxels (a file in the wrong unit): 1.6 x 1.8 x 1.6 m.
  await writeNifti(
    f('in/t1-huge.nii.gz'),
    {
      ...p.baseline,
      affine: [
        [100, 0, 0, 0],
        [0, 100, 0, 0],
        [0, 0, 100, 0],
        [0, 0, 0, 1],
      ],
    },
    { datatype: 'float32' },
  );
  await writeNifti(
    f('in/t2-huge.nii.gz'),
    {
      ...p.followup,
      affine: [
        [100, 0, 0, 0],
        [0, 100, 0, 0],
        [0, 0, 100, 0],
        [0, 0, 0, 1],
      ],
    },
    { datatype: 'float32' },
  );
  // flair2 with a NaN in its sform (srow_x[1], bytes 284..287 of the header).
  const b = Buffer.from(gunzipSync(readFileSync(f('in/t1.nii.gz'))));
  b.writeFloatLE(Number.NaN, 284);
  writeFileSync(f('in/t2-nan-sform.nii.gz'), gzipSync(b));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const predict = (args: string[]) => {
  // A repeated --checkpoint is an ensemble, so the default checkpoint is added only when none is given.
  const checkpoint = args.includes('--checkpoint') ? [] : ['--checkpoint', 'ones'];
  const o = parsePredictArgs(['--backend', 'cpu', '--quiet', ...checkpoint, ...args], root);
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

  it('fault 13: an input whose physical size is absurd for the checkpoint spacing is a named error, before any allocation', async () => {
    await expect(
      predict(['--checkpoint', 'half-mm', '--flair1', 'in/t1-huge.nii.gz', '--flair2', 'in/t2-huge.nii.gz', '--out', 'out/huge.nii.gz']),
    ).rejects.toThrow(
      new RegExp(
        `^patient input \\(${f('in/t1-huge.nii.gz')}\\): 16x18x16 voxels of 100x100x100 mm \\(1600x1800x1600 mm\\) make a 3200x3600x3200 working grid at 0.5x0.5x0.5 mm: 36864000000 voxels, over the limit of 268435456`,
      ),
    );
  });

  it('fault 13: a NaN sform ends predict with exit 1 and a message naming the file, not a stack trace', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/predict-main.ts',
        '--backend',
        'cpu',
        '--quiet',
        '--checkpoint',
        'ones',
        '--flair1',
        'in/t1.nii.gz',
        '--flair2',
        'in/t2-nan-sform.nii.gz',
        '--out',
        'o.nii.gz',
      ],
      {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, INIT_CWD: root },
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^lesionseg predict: ${f('in/t2-nan-sform.nii.gz')}: the sform \\(sform_code \\d\\) has non-finite entries`, 'm'));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
