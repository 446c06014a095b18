/**
 * An evaluation inside a run folder, moved together with the run and its data, still reads:
 * results.json, results.csv and evaluation.json store paths relative to their folder (issue 16,
 * provenance), so nothing in them names the old place and every stored path resolves at the new one.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@lesionseg/models';
import { createEvaluatorContainer } from '../src/container.ts';
import { parseEvaluateArgs } from '../src/evaluate/args.ts';
import { runEvaluate } from '../src/evaluate/run-evaluate.ts';
import type { ScoreResults } from '../src/score/results.ts';
import { writeTinyDataset, writeTinyRun } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'lesionseg-moved-eval-'));
const log = () => {};
beforeAll(async () => {
  await selectBackend('cpu', { log });
  await writeTinyDataset(join(root, 'old', 'data'), ['p-a', 'p-b']);
  await writeTinyRun(join(root, 'old', 'run'), { spacingMm: null, patchSize: 8 }, { train: ['p-a'], validation: ['p-b'] });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function evaluate(base: string) {
  const o = parseEvaluateArgs(
    ['--checkpoint', 'run', '--data', 'data', '--out', 'run/evaluation', '--patients', 'validation', '--backend', 'cpu', '--quiet'],
    base,
  );
  if (o === 'help') throw new Error('unexpected help');
  return runEvaluate(createEvaluatorContainer(), o, { baseDir: base, log });
}

describe('a moved evaluation', () => {
  it('names no absolute path of the old place, and its stored paths resolve at the new one', async () => {
    const old = join(root, 'old');
    await evaluate(old);
    const moved = join(root, 'new');
    renameSync(old, moved);
    const dir = join(moved, 'run', 'evaluation');
    for (const name of readdirSync(dir).filter((n) => n !== 'predictions')) expect(readFileSync(join(dir, name), 'utf8'), name).not.toContain(old);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ScoreResults;
    expect(results.patients.map((p) => p.patient)).toEqual(['p-b']);
    for (const p of results.patients) {
      expect(existsSync(resolve(dir, p.gtFile)), p.gtFile).toBe(true);
      expect(existsSync(resolve(dir, p.predFile)), p.predFile).toBe(true);
    }
    const setup = JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8')) as { checkpoint: string; runDir: string; data: string };
    expect(resolve(dir, setup.checkpoint)).toBe(join(moved, 'run', 'checkpoints', 'best'));
    expect(resolve(dir, setup.runDir)).toBe(join(moved, 'run'));
    expect(resolve(dir, setup.data)).toBe(join(moved, 'data'));
    // Predicting again from the new place works (the run's split.json and config.json are found there).
    const again = await evaluate(moved);
    expect(again.predicted.map((p) => p.patient)).toEqual(['p-b']);
  }, 120_000);
});
