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

describe('compare arguments', () => {
  it('defaults to the six configurations of the paper, 10 minutes each, CPU scale, one at a time', () => {
    const o = parseCompareArgs([]);
    expect(o.presets).toEqual([...COMPARISON_PRESETS]);
    expect([o.budget, o.scale, o.parallel, o.figures]).toEqual(['10m', 'quick', 1, 3]);
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
        { type: 'validationDone', iteration: 10, elapsedMs: 10 * ms, dice },
      ];
      await writeFile(path.join(dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      await writeFile(path.join(dir, 'config.json'), await readFile(arg('--config')));
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
            withNewLesions: { nPatients: 1, dice: ms(name.length / 20), lesionSensitivity: ms(1), lesionPpv: ms(1), lesionF1: ms(1) },
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
    expect(evals[0].args).toContain(`${path.join(root, 'cmp', evals[0].args[evals[0].args.indexOf('--run') + 1].split('/').pop() as string, 'split.json')}:validation`);
    expect(fake.maxRunning()).toBe(2);
    for (const f of ['report.html', 'curves.svg', 'curves.png', 'table.md', 'table.csv', 'timing.json']) expect(existsSync(path.join(root, 'cmp', f)), f).toBe(true);
    const table = await readFile(path.join(root, 'cmp', 'table.md'), 'utf8');
    expect(table.split('\n').filter((l) => /^\| (ohem|oversample)/.test(l))).toHaveLength(6);
    expect(log.join('\n')).toContain('ratio 2.00x (paper: about 2x)');
    expect(log.join('\n')).toContain('decay > 0: 0.500 (paper: decay > 0 reaches a higher plateau) -> held');
    expect(log.join('\n')).toContain('highest for oversample-p0.5 (0.700)');
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
    expect(log.join('\n')).toMatch(/\[ohem-m0\.99\] training failed \(exit 1\):\n {2}out of memory/);
    const html = await readFile(r.report, 'utf8');
    expect(html).toContain('Failed: ohem-m0.99');
    expect(html).toContain('oversample-p0');
  });

  it('a missing dataset folder is an error naming it', async () => {
    const root = await setup();
    await expect(
      compare(parseCompareArgs(['--data', 'nowhere']), { workspaceRoot: root, env: { INIT_CWD: root }, run: fakeRunner(root).run, log: () => {}, generateDefaultData: () => Promise.resolve() }),
    ).rejects.toThrow(`dataset folder ${path.join(root, 'nowhere')} does not exist`);
  });

  it('observations say when a paper observation did not hold', () => {
    const run = (name: string, dice: number, ms: number) => ({
      run: { name, dir: '', config: null, curve: [{ elapsedMs: 1, dice }], iterations: 1, trainingMs: ms, msPerIteration: ms, bestDice: dice, steps: [], provenance: null, backend: null, startedAt: null, endedAt: null, validationModel: null },
      evaluation: null,
    });
    const notes = observations([run('ohem-m0', 0.6, 300), run('ohem-m0.9', 0.5, 300), run('oversample-p0', 0.7, 100)]);
    expect(notes).toEqual([
      'Time per iteration: OHEM 300 ms, oversampling 100 ms, ratio 3.00x (paper: about 2x).',
      'Best validation Dice, OHEM decay 0: 0.600; decay > 0: 0.500 (paper: decay > 0 reaches a higher plateau) -> did not hold here.',
      'Last validation Dice is highest for oversample-p0 (0.700); paper: oversampling with p > 0 ends best -> did not hold here.',
    ]);
  });
});
