// `evaluator predict` on tiny checkpoints and phantoms: the mask lands on the input's own grid and
// header, a constant-logit network gives all-ones / all-zeros masks, and bad inputs fail with
// messages naming the file or value.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affineMaxDiff, readNifti, writeNifti } from '@lesionseg/data';
import { loadPredictor, predictPatient, PredictorError, selectBackend } from '@lesionseg/models';
import { createEvaluatorContainer } from '../src/container.ts';
import { parsePredictArgs, type PredictCliOptions } from '../src/predict/args.ts';
import { runPredict } from '../src/predict/run-predict.ts';
import { OBLIQUE, SHAPE, tinyPhantom, writeConstantCheckpoint, writeTinyRun } from './fixtures.ts';

let root: string;
const f = (...p: string[]): string => join(root, ...p);
const quietLog = (): void => {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'predict-'));
  await selectBackend('cpu', { log: quietLog });
  const p = tinyPhantom(7);
  await writeNifti(f('in/t1.nii.gz'), p.baseline, { datatype: 'int16' });
  await writeNifti(f('in/t2.nii.gz'), p.followup, { datatype: 'int16' });
  // Same shape, affine moved by 2 mm: not the same grid.
  await writeNifti(
    f('in/t2-moved.nii.gz'),
    { ...p.followup, affine: OBLIQUE.map((r, i) => r.map((v, j) => (i === 0 && j === 3 ? v + 2 : v))) },
    { datatype: 'int16' },
  );
  // Working grid 1 mm (inputs are 1.25 x 1 x 1.5 mm): prediction goes through resampling both ways.
  await writeTinyRun(f('run'), { spacingMm: 1, patchSize: 8 });
  await writeConstantCheckpoint(f('ones'), 6, { spacingMm: 0.9, patchSize: 8 });
  await writeConstantCheckpoint(f('zeros'), -6, { spacingMm: null, patchSize: 8 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const parse = (args: string[]): PredictCliOptions => {
  const o = parsePredictArgs(['--backend', 'cpu', '--quiet', ...args], root);
  if (o === 'help') throw new Error('unexpected help');
  return o;
};

describe('evaluator predict', () => {
  it("writes a uint8 mask with exactly the input's shape, affine and header (run folder -> checkpoints/best)", async () => {
    const notes: string[] = [];
    const [r] = await runPredict(
      createEvaluatorContainer(),
      parse(['--checkpoint', 'run', '--flair1', 'in/t1.nii.gz', '--flair2', 'in/t2.nii.gz', '--out', 'out/seg.nii.gz', '--probabilities', 'out/prob.nii.gz']),
      {
        baseDir: root,
        log: (l) => notes.push(l),
      },
    );
    expect(notes.join('\n')).toMatch(/checkpoints\/best \(best validation Dice\)/);
    expect(notes.join('\n')).toMatch(/weights: raw \(the checkpoint has no EMA\)/);
    expect(notes.join('\n')).toMatch(/preprocessing: 1 mm, window 8, stride 6 \(from .*config\.json/);
    const input = await readNifti(f('in/t1.nii.gz'));
    const seg = await readNifti(f('out/seg.nii.gz'));
    const prob = await readNifti(f('out/prob.nii.gz'));
    expect(seg.shape).toEqual(SHAPE);
    expect(seg.datatype).toBe('uint8');
    expect(affineMaxDiff(seg.affine, input.affine)).toBe(0);
    expect(seg.header.srow).toEqual(input.header.srow);
    expect([seg.header.qformCode, seg.header.sformCode]).toEqual([input.header.qformCode, input.header.sformCode]);
    expect(prob.shape).toEqual(SHAPE);
    expect(prob.datatype).toBe('float32');
    expect(affineMaxDiff(prob.affine, input.affine)).toBe(0);
    // The mask is the thresholded probability map, voxel for voxel.
    let ones = 0;
    for (let i = 0; i < seg.data.length; i++) {
      expect(seg.data[i]).toBe(prob.data[i] >= 0.5 ? 1 : 0);
      ones += seg.data[i];
    }
    expect(r.lesionVoxels).toBe(ones);
  });

  it('a constant logit gives an all-ones or all-zeros mask (resampled and native grids)', async () => {
    const t1 = await readNifti(f('in/t1.nii.gz'));
    const t2 = await readNifti(f('in/t2.nii.gz'));
    const n = SHAPE[0] * SHAPE[1] * SHAPE[2];
    for (const [dir, expected] of [
      ['ones', n],
      ['zeros', 0],
    ] as const) {
      const p = await loadPredictor(f(dir), { backend: 'cpu', log: quietLog });
      expect(p.preprocessing.source).toMatch(/plugins\.preprocessing/);
      const r = await predictPatient(p, t1, t2);
      p.dispose();
      let sum = 0;
      for (const v of r.mask.data) sum += v;
      expect(sum).toBe(expected);
      const sigmoid = 1 / (1 + Math.exp(expected === n ? -6 : 6));
      expect(Math.abs(r.probabilities.data[123] - sigmoid)).toBeLessThan(1e-5);
      expect(r.mask.shape).toEqual(SHAPE);
    }
    // A threshold above sigmoid(6) turns the all-ones model into all zeros.
    const p = await loadPredictor(f('ones'), { backend: 'cpu', log: quietLog });
    const r = await predictPatient(p, t1, t2, { threshold: 0.999 });
    p.dispose();
    expect(r.mask.data.every((v) => v === 0)).toBe(true);
  });

  it('refuses a folder that is neither a checkpoint nor a run, and a run without config.json', async () => {
    await expect(loadPredictor(f('in'), { log: quietLog })).rejects.toThrow(PredictorError);
    await expect(loadPredictor(f('in'), { log: quietLog })).rejects.toThrow(/in: neither a checkpoint/);
    // The constant checkpoints have no plugin state here, so preprocessing must come from a run folder.
    await writeTinyRun(f('norun'), { spacingMm: 1, patchSize: 8 });
    rmSync(f('norun/config.json'));
    await expect(loadPredictor(f('norun'), { log: quietLog })).rejects.toThrow(/cannot tell how inputs were preprocessed.*norun\/config\.json/);
  });
});

describe('evaluator predict command line', () => {
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/predict-main.ts', '--backend', 'cpu', '--quiet', ...args], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, INIT_CWD: root },
      encoding: 'utf8',
    });
    return { status: r.status, stderr: r.stderr };
  };

  it('exits non-zero with a message naming the missing checkpoint, the mismatched FLAIR and the unknown plugin', () => {
    const missing = cli(['--checkpoint', 'nowhere', '--flair1', 'in/t1.nii.gz', '--flair2', 'in/t2.nii.gz', '--out', 'o.nii.gz']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`${f('nowhere')}: checkpoint does not exist`);

    const moved = cli(['--checkpoint', 'run', '--flair1', 'in/t1.nii.gz', '--flair2', 'in/t2-moved.nii.gz', '--out', 'o.nii.gz']);
    expect(moved.status).toBe(1);
    expect(moved.stderr).toContain(`${f('in/t2-moved.nii.gz')} affine differs from ${f('in/t1.nii.gz')} by up to 2.00 mm`);

    const plugin = cli(['--checkpoint', 'run', '--flair1', 'in/t1.nii.gz', '--flair2', 'in/t2.nii.gz', '--out', 'o.nii.gz', '--postprocess', 'smooth']);
    expect(plugin.status).toBe(1);
    expect(plugin.stderr).toContain('Unknown post-processing "smooth". Known post-processing names: "none", "drop-small"');

    const usage = cli(['--checkpoint', 'run', '--flair1', 'in/t1.nii.gz', '--out', 'o.nii.gz']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('give --flair1 and --flair2');
  });
});
