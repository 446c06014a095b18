// Cohort prediction in parts: --part I/N keeps every N-th patient in id order; --parts N runs the
// parts as tasks (local processes, or a Slurm array on the local Slurm when one runs) and the
// outputs equal one process's byte for byte; evaluate --parts scores their union; a bad part is
// exit 2 with a clear message.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandHelp, runCommand, type Command } from '@lesionseg/cli';
import { EXECUTOR_OPTIONS, probeSlurm, skipSlurmLoudly } from '@lesionseg/executors';
import { selectBackend } from '@lesionseg/models';
import { evaluateCommand, predictCommand } from '../src/cli/commands.ts';
import { EVALUATE_SPEC } from '../src/evaluate/args.ts';
import { PREDICT_SPEC } from '../src/predict/args.ts';
import { partOf } from '../src/predict/parts.ts';
import { partArgs } from '../src/predict/run-parts.ts';
import { writeTinyDataset, writeTinyRun } from './fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PREDICT = join(ROOT, 'apps/evaluator/src/predict-main.ts');
const EVALUATE = join(ROOT, 'apps/evaluator/src/evaluate-main.ts');
const IDS = ['p05', 'p01', 'p04', 'p02', 'p03'];
let root = '';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'predict-parts-'));
  await selectBackend('cpu', { log: () => {} });
  await writeTinyDataset(join(root, 'data'), IDS);
  await writeTinyRun(join(root, 'run'), { spacingMm: null, patchSize: 8 });
});

