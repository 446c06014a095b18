// `evaluator score` end to end on a tiny synthetic MSSEG-2 dataset written with writeNifti.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNifti } from '@lesionseg/data';
import type { Vec3 } from '@lesionseg/data';
import { parseScoreArgs, UsageError } from '../src/score/args.ts';
import { findInputs, InputError } from '../src/score/inputs.ts';
import { runScore } from '../src/score/run-score.ts';
import type { ScoreResults } from '../src/score/results.ts';

const shape: Vec3 = [20, 20, 10];
const spacing: Vec3 = [0.5, 0.5, 1]; // 0.25 mm3 voxels -> lesions need >= 13 voxels
const affine = [
  [-0.5, 0, 0, 10],
  [0, 0.5, 0, -12],
  [0, 0, 1, 3],
  [0, 0, 0, 1],
];
const mk = (): Float32Array => new Float32Array(shape[0] * shape[1] * shape[2]);
function box(m: Float32Array, x: [number, number], y: [number, number], z: [number, number], v = 1): Float32Array {
  for (let k = z[0]; k <= z[1]; k++) for (let j = y[0]; j <= y[1]; j++) for (let i = x[0]; i <= x[1]; i++) m[i + 20 * (j + 20 * k)] = v;
  return m;
}
const vol = (data: Float32Array, aff = affine, shp = shape) => ({ shape: shp, spacing, affine: aff, data });

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'score-cli-'));
  // 013: GT lesions A (4x4x3 = 48 voxels) and B (5x5x3 = 75); prediction finds A, adds C (32).
  await writeNifti(join(root, 'gt/013/ground_truth.nii.gz'), vol(box(box(mk(), [1, 4], [1, 4], [1, 3]), [10, 14], [10, 14], [5, 7])), { datatype: 'uint8' });
  await writeNifti(join(root, 'pred/013.nii.gz'), vol(box(box(mk(), [1, 4], [1, 4], [1, 3]), [16, 19], [1, 4], [1, 2])), { datatype: 'uint8' });
  // 015: empty GT; prediction has one 16-voxel lesion (4 mm3) and a 2-voxel speck.
  await writeNifti(join(root, 'gt/015/ground_truth.nii.gz'), vol(mk()), { datatype: 'uint8' });
  await writeNifti(join(root, 'pred/015.nii.gz'), vol(box(box(mk(), [3, 6], [3, 6], [3, 3]), [15, 16], [15, 15], [8, 8])), { datatype: 'uint8' });
  // Bad inputs.
  await writeNifti(join(root, 'bad/prob.nii.gz'), vol(box(mk(), [1, 4], [1, 4], [1, 3], 0.8)));
  await writeNifti(
    join(root, 'bad/moved.nii.gz'),
    vol(box(mk(), [1, 4], [1, 4], [1, 3]), [
      [-0.5, 0, 0, 11],
      [0, 0.5, 0, -12],
      [0, 0, 1, 3],
      [0, 0, 0, 1],
    ]),
    { datatype: 'uint8' },
  );
  await writeNifti(join(root, 'bad/small.nii.gz'), vol(new Float32Array(20 * 20 * 9), affine, [20, 20, 9]), { datatype: 'uint8' });
  await writeNifti(join(root, 'nopred/013/ground_truth.nii.gz'), vol(mk()), { datatype: 'uint8' });
  await writeNifti(join(root, 'nopred/014/ground_truth.nii.gz'), vol(mk()), { datatype: 'uint8' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const opts = (gt: string, pred: string, extra: string[] = []) =>
  parseScoreArgs(
    [
      '--gt',
      gt,
      '--pred',
      pred,
      '--out',
      'out/results.json',
      '--csv',
      'out/r.csv',
      '--md',
      'out/t.md',
      '--lesions-csv',
      'out/lesions.csv',
      '--quiet',
      ...extra,
    ],
    root,
  );

describe('evaluator score', () => {
  it('scores a dataset folder and writes json, csv and markdown atomically', async () => {
    const o = opts('gt', 'pred');
    if (o === 'help') throw new Error('unexpected help');
    const r = await runScore(o);
    const j = JSON.parse(readFileSync(join(root, 'out/results.json'), 'utf8')) as ScoreResults;
    expect(j.patients.map((p) => p.patient)).toEqual(['013', '015']);
    const [a, b] = j.patients;
    // 013: |GT| = 123, |pred| = 80, overlap 48 -> Dice 96/203; A detected, B missed, C false.
    expect(a).toMatchObject({ gtEmpty: false, nGtLesions: 2, nPredLesions: 2, tpGt: 1, tpPred: 1, lesionSensitivity: 0.5, lesionPpv: 0.5, lesionF1: 0.5 });
    expect(Math.abs((a.dice as number) - 96 / 203)).toBeLessThan(1e-12);
    expect(a.gtLesions.map((l) => [l.voxels, l.matched, l.reason])).toEqual([
      [75, false, 'insufficientOverlap'],
      [48, true, 'matched'],
    ]);
    // Centroid of B is voxel (12, 12, 6) -> world (-0.5*12+10, 0.5*12-12, 6+3).
    expect(a.gtLesions[0].centroidWorld).toEqual([4, -6, 9]);
    expect(b).toMatchObject({ gtEmpty: true, dice: null, lesionSensitivity: null, lesionPpv: null, lesionF1: null, nPredLesions: 1, predLesionVolumeMm3: 4 });
    expect(j.summary.withNewLesions.nPatients).toBe(1);
    expect(j.summary.withoutNewLesions.nPredLesions.mean).toBe(1);
    expect(j.params).toMatchObject({ minLesionMm3: 3, alpha: 0.1, coverage: 0.65, maxOutside: 0.7 });
    expect(r.patients).toHaveLength(2);
    const csv = readFileSync(join(root, 'out/r.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[2].startsWith('015,true,,,,,0,1,')).toBe(true);
    expect(readFileSync(join(root, 'out/t.md'), 'utf8')).toContain('| 013 | 0.4729 | 0.5000 | 0.5000 | 0.5000 | 2 | 2 | 1 | 1 | 20.000 |');
    const lesions = readFileSync(join(root, 'out/lesions.csv'), 'utf8').trim().split('\n');
    expect(lesions).toHaveLength(1 + 2 + 2 + 1); // header, 013 GT and predicted lesions, 015 predicted lesion
    expect(lesions[1]).toBe('013,gt,1,75,18.75,12,12,6,4,-6,9,false,insufficientOverlap,0,,');
    expect(lesions[2]).toBe('013,gt,2,48,12,2.5,2.5,2,8.75,-10.75,5,true,matched,1,,1:48');
    expect(lesions[5]).toMatch(/^015,pred,1,16,4,.*,false,gtEmpty,,,$/);
    expect(readdirSync(join(root, 'out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('single-file mode names the patient after the prediction file', async () => {
    const o = parseScoreArgs(
      ['--gt', 'gt/013/ground_truth.nii.gz', '--pred', 'pred/013.nii.gz', '--out', 'single/r.json', '--quiet', '--min-lesion-mm3', '10'],
      root,
    );
    if (o === 'help') throw new Error('unexpected help');
    const r = await runScore(o);
    expect(r.patients.map((p) => p.patient)).toEqual(['013']);
    // 10 mm3 limit = 41 voxels: only B (75) and A (48) of the GT, only A (48) of the prediction.
    expect(r.patients[0]).toMatchObject({ nGtLesions: 2, nPredLesions: 1, predSmallComponents: 1, lesionPpv: 1 });
  });

  it.each([
    ['a missing prediction', 'nopred', 'pred', [], /missing prediction for 1 of 2 patients: .*pred\/014\.nii\.gz$/],
    ['a non-binary mask', 'gt/013/ground_truth.nii.gz', 'bad/prob.nii.gz', [], /bad\/prob\.nii\.gz: prediction mask is not binary: found value 0\.8/],
    ['a shifted affine', 'gt/013/ground_truth.nii.gz', 'bad/moved.nii.gz', [], /bad\/moved\.nii\.gz: affine differs .* by up to 1\.00 mm/],
    ['a different shape', 'gt/013/ground_truth.nii.gz', 'bad/small.nii.gz', ['--ignore-geometry'], /bad\/small\.nii\.gz: grid 20x20x9 does not match/],
    ['a file against a folder', 'gt', 'pred/013.nii.gz', [], /is a folder but --pred .* is a file/],
    ['a missing file', 'gt/013/ground_truth.nii.gz', 'pred/999.nii.gz', [], /pred\/999\.nii\.gz: prediction does not exist/],
  ])('rejects %s with a message naming the file', async (_what, gt, pred, extra, message) => {
    const o = opts(gt, pred, extra);
    if (o === 'help') throw new Error('unexpected help');
    await expect(runScore(o)).rejects.toThrow(message);
  });

  it('lists prediction files that match no patient', async () => {
    for (const id of ['013', '015', '099']) await writeNifti(join(root, `predx/${id}.nii.gz`), vol(mk()), { datatype: 'uint8' });
    const r = await findInputs(join(root, 'gt'), join(root, 'predx'));
    expect(r.pairs.map((p) => p.patient)).toEqual(['013', '015']);
    expect(r.unmatched).toEqual([join(root, 'predx/099.nii.gz')]);
  });

  it('--ignore-geometry accepts a moved affine', async () => {
    const o = opts('gt/013/ground_truth.nii.gz', 'bad/moved.nii.gz', ['--ignore-geometry']);
    if (o === 'help') throw new Error('unexpected help');
    expect((await runScore(o)).patients[0].lesionSensitivity).toBe(0.5);
  });

  it('parses options and resolves relative paths against the base folder', () => {
    const o = parseScoreArgs(['--gt', 'a', '--pred', '/abs/b', '--out', 'c.json', '--alpha', '0.2', '--coverage', '0.5', '--max-outside', '0.6'], '/base');
    expect(o).toMatchObject({ gt: '/base/a', pred: '/abs/b', out: '/base/c.json', csv: null, params: { alpha: 0.2, coverage: 0.5, maxOutside: 0.6 } });
    expect(parseScoreArgs(['--gt', 'a', '--pred', 'b', '--out', 'c', '--beta', '0.5', '--gamma', '0.6'], '/b')).toMatchObject({
      params: { beta: 0.5, gamma: 0.6 },
    });
    expect(() => parseScoreArgs(['--gt', 'a', '--pred', 'b'], '/base')).toThrow(UsageError);
    expect(() => parseScoreArgs(['--gt', 'a', '--pred', 'b', '--out', 'c', '--alpha', 'x'], '/base')).toThrow(/--alpha must be a number/);
    expect(() => parseScoreArgs(['--bogus'], '/base')).toThrow(UsageError);
    expect(InputError.name).toBe('InputError');
  });

  it('the real entry point resolves paths against INIT_CWD and exits non-zero on bad input', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/score-main.ts', ...args], {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, INIT_CWD: root },
        encoding: 'utf8',
      });
    const ok = run(['--gt', 'gt', '--pred', 'pred', '--out', 'cli/results.json']);
    expect(ok.stderr).toContain('2/2 015');
    expect(ok.status).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'cli/results.json'), 'utf8')).patients).toHaveLength(2);
    const bad = run(['--gt', 'gt/013/ground_truth.nii.gz', '--pred', 'bad/prob.nii.gz', '--out', 'cli/bad.json']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^lesionseg score: .*bad\/prob\.nii\.gz: prediction mask is not binary/);
    expect(run(['--gt', 'x']).status).toBe(2);
  });
});
