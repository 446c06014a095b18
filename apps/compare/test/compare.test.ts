import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChildJob, ChildResult } from '@lesionseg/executors';
import { parseConfig, UsageError } from '@lesionseg/trainer';
import { COMPARISON_PRESETS, parseCompareArgs } from '../src/compare-args.ts';
import { comparisonConfig } from '../src/compare-configs.ts';
import { compare, observations } from '../src/compare.ts';
import { compareTasks } from '../src/tasks.ts';

describe('compare arguments', () => {
  it('defaults to the six configurations of the paper, 10 minutes each, CPU scale, one at a time', () => {
    const o = parseCompareArgs([]);
    expect(o.presets).toEqual([...COMPARISON_PRESETS]);
    expect([o.budget, o.scale, o.executor.kind, o.executor.parallel, o.figures, o.seeds, o.resume]).toEqual(['10m', 'quick', 'local', null, 3, null, false]);
  });

  it('--seeds trains every configuration once per seed, each in its own run folder', () => {
    const o = parseCompareArgs(['--presets', 'ohem-m0.9,oversample-p0', '--seeds', '1, 2', '--executor', 'slurm', '--parallel', '2', '--gres', 'gpu:1']);
    expect(compareTasks(o, '/c').map((t) => [t.name, t.preset, t.seed, t.runDir])).toEqual([
      ['ohem-m0.9-s1', 'ohem-m0.9', 1, '/c/ohem-m0.9-s1'],
      ['ohem-m0.9-s2', 'ohem-m0.9', 2, '/c/ohem-m0.9-s2'],
      ['oversample-p0-s1', 'oversample-p0', 1, '/c/oversample-p0-s1'],
      ['oversample-p0-s2', 'oversample-p0', 2, '/c/oversample-p0-s2'],
    ]);
    expect([o.executor.kind, o.executor.parallel, o.executor.resources.gres]).toEqual(['slurm', 2, 'gpu:1']);
    expect(() => parseCompareArgs(['--seeds', '1,x'])).toThrow('--seeds needs a comma-separated list of non-negative integers, got "1,x"');
    expect(() => parseCompareArgs(['--seeds', '1,1'])).toThrow('--seeds lists a seed twice');
    expect(() => parseCompareArgs(['--seeds', '1,2', '--seed', '3'])).toThrow('give either --seed or --seeds, not both');
  });

  it('names unknown configurations and bad values', () => {
    expect(() => parseCompareArgs(['--presets', 'ohem-m0.9,ohem-m5'])).toThrow(/unknown configuration\(s\) "ohem-m5"; known: ohem-m0, /);
    expect(() => parseCompareArgs(['--scale', 'huge'])).toThrow('--scale must be one of quick, paper, got "huge"');
    expect(() => parseCompareArgs(['--parallel', '0'])).toThrow(UsageError);
    expect(() => parseCompareArgs(['--presets', 'ohem-m0,ohem-m0'])).toThrow('twice');
    expect(() => parseCompareArgs(['--bogus'])).toThrow(UsageError);
  });

  it('compare --budget 0s is a usage error before any training starts (issue 12 fault 16)', () => {
    expect(() => parseCompareArgs(['--budget', '0s'])).toThrow('--budget: Duration "0s" must be positive');
    expect(() => parseCompareArgs(['--budget', 'ten minutes'])).toThrow(expect.objectContaining({ name: 'UsageError' }));
  });
});

describe('comparison configs', () => {
  it('every configuration at both scales is a valid trainer config', () => {
    for (const scale of ['quick', 'paper'] as const) {
      for (const name of COMPARISON_PRESETS) expect(() => parseConfig(comparisonConfig(name, scale)), `${name} ${scale}`).not.toThrow();
    }
  });

  it('at quick scale the configurations differ only in strategy, EMA decay and validation model', () => {
    const strip = (c: Record<string, unknown>) => {
      const { strategy: _s, ema: _e, validation, name: _n, ...rest } = c;
      return { ...rest, validation: { ...(validation as object), model: null } };
    };
    const configs = COMPARISON_PRESETS.map((n) => comparisonConfig(n, 'quick'));
    for (const c of configs) expect(strip(c)).toEqual(strip(configs[0]));
    const ohem = comparisonConfig('ohem-m0.99', 'quick');
    expect(ohem.strategy).toMatchObject({ type: 'ohem', batchSize: 8, candidates: 32, positiveFraction: 0.3 });
    expect(ohem.ema).toEqual({ type: 'ema', decay: 0.99 });
    expect(comparisonConfig('oversample-p0.1', 'quick').strategy).toEqual({ type: 'oversample', p: 0.1, batchSize: 8 });
  });
});

