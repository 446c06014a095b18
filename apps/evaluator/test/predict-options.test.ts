// predict --data keeps complete outputs unless --overwrite; --tta and repeated --checkpoint;
// provenance in the NIfTI descrip and in evaluate's results.json.
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti, toolProvenance } from '@lesionseg/data';
import { selectBackend } from '@lesionseg/models';
import { createEvaluatorContainer } from '../src/container.ts';
import { parseEvaluateArgs } from '../src/evaluate/args.ts';
import { runEvaluate } from '../src/evaluate/run-evaluate.ts';
import { parsePredictArgs, type PredictCliOptions } from '../src/predict/args.ts';
import { runPredict } from '../src/predict/run-predict.ts';
import { UsageError } from '../src/score/args.ts';
import type { ScoreResults } from '../src/score/results.ts';
import { writeConstantCheckpoint, writeTinyDataset, writeTinyRun } from './fixtures.ts';

let root: string;
const f = (...p: string[]): string => join(root, ...p);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'predict-options-'));
  await selectBackend('cpu', { log: () => {} });
  await writeTinyDataset(f('data'), ['p1', 'p2']);
  // 16^3 windows: two per 16x18x16 patient, which keeps the TTA runs (8 passes each) short.
  await writeTinyRun(f('run'), { spacingMm: null, patchSize: 16 });
  await writeConstantCheckpoint(f('ones'), 6, { spacingMm: null, patchSize: 16 });
  await writeConstantCheckpoint(f('zeros'), -6, { spacingMm: null, patchSize: 16 });
  await writeConstantCheckpoint(f('other-window'), 6, { spacingMm: null, patchSize: 8 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const parse = (args: string[]): PredictCliOptions => {
  const o = parsePredictArgs(['--backend', 'cpu', '--quiet', ...args], root);
  if (o === 'help') throw new Error('unexpected help');
  return o;
};
const predict = async (args: string[]) => {
  const lines: string[] = [];
  const r = await runPredict(createEvaluatorContainer(), parse(args), { baseDir: root, log: (l) => lines.push(l) });
  return { r, log: lines.join('\n') };
};

describe('predict --data keeps complete outputs', () => {
  it('skips complete outputs, redoes a truncated one, and --overwrite redoes all', async () => {
    const args = ['--checkpoint', 'run', '--data', 'data', '--out', 'pred', '--probabilities', 'prob'];
    const first = await predict(args);
    expect(first.r.map((p) => p.skipped ?? false)).toEqual([false, false]);
    const mtime = statSync(f('pred/p1.nii.gz')).mtimeMs;

    const again = await predict(args);
    expect(again.r.map((p) => p.skipped)).toEqual([true, true]);
    expect(again.log).toMatch(/p1: kept .*pred\/p1\.nii\.gz \(complete, same settings/);
    expect(again.r[0].lesionVoxels).toBe(first.r[0].lesionVoxels);
    expect(statSync(f('pred/p1.nii.gz')).mtimeMs).toBe(mtime);

    // A file cut short (a crash or a full disk while another tool wrote it) is predicted again.
    truncateSync(f('prob/p2.nii.gz'), 200);
    const repaired = await predict(args);
    expect(repaired.r.map((p) => p.skipped ?? false)).toEqual([true, false]);
    expect(repaired.log).toMatch(/p2: predicting again: .*prob\/p2\.nii\.gz does not read in full/);
    expect((await readNifti(f('prob/p2.nii.gz'))).shape).toEqual((await readNifti(f('data/p2/flair_time01_on_middle_space.nii.gz'))).shape);

    const forced = await predict([...args, '--overwrite']);
    expect(forced.r.map((p) => p.skipped ?? false)).toEqual([false, false]);
    expect(statSync(f('pred/p1.nii.gz')).mtimeMs).toBeGreaterThan(mtime);
  });

  it('redoes outputs made with other settings (threshold, TTA, another checkpoint) or a missing probability file', async () => {
    const base = ['--data', 'data', '--out', 'pred2', '--patients', 'p1'];
    await predict(['--checkpoint', 'ones', ...base]);
    expect((await predict(['--checkpoint', 'ones', ...base])).r[0].skipped).toBe(true);
    const t = await predict(['--checkpoint', 'ones', ...base, '--threshold', '0.6']);
    expect(t.r[0].skipped).toBeUndefined();
    expect(t.log).toMatch(/made with other settings \(descrip ".* t0\.5.*", now ".* t0\.6"\)/);
    expect((await predict(['--checkpoint', 'ones', ...base, '--threshold', '0.6', '--tta'])).r[0].skipped).toBeUndefined();
    expect((await readNifti(f('pred2/p1.nii.gz'))).header.description).toMatch(/ raw:[0-9a-f]{8} t0\.6 tta \d{4}/);
    const z = await predict(['--checkpoint', 'zeros', ...base, '--threshold', '0.6']);
    expect(z.r[0].skipped).toBeUndefined();
    expect(z.r[0].lesionVoxels).toBe(0);
    const p = await predict(['--checkpoint', 'zeros', ...base, '--threshold', '0.6', '--probabilities', 'prob2']);
    expect(p.r[0].skipped).toBeUndefined();
  });

  it('writes provenance in the descrip (<= 79 characters): version, commit, weights checksum, threshold, post-processing', async () => {
    await predict(['--checkpoint', 'ones', '--checkpoint', 'zeros', '--data', 'data', '--out', 'ens', '--patients', 'p1', '--postprocess', 'drop-small']);
    const d = (await readNifti(f('ens/p1.nii.gz'))).header.description;
    const tool = toolProvenance();
    expect(d.length).toBeLessThanOrEqual(79);
    expect(d).toMatch(new RegExp(`^lesionseg ${tool.version} \\S+ ens2:[0-9a-f]{8} t0\\.5 drop-small3 \\d{4}-\\d\\d-\\d\\d$`));
    await predict(['--checkpoint', 'ones', '--data', 'data', '--out', 'single', '--patients', 'p1']);
    expect((await readNifti(f('single/p1.nii.gz'))).header.description).toMatch(/ raw:[0-9a-f]{8} t0\.5 \d{4}/);
  });
});

describe('--tta and repeated --checkpoint', () => {
  it('parses them (every checkpoint resolved; the first drives preprocessing) and --overwrite only with --data', () => {
    const o = parse(['--checkpoint', 'a', '--checkpoint', '/abs/b', '--tta', '--data', 'data', '--out', 'o']);
    expect([o.checkpoint, o.checkpoints, o.tta]).toEqual([f('a'), [f('a'), '/abs/b'], true]);
    expect(parse(['--checkpoint', 'a', '--data', 'd', '--out', 'o']).tta).toBe(false);
    expect(() => parse(['--checkpoint', 'a', '--flair1', 'x', '--flair2', 'y', '--out', 'o', '--overwrite'])).toThrow(UsageError);
    expect(() => parse(['--data', 'd', '--out', 'o'])).toThrow(/--run DIR .*is required/); // --checkpoint is its old spelling
  });

  it('an ensemble of the all-ones and all-zeros networks gives probability 0.5 everywhere; mismatched windows are refused', async () => {
    const { r } = await predict([
      '--checkpoint',
      'ones',
      '--checkpoint',
      'zeros',
      '--data',
      'data',
      '--out',
      'mix',
      '--probabilities',
      'mixp',
      '--patients',
      'p2',
      '--threshold',
      '0.49',
    ]);
    const prob = await readNifti(f('mixp/p2.nii.gz'));
    expect(prob.data.every((v) => Math.abs(v - 0.5) < 1e-6)).toBe(true);
    expect(r[0].lesionVoxels).toBe(prob.data.length); // every voxel >= 0.49
    await expect(predict(['--checkpoint', 'ones', '--checkpoint', 'other-window', '--data', 'data', '--out', 'bad'])).rejects.toThrow(
      /other-window: preprocessing .*window 8.* differs from .*window 16/,
    );
  });
});

describe('evaluate provenance', () => {
  it("results.json and evaluation.json name the tool, commit, checkpoint weights and every input's checksum", async () => {
    const o = parseEvaluateArgs(['--checkpoint', 'run', '--data', 'data', '--out', 'eval', '--backend', 'cpu', '--quiet'], root);
    if (o === 'help') throw new Error('unexpected help');
    await runEvaluate(createEvaluatorContainer(), o, { baseDir: root, log: () => {} });
    const results = JSON.parse(readFileSync(f('eval/results.json'), 'utf8')) as ScoreResults;
    const p = results.provenance as NonNullable<ScoreResults['provenance']>;
    expect(p.tool).toEqual(toolProvenance());
    expect(p.files.map((x) => x.patient)).toEqual(['p1', 'p2']);
    expect(p.files[0].gtSha256).toMatch(/^[0-9a-f]{64}$/);
    const pred = p.prediction as {
      backend: string;
      tta: boolean;
      checkpoints: { path: string; weights: string; sha256: string }[];
      inputs: { flair1Sha256: string }[];
    };
    expect(pred.backend).toBe('cpu');
    expect(pred.tta).toBe(false);
    // Stored relative to results.json's folder (the evaluation can move with the run).
    expect(pred.checkpoints[0]).toMatchObject({ path: join('..', 'run', 'checkpoints', 'best'), weights: 'raw' });
    expect(resolve(f('eval'), pred.checkpoints[0].path)).toBe(f('run/checkpoints/best'));
    expect(pred.checkpoints[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pred.inputs).toHaveLength(2);
    const evaluation = JSON.parse(readFileSync(f('eval/evaluation.json'), 'utf8')) as { provenance: unknown; tta: boolean };
    expect(evaluation.tta).toBe(false);
    expect(evaluation.provenance).toEqual(p.prediction);
  });
});
