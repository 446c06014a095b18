// `evaluator evaluate`: predict a tiny dataset into OUT/predictions, then score it; the results
// list exactly the dataset's (or the run split's) patients.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPatients } from '@lesionseg/data';
import { selectBackend } from '@lesionseg/models';
import { createEvaluatorContainer } from '../src/container.ts';
import { parseEvaluateArgs } from '../src/evaluate/args.ts';
import { parsePredictArgs } from '../src/predict/args.ts';
import { runPredict } from '../src/predict/run-predict.ts';
import { runEvaluate } from '../src/evaluate/run-evaluate.ts';
import { InputError } from '../src/score/inputs.ts';
import type { ScoreResults } from '../src/score/results.ts';
import { writeTinyDataset, writeTinyRun } from './fixtures.ts';

let root: string;
const f = (...p: string[]): string => join(root, ...p);
const log = (): void => {};
const ids = ['p-a', 'p-b', 'p-c'];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'evaluate-'));
  await selectBackend('cpu', { log });
  await writeTinyDataset(f('data'), ids);
  await writeTinyRun(f('run'), { spacingMm: null, patchSize: 8 }, { train: ['p-a', 'p-c'], validation: ['p-b'] });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const evaluate = (extra: string[]) => {
  const o = parseEvaluateArgs(['--checkpoint', 'run', '--data', 'data', '--backend', 'cpu', '--quiet', ...extra], root);
  if (o === 'help') throw new Error('unexpected help');
  return runEvaluate(createEvaluatorContainer(), o, { baseDir: root, log });
};

describe('evaluator evaluate', () => {
  it('predicts every patient, then writes results whose patients match the dataset', async () => {
    const r = await evaluate(['--out', 'all']);
    expect(readdirSync(f('all/predictions')).sort()).toEqual(ids.map((id) => `${id}.nii.gz`));
    for (const name of ['results.json', 'results.csv', 'table.md', 'lesions.csv', 'evaluation.json']) expect(existsSync(f('all', name))).toBe(true);
    const json = JSON.parse(readFileSync(f('all/results.json'), 'utf8')) as ScoreResults;
    const dataset = (await listPatients(f('data'))).map((p) => p.id);
    expect(json.patients.map((p) => p.patient)).toEqual(dataset);
    // Paths in results.json are relative to its folder (a moved evaluation still reads).
    expect(json.patients.map((p) => resolve(f('all'), p.predFile))).toEqual(ids.map((id) => f('all/predictions', `${id}.nii.gz`)));
    expect(json.patients.map((p) => resolve(f('all'), p.gtFile))).toEqual(ids.map((id) => f('data', id, 'ground_truth.nii.gz')));
    expect(json.patients[0].gtFile).toBe(join('..', 'data', ids[0], 'ground_truth.nii.gz'));
    // evaluation.json records how the masks were made: the run config says validation used raw weights.
    expect(r.predicted.map((p) => p.patient)).toEqual(ids);
    const evaluation = JSON.parse(readFileSync(f('all/evaluation.json'), 'utf8')) as {
      weights: string;
      patients: { ids: string[] };
      preprocessing: { window: number };
    };
    expect(evaluation).toMatchObject({ weights: 'raw', patients: { ids }, preprocessing: { window: 8 } });
  });

  it("evaluates only the run's validation patients with --patients validation", async () => {
    await evaluate(['--out', 'val', '--patients', 'validation']);
    expect(readdirSync(f('val/predictions'))).toEqual(['p-b.nii.gz']);
    const json = JSON.parse(readFileSync(f('val/results.json'), 'utf8')) as ScoreResults;
    expect(json.patients.map((p) => p.patient)).toEqual(['p-b']);
  });

  it('predict --data writes <patient>.nii.gz for the chosen patients only (no ground truth needed)', async () => {
    await writeTinyDataset(f('nogt'), ['p-a', 'p-b', 'p-c']);
    for (const id of ['p-a', 'p-b', 'p-c']) rmSync(f('nogt', id, 'ground_truth.nii.gz'));
    const o = parsePredictArgs(
      ['--checkpoint', 'run', '--data', 'nogt', '--out', 'preds', '--patients', 'p-a,p-c', '--postprocess', 'drop-small', '--backend', 'cpu', '--quiet'],
      root,
    );
    if (o === 'help') throw new Error('unexpected help');
    const r = await runPredict(createEvaluatorContainer(), o, { baseDir: root, log });
    expect(r.map((p) => p.patient)).toEqual(['p-a', 'p-c']);
    expect(readdirSync(f('preds')).sort()).toEqual(['p-a.nii.gz', 'p-c.nii.gz']);
  });

  it('names ids that are not in the dataset', async () => {
    await expect(evaluate(['--out', 'bad', '--patients', 'p-a,p-x'])).rejects.toThrow(InputError);
    await expect(evaluate(['--out', 'bad', '--patients', 'p-a,p-x'])).rejects.toThrow('not in the dataset: p-x');
  });
});