function run(script: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--backend', 'cpu', '--run', join(root, 'run'), '--data', join(root, 'data'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, INIT_CWD: root },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

const masks = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.nii.gz'))
    .sort();

function expectSameBytes(dir: string, reference: string): void {
  expect(masks(dir)).toEqual(masks(reference));
  for (const f of masks(reference)) expect(readFileSync(join(dir, f)).equals(readFileSync(join(reference, f))), f).toBe(true);
}

describe('--part I/N', () => {
  it('parts are disjoint, in patient-id order, and together the whole selection', () => {
    const ps = IDS.map((id) => ({ id }));
    const parts = [0, 1].map((index) => partOf(ps, { index, count: 2 }).map((p) => p.id));
    expect(parts).toEqual([
      ['p01', 'p03', 'p05'],
      ['p02', 'p04'],
    ]);
    const three = [0, 1, 2].flatMap((index) => partOf(ps, { index, count: 3 }).map((p) => p.id));
    expect(three.sort()).toEqual([...IDS].sort());
    expect(partOf(ps, null).map((p) => p.id)).toEqual(IDS);
  });

  it('a part task gets the command’s options back, without the executor’s, the split and --out', () => {
    const values = { run: ['r1', 'r2'], data: 'd', tta: true, parts: '2', executor: 'slurm', gres: 'gpu:1', 'sbatch-flag': ['--qos=x'], out: 'o', quiet: true };
    expect(partArgs(values)).toEqual(['--run=r1', '--run=r2', '--data=d', '--tta']);
  });

  it('a bad --part, --part with --parts, executor options without --parts, and parts without --data: exit 2, saying which', async () => {
    const usage = async (command: Command, args: string[]) => {
      let err = '';
      const status = await runCommand('lesionseg', command, args, { out: () => {}, err: (t) => void (err += t), env: {}, cwd: root });
      return { status, err };
    };
    for (const [args, message] of [
      [['--data', 'd', '--part', '3/2'], '--part must be I/N with 0 <= I < N (e.g. 0/4), got "3/2"'],
      [['--data', 'd', '--part', '0/0'], '--part must be I/N with 0 <= I < N (e.g. 0/4), got "0/0"'],
      [['--data', 'd', '--part', '0/2', '--parts', '2'], 'give either --part I/N (one part) or --parts N (all parts as tasks), not both'],
      [['--data', 'd', '--parts', '0'], '--parts needs a positive integer, got "0"'],
      [['--data', 'd', '--executor', 'slurm'], '--executor: executor options need --parts N'],
      [['--data', 'd', '--parts', '2', '--gres', 'gpu:1'], 'gres: Slurm resources need --executor slurm'],
      [['--flair1', 'a', '--flair2', 'b', '--parts', '2'], '--parts: prediction in parts needs --data'],
    ] as const) {
      const r = await usage(predictCommand, ['--run', 'r', '--out', 'o', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.err).toContain(`lesionseg predict: ${message}\n(see lesionseg predict --help)`);
    }
    const missing = await usage(predictCommand, ['--run', 'r', '--data', 'no-such-folder', '--out', 'o', '--parts', '2']);
    expect([missing.status, missing.err]).toEqual([1, `lesionseg predict: ${join(root, 'no-such-folder')}: no such dataset folder or manifest\n`]); // before any task
    const r = await usage(evaluateCommand, ['--run', 'r', '--data', 'd', '--out', 'o', '--part', '0/2']);
    expect(r.status).toBe(2);
    expect(r.err).toContain('unknown option --part; did you mean --parts?');
  });
});

describe('--help', () => {
  it('predict lists --part, --parts and the shared executor options; evaluate --parts and the same executor options', () => {
    const predict = commandHelp('lesionseg', PREDICT_SPEC);
    const evaluate = commandHelp('lesionseg', EVALUATE_SPEC);
    expect(predict).toMatch(/--part I\/N +with --data: only part I of N/);
    expect(predict).toMatch(/--parts N +with --data: run the N parts as tasks of --executor/);
    expect(evaluate).toMatch(/--parts N +predict in N parts as tasks of --executor into OUT\/predictions/);
    expect(evaluate).not.toMatch(/--part I\/N/);
    const lines = (help: string) => help.split('\n').filter((l) => Object.keys(EXECUTOR_OPTIONS).some((n) => l.startsWith(`  --${n} `)));
    expect(lines(predict)).toHaveLength(Object.keys(EXECUTOR_OPTIONS).length);
    expect(lines(evaluate)).toEqual(lines(predict));
  });
});

/** One process's masks of the whole dataset, made once. */
function reference(): string {
  const one = join(root, 'one');
  if (!existsSync(one)) expect(run(PREDICT, ['--out', one]).status).toBe(0);
  return one;
}

describe('prediction in parts equals one process', () => {
  it('a --part run, then --parts 2 on the local executor, write the same bytes as one run; complete outputs are kept', () => {
    const one = reference();
    const split = join(root, 'split');
    const p0 = run(PREDICT, ['--out', split, '--part', '0/2']);
    expect(p0.status, p0.out).toBe(0);
    expect(masks(split)).toEqual(['p01.nii.gz', 'p03.nii.gz', 'p05.nii.gz']);
    const both = run(PREDICT, ['--out', 'split', '--parts', '2', '--parallel', '2']); // relative: the user's folder
    expect(both.status, both.out).toBe(0);
    expect(both.out).toContain('predicting 5 patient(s) in 2 part(s) on the local executor');
    expectSameBytes(split, one);
    expect(readFileSync(join(split, 'logs', 'predict-part-0.log'), 'utf8')).toMatch(/p01: kept .*complete, same settings/); // part 0 was complete
    expect(readFileSync(join(split, 'logs', 'predict-part-1.log'), 'utf8')).not.toMatch(/kept/);
    const selected = join(root, 'selected'); // a part of a --patients selection: p02, p04, p05 sorted, every 2nd from 1
    expect(run(PREDICT, ['--out', selected, '--patients', 'p05,p02,p04', '--part', '1/2']).status).toBe(0);
    expect(masks(selected)).toEqual(['p04.nii.gz']);
  }, 300_000);
});

describe('a failed part', () => {
  it('is named with its exit status and log tail; exit 1; the other part’s masks are written', async () => {
    const data = join(root, 'data-bad');
    await writeTinyDataset(data, ['p01', 'p02', 'p03']);
    writeFileSync(join(data, 'p02', 'flair_time02_on_middle_space.nii.gz'), 'not a NIfTI');
    const out = join(root, 'bad');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', PREDICT, '--backend', 'cpu', '--run', join(root, 'run'), '--data', data, '--out', out, '--parts', '2'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      'lesionseg predict: 1 of 2 part(s) failed (run the same command again to finish them; complete outputs are kept):\npart 1/2 failed (exit 1):\n  ',
    );
    expect(r.stderr).toMatch(/p02.*flair_time02_on_middle_space\.nii\.gz/);
    expect(masks(out)).toEqual(['p01.nii.gz', 'p03.nii.gz']);
  }, 300_000);
});

const slurm = probeSlurm();
skipSlurmLoudly('the prediction-in-parts-through-Slurm tests', slurm);

describe.skipIf(!slurm.ok)('prediction in parts on the local Slurm', () => {
  it('evaluate --parts 2 --executor slurm predicts through a 2-task array and scores the union as one process does', () => {
    const one = join(root, 'eval-one');
    const single = run(EVALUATE, ['--out', one]);
    expect(single.status, single.out).toBe(0);
    const viaSlurm = join(root, 'eval-slurm');
    const r = run(EVALUATE, ['--out', viaSlurm, '--parts', '2', '--executor', 'slurm']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/submitted Slurm job array \d+ \(2 task\(s\)/);
    expectSameBytes(join(viaSlurm, 'predictions'), join(one, 'predictions'));
    expect(masks(join(viaSlurm, 'predictions'))).toHaveLength(IDS.length);
    const scores = (dir: string) => (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { summary: unknown }).summary;
    expect(scores(viaSlurm)).toEqual(scores(one));
  }, 300_000);

  it('Ctrl-C (SIGINT) of predict --parts scancels the array and exits 130; the same command again finishes it, equal to one process', async () => {
    const out = join(root, 'interrupted');
    const args = ['--import', 'tsx', PREDICT, '--backend', 'cpu', '--run', join(root, 'run'), '--data', join(root, 'data'), '--out', out];
    const parts = [...args, '--parts', '2', '--parallel', '1', '--executor', 'slurm'];
    const child = spawn(process.execPath, parts, { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Part 1 waits behind part 0 (one at a time): it is still pending or starting when the signal comes.
    while (!stderr.includes('part 0/2: running')) {
      if (child.exitCode !== null) throw new Error(`predict ended before the signal:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    const jobId = /submitted Slurm job array (\d+) \(2 task\(s\), 1 at a time/.exec(stderr)?.[1];
    expect(stderr).toContain(`cancelling Slurm job array ${jobId} (scancel)`);
    expect(stderr).toContain('lesionseg predict: interrupted: the parts were stopped (complete outputs are kept; run the same command again to finish)');
    expect(execFileSync('squeue', ['-h', '-r', '-j', jobId as string, '-o', '%i'], { encoding: 'utf8' }).trim()).toBe('');
    expect(masks(out).length).toBeLessThan(IDS.length);
    const again = spawnSync(process.execPath, parts, { cwd: ROOT, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expectSameBytes(out, reference());
  }, 300_000);
});
