/**
 * Faults 9, 15 and 16 of issue 12: outputs that would overwrite an input or each other, output
 * sets written partly, and checks that came after the slow work.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNifti } from '@lesionseg/data';
import { selectBackend } from '@lesionseg/models';
import { createEvaluatorContainer } from '../src/container.ts';
import { parseEvaluateArgs } from '../src/evaluate/args.ts';
import { runEvaluate } from '../src/evaluate/run-evaluate.ts';
import { parsePredictArgs, type PredictCliOptions } from '../src/predict/args.ts';
import { runPredict } from '../src/predict/run-predict.ts';
import { parseScoreArgs } from '../src/score/args.ts';
import { runScore } from '../src/score/run-score.ts';
import { tinyPhantom, writeTinyDataset, writeTinyRun } from './fixtures.ts';

let root: string;
const f = (...p: string[]): string => join(root, ...p);
const quiet = { baseDir: '', log: (): void => {} };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'outputs-'));
  quiet.baseDir = root;
  await selectBackend('cpu', { log: () => {} });
  const p = tinyPhantom(7);
  await writeNifti(f('in/t1.nii.gz'), p.baseline, { datatype: 'int16' });
  await writeNifti(f('in/t2.nii.gz'), p.followup, { datatype: 'int16' });
  symlinkSync(f('in/t1.nii.gz'), f('in/link-to-t1.nii.gz'));
  await writeTinyRun(f('run'), { spacingMm: null, patchSize: 8 });
  await writeTinyDataset(f('data'), ['p1', 'p2']);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const predictArgs = (args: string[]): PredictCliOptions => {
  const o = parsePredictArgs(['--backend', 'cpu', '--quiet', '--checkpoint', f('run'), ...args], root);
  if (o === 'help') throw new Error('unexpected help');
  return o;
};

describe('predict refuses to overwrite, before inference (faults 9, 16)', () => {
  it('--out equal to --flair1 (also through a link) is refused and the FLAIR is intact', async () => {
    const before = readFileSync(f('in/t1.nii.gz'));
    const c = createEvaluatorContainer();
    await expect(runPredict(c, predictArgs(['--flair1', f('in/t1.nii.gz'), '--flair2', f('in/t2.nii.gz'), '--out', f('in/t1.nii.gz')]), quiet)).rejects.toThrow(
      `--out ${f('in/t1.nii.gz')} is the same file as --flair1: refusing to overwrite it`,
    );
    await expect(
      runPredict(c, predictArgs(['--flair1', f('in/t1.nii.gz'), '--flair2', f('in/t2.nii.gz'), '--out', f('in/link-to-t1.nii.gz')]), quiet),
    ).rejects.toThrow('is the same file as --flair1');
    expect(readFileSync(f('in/t1.nii.gz')).equals(before)).toBe(true);
  });

  it('--probabilities equal to --out is refused, for files and for dataset folders', async () => {
    const c = createEvaluatorContainer();
    await expect(
      runPredict(
        c,
        predictArgs(['--flair1', f('in/t1.nii.gz'), '--flair2', f('in/t2.nii.gz'), '--out', f('o/seg.nii.gz'), '--probabilities', f('o/./seg.nii.gz')]),
        quiet,
      ),
    ).rejects.toThrow(`--probabilities ${f('o/./seg.nii.gz')} is the same file as --out`);
    await expect(runPredict(c, predictArgs(['--data', f('data'), '--out', f('masks'), '--probabilities', f('masks')]), quiet)).rejects.toThrow(
      'is the same file as --out',
    );
    expect(existsSync(f('o/seg.nii.gz'))).toBe(false);
  });

  it('an --out without a NIfTI extension fails before the checkpoint is even read', async () => {
    const o = predictArgs(['--flair1', f('in/t1.nii.gz'), '--flair2', f('in/t2.nii.gz'), '--out', f('o/seg.png')]);
    await expect(runPredict(createEvaluatorContainer(), { ...o, checkpoint: f('no-such-run') }, quiet)).rejects.toThrow(
      `--out ${f('o/seg.png')}: the file name must end in .nii.gz or .nii`,
    );
  });
});

describe('a broken checkpoints/best (fault 17)', () => {
  it('is reported as broken, not as missing, and no other model is used silently', async () => {
    await writeTinyRun(f('broken-run'), { spacingMm: null, patchSize: 8 });
    rmSync(f('broken-run', 'checkpoints', 'best', 'state.json'));
    const o = parsePredictArgs(
      ['--backend', 'cpu', '--quiet', '--checkpoint', f('broken-run'), '--flair1', f('in/t1.nii.gz'), '--flair2', f('in/t2.nii.gz'), '--out', f('o/b.nii.gz')],
      root,
    );
    if (o === 'help') throw new Error('unexpected help');
    await expect(runPredict(createEvaluatorContainer(), o, quiet)).rejects.toThrow(`${f('broken-run', 'checkpoints', 'best')} is broken (no state.json)`);
  });
});

describe('score writes all its outputs or none (fault 15)', () => {
  const scoreArgs = (extra: string[]) => parseScoreArgs(['--gt', f('data'), '--pred', f('pred'), '--quiet', ...extra], root);
  beforeAll(() => {
    mkdirSync(f('pred'), { recursive: true });
    for (const id of ['p1', 'p2']) copyFileSync(f('data', id, 'ground_truth.nii.gz'), f('pred', `${id}.nii.gz`));
  });

  it('an --out that is a folder is a message before scoring, not a stack trace after it', async () => {
    mkdirSync(f('adir'), { recursive: true });
    await expect(runScore(scoreArgs(['--out', f('adir')]) as never)).rejects.toThrow(`--out ${f('adir')} is a folder; give a file name`);
  });

  it('an unwritable --csv: neither results.csv nor results.json is written', async () => {
    mkdirSync(f('locked'), { recursive: true });
    chmodSync(f('locked'), 0o500);
    try {
      const canWrite = (() => {
        try {
          writeFileSync(f('locked', 'probe'), '');
          return true;
        } catch {
          return false;
        }
      })();
      if (canWrite) {
        // root ignores permissions: use a path under a file instead, which nobody can create
        writeFileSync(f('plainfile'), '');
      }
      const csv = canWrite ? f('plainfile', 'results.csv') : f('locked', 'results.csv');
      await expect(runScore(scoreArgs(['--out', f('ok', 'results.json'), '--csv', csv]) as never)).rejects.toThrow(`--csv ${csv}: cannot write in`);
      expect(existsSync(f('ok', 'results.json'))).toBe(false);
    } finally {
      chmodSync(f('locked'), 0o700);
    }
  });

  it('a full disk (256 KiB tmpfs; needs root, else skipped): a message, and neither output is left', async (ctx) => {
    const mnt = f('full');
    mkdirSync(mnt, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip();
    }
    try {
      let n = 0;
      try {
        for (;;) writeFileSync(join(mnt, `fill-${n++}`), Buffer.alloc(16 * 1024));
      } catch {
        // full
      }
      await expect(runScore(scoreArgs(['--out', join(mnt, 'results.json'), '--csv', join(mnt, 'results.csv')]) as never)).rejects.toThrow(
        /results\.json: cannot write it \(ENOSPC\); no output was written/,
      );
      expect(readdirSync(mnt).filter((e) => e.startsWith('results'))).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('an output equal to an input mask is refused', async () => {
    const gt = f('data', 'p1', 'ground_truth.nii.gz');
    const before = readFileSync(gt);
    await expect(runScore(scoreArgs(['--out', f('r.json'), '--csv', gt]) as never)).rejects.toThrow(`--csv ${gt} is the same file as the ground truth of p1`);
    expect(readFileSync(gt).equals(before)).toBe(true);
  });
});

describe('evaluate checks the ground truths before predicting (fault 16)', () => {
  it('a non-binary ground truth fails before any prediction is written', async () => {
    await writeTinyDataset(f('badgt'), ['p1', 'p2']);
    const p = tinyPhantom(9);
    const labels = Float32Array.from(p.groundTruth.data);
    labels[0] = 2; // a label map passed as a mask
    await writeNifti(f('badgt', 'p2', 'ground_truth.nii.gz'), { ...p.groundTruth, data: labels }, { datatype: 'float32' });
    const o = parseEvaluateArgs(['--checkpoint', f('run'), '--data', f('badgt'), '--out', f('ev'), '--backend', 'cpu', '--quiet'], root);
    if (o === 'help') throw new Error('unexpected help');
    await expect(runEvaluate(createEvaluatorContainer(), o, quiet)).rejects.toThrow(/ground_truth\.nii\.gz/);
    expect(existsSync(f('ev', 'predictions'))).toBe(false);
  });
});