const seedOf = (name: string) => Number(/-s(\d+)$/.exec(name)?.[1] ?? 0);

/** A fake process runner: "training" writes a run folder, "evaluation" a results.json. */
function fakeRunner(root: string, failing: string[] = []) {
  const jobs: ChildJob[] = [];
  let running = 0;
  let maxRunning = 0;
  const run = async (job: ChildJob): Promise<ChildResult> => {
    jobs.push(job);
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    const arg = (k: string) => job.args[job.args.indexOf(k) + 1];
    const name = path.basename(arg('--run')); // the run folder, for the trainer and the evaluator alike
    if (failing.includes(name)) return { exitCode: 1, ms: 5, tail: ['out of memory'] };
    if (job.script.endsWith('trainer/src/main.ts')) {
      const dir = arg('--run');
      await mkdir(dir, { recursive: true });
      const ms = name.startsWith('ohem') ? 200 : 100;
      const dice = name === 'ohem-m0' ? 0.3 : name.startsWith('ohem') ? 0.5 : name === 'oversample-p0.5' ? 0.7 : 0.4;
      const lines = [
        { type: 'stepDone', iteration: 10, elapsedMs: 10 * ms, loss: 1, lr: 1e-3 },
        { type: 'validationDone', iteration: 10, elapsedMs: 10 * ms, dice: dice + seedOf(name) / 100 },
        { type: 'trainEnd', iteration: 10, elapsedMs: 10 * ms, reason: 'budget', bestDice: dice },
      ];
      await writeFile(path.join(dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      if (!job.args.includes('--resume')) await writeFile(path.join(dir, 'config.json'), await readFile(arg('--config')));
    } else {
      const dir = arg('--out');
      await mkdir(dir, { recursive: true });
      const ms = (mean: number) => ({ mean, sem: null, n: 1, nNaN: 0 });
      await writeFile(
        path.join(dir, 'results.json'),
        JSON.stringify({
          params: {},
          patients: [],
          summary: {
            withNewLesions: { nPatients: 1, dice: ms(name.length / 20 + seedOf(name) / 10), lesionSensitivity: ms(1), lesionPpv: ms(1), lesionF1: ms(1) },
            withoutNewLesions: { nPatients: 0, nPredLesions: ms(Number.NaN), predLesionVolumeMm3: ms(Number.NaN) },
          },
        }),
      );
    }
    return { exitCode: 0, ms: 5, tail: [] };
  };
  return { run, jobs, maxRunning: () => maxRunning };
}

async function setup() {
  const root = await mkdtemp(path.join(tmpdir(), 'compare-'));
  await mkdir(path.join(root, 'data'));
  return root;
}

describe('compare orchestration', () => {
  it('trains every configuration with the same budget, evaluates each on its validation split, and reports', async () => {
    const root = await setup();
    const fake = fakeRunner(root);
    const log: string[] = [];
    const r = await compare(parseCompareArgs(['--data', 'data', '--out', 'cmp', '--budget', '2m', '--parallel', '2', '--figures', '0']), {
      workspaceRoot: root,
      env: { INIT_CWD: root },
      run: fake.run,
      log: (l) => log.push(l),
      generateDefaultData: () => Promise.reject(new Error('must not generate when --data is given')),
    });
    expect(r.failed).toEqual([]);
    const trains = fake.jobs.filter((j) => j.script.endsWith('apps/trainer/src/main.ts'));
    const evals = fake.jobs.filter((j) => j.script.endsWith('apps/evaluator/src/evaluate-main.ts'));
    expect(trains).toHaveLength(6);
    expect(evals).toHaveLength(6);
    for (const t of trains) expect(t.args.slice(t.args.indexOf('--budget'), t.args.indexOf('--budget') + 2)).toEqual(['--budget', '2m']);
    expect(evals[0].args).toContain(
      `${path.join(root, 'cmp', evals[0].args[evals[0].args.indexOf('--run') + 1].split('/').pop() as string, 'split.json')}:validation`,
    );
    expect(fake.maxRunning()).toBe(2);
    for (const f of ['report.html', 'curves.svg', 'curves.png', 'table.md', 'table.csv', 'timing.json'])
      expect(existsSync(path.join(root, 'cmp', f)), f).toBe(true);
    const table = await readFile(path.join(root, 'cmp', 'table.md'), 'utf8');
    expect(table.split('\n').filter((l) => /^\| (ohem|oversample)/.test(l))).toHaveLength(6);
    expect(log.join('\n')).toContain('ratio 2.00x (paper: about 2x)');
    expect(log.join('\n')).toContain('decay > 0: 0.500 (paper: decay > 0 reaches a higher plateau) -> held');
    expect(log.join('\n')).toContain('highest for oversample-p0.5 (0.700)');
  });

  it('interrupted (Ctrl-C / SIGTERM aborts its signal): the running trainings are stopped, nothing more starts, no report', async () => {
    const root = await setup();
    const controller = new AbortController();
    const started: ChildJob[] = [];
    const stopped: string[] = [];
    // A training that runs until it is told to stop, then exits 143 as the trainer does.
    const run = (job: ChildJob, signal?: AbortSignal): Promise<ChildResult> => {
      started.push(job);
      if (started.length === 2) setTimeout(() => controller.abort('SIGINT'), 5);
      return new Promise((resolve) =>
        signal?.addEventListener('abort', () => {
          stopped.push(job.label);
          resolve({ exitCode: 143, ms: 5, tail: ['checkpoint saved'] });
        }),
      );
    };
    const args = ['--data', 'data', '--out', 'cmp', '--presets', 'ohem-m0,ohem-m0.9,oversample-p0', '--parallel', '2', '--figures', '0'];
    const deps = { workspaceRoot: root, env: { INIT_CWD: root }, run, log: () => {}, generateDefaultData: () => Promise.resolve(), signal: controller.signal };
    await expect(compare(parseCompareArgs(args), deps)).rejects.toThrow(
      'interrupted during training: its tasks were stopped (run folders kept; --resume finishes them)',
    );
    expect(stopped).toEqual(['ohem-m0 training', 'ohem-m0.9 training']);
    expect(started).toHaveLength(2); // the third training and every evaluation never started
    expect(existsSync(path.join(root, 'cmp', 'report.html'))).toBe(false);
  });

  it('a configuration that fails is reported and the others still finish', async () => {
    const root = await setup();
    const fake = fakeRunner(root, ['ohem-m0.99']);
    const log: string[] = [];
    const r = await compare(parseCompareArgs(['--data', 'data', '--out', 'cmp', '--presets', 'ohem-m0.99,oversample-p0', '--figures', '0']), {
      workspaceRoot: root,
      env: { INIT_CWD: root },
      run: fake.run,
      log: (l) => log.push(l),
      generateDefaultData: () => Promise.resolve(),
    });
    expect(r.failed).toEqual(['ohem-m0.99']);
    expect(log.join('\n')).toMatch(/\[training\] ohem-m0\.99 training failed \(exit 1\):\n {2}out of memory/);
    const html = await readFile(r.report, 'utf8');
    expect(html).toContain('Failed: ohem-m0.99');
    expect(html).toContain('oversample-p0');
  });

  it('with --seeds: Table 1 is the mean (SEM) over seeds per configuration, and one row per run is kept', async () => {
    const root = await setup();
    const fake = fakeRunner(root);
    const deps = { workspaceRoot: root, env: { INIT_CWD: root }, run: fake.run, log: () => {}, generateDefaultData: () => Promise.resolve() };
    const r = await compare(
      parseCompareArgs(['--data', 'data', '--out', 'cmp', '--presets', 'ohem-m0.9,oversample-p0.5', '--seeds', '1,2', '--figures', '0']),
      deps,
    );
    expect(r.failed).toEqual([]);
    const trains = fake.jobs.filter((j) => j.script.endsWith('apps/trainer/src/main.ts'));
    expect(trains.map((j) => [path.basename(j.args[j.args.indexOf('--run') + 1]), j.args[j.args.indexOf('--seed') + 1]])).toEqual([
      ['ohem-m0.9-s1', '1'],
      ['ohem-m0.9-s2', '2'],
      ['oversample-p0.5-s1', '1'],
      ['oversample-p0.5-s2', '2'],
    ]);
    // the fake's Dice per run: name length / 20 + seed / 10, so seeds 1 and 2 differ by 0.1
    const d = (name: string, seed: number) => name.length / 20 + seed / 10;
    const table = await readFile(path.join(root, 'cmp', 'table.md'), 'utf8');
    const row = table.split('\n').find((l) => l.startsWith('| ohem-m0.9 (2 seeds)')) as string;
    const sem = Math.abs(d('ohem-m0.9-s2', 2) - d('ohem-m0.9-s1', 1)) / 2; // SD / sqrt(2) of two values
    expect(row.split('|')[2].trim()).toBe(`${((d('ohem-m0.9-s1', 1) + d('ohem-m0.9-s2', 2)) / 2).toFixed(3)} (${sem.toFixed(3)})`);
    expect(table).toContain('| oversample-p0.5 (2 seeds)');
    const perSeed = await readFile(path.join(root, 'cmp', 'table-per-seed.md'), 'utf8');
    expect(perSeed.split('\n').filter((l) => /^\| (ohem|oversample)/.test(l))).toHaveLength(4);
    const svg = await readFile(path.join(root, 'cmp', 'curves.svg'), 'utf8');
    expect(svg).toContain('mean over seeds');
  });

  it('--resume resubmits only the unfinished training (continuing its run folder) and evaluates what is missing', async () => {
    const root = await setup();
    const failing = ['oversample-p0-s2'];
    const fake = fakeRunner(root, failing);
    const deps = { workspaceRoot: root, env: { INIT_CWD: root }, run: fake.run, log: () => {}, generateDefaultData: () => Promise.resolve() };
    const args = ['--data', 'data', '--out', 'cmp', '--presets', 'ohem-m0.9,oversample-p0', '--seeds', '1,2', '--figures', '0'];
    const first = await compare(parseCompareArgs(args), deps);
    expect(first.failed).toEqual(['oversample-p0-s2']);
    // the failed training had started: its folder holds config.json (an interrupted run), no trainEnd
    await mkdir(path.join(root, 'cmp', 'oversample-p0-s2'), { recursive: true });
    await writeFile(path.join(root, 'cmp', 'oversample-p0-s2', 'config.json'), '{}');
    failing.length = 0;
    fake.jobs.length = 0;
    const again = await compare(parseCompareArgs([...args, '--resume']), deps);
    expect(again.failed).toEqual([]);
    expect(fake.jobs.map((j) => j.label)).toEqual(['oversample-p0-s2 training', 'oversample-p0-s2 evaluation']);
    expect(fake.jobs[0].args.slice(0, 3)).toEqual(['--run', path.join(root, 'cmp', 'oversample-p0-s2'), '--resume']);
    const table = await readFile(path.join(root, 'cmp', 'table.md'), 'utf8');
    expect(table).toContain('| oversample-p0 (2 seeds)');
  });

  it('a missing dataset folder is an error naming it', async () => {
    const root = await setup();
    await expect(
      compare(parseCompareArgs(['--data', 'nowhere']), {
        workspaceRoot: root,
        env: { INIT_CWD: root },
        run: fakeRunner(root).run,
        log: () => {},
        generateDefaultData: () => Promise.resolve(),
      }),
    ).rejects.toThrow(`dataset folder ${path.join(root, 'nowhere')} does not exist`);
  });

  it('observations say when a paper observation did not hold', () => {
    const run = (name: string, dice: number, ms: number) => ({
      run: {
        name,
        dir: '',
        config: null,
        curve: [{ elapsedMs: 1, dice }],
        iterations: 1,
        trainingMs: ms,
        msPerIteration: ms,
        bestDice: dice,
        steps: [],
        provenance: null,
        backend: null,
        startedAt: null,
        endedAt: null,
        validationModel: null,
      },
      evaluation: null,
    });
    const notes = observations([run('ohem-m0', 0.6, 300), run('ohem-m0.9', 0.5, 300), run('oversample-p0', 0.7, 100)]);
    expect(notes).toEqual([
      'Time per iteration: OHEM 300 ms, oversampling 100 ms, ratio 3.00x (paper: about 2x).',
      'Best validation Dice, OHEM decay 0: 0.600; decay > 0: 0.500 (paper: decay > 0 reaches a higher plateau) -> did not hold here.',
      'Last validation Dice is highest for oversample-p0 (0.700); paper: oversampling with p > 0 ends best -> did not hold here.',
    ]);
  });

  it('observations cannot tell when the Dice differ by less than the margin (both learned nothing), and hold only by the margin', () => {
    const run = (name: string, dice: number) => ({
      run: { name, dir: '', config: null, curve: [{ elapsedMs: 1, dice }], iterations: 1, trainingMs: 1, msPerIteration: null, bestDice: dice, steps: [] },
      evaluation: null,
    });
    // The by-hand comparison of 2026-12: OHEM learned nothing (best 0.0002 from one noisy validation), p = 0.5 did.
    const nothing = observations([run('ohem-m0', 0), run('ohem-m0.99', 0.0002), run('oversample-p0', 0.004), run('oversample-p0.1', 0.0)] as never);
    expect(nothing).toEqual([
      'Best validation Dice, OHEM decay 0: 0.000; decay > 0: 0.000 (paper: decay > 0 reaches a higher plateau) -> cannot tell: less than 0.01 Dice apart here.',
      'Last validation Dice is highest for oversample-p0 (0.004); paper: oversampling with p > 0 ends best -> cannot tell: less than 0.01 Dice apart here.',
    ]);
    const clear = observations([run('ohem-m0', 0.1), run('ohem-m0.9', 0.3), run('oversample-p0', 0.2), run('oversample-p0.5', 0.8)] as never);
    expect(clear.map((n) => n.split(' -> ')[1])).toEqual(['held here.', 'held here.']);
  });
});
