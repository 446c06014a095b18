import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli/args.ts';
import { presetConfig } from '../src/config/presets.ts';
import { train } from '../src/train.ts';
import { fakeDeps } from './fake-runtime.ts';
import { tempDir } from './harness.ts';

function workspace(): string {
  const root = tempDir('lesionseg-ws-');
  mkdirSync(path.join(root, 'data', 'phantoms'), { recursive: true });
  return root;
}

function events(runDir: string): Record<string, unknown>[] {
  return readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('trainer main job with a fake runtime', () => {
  it('fills the run folder contract: config.json, split.json, events.jsonl, checkpoints/latest and best', async () => {
    const root = workspace();
    const { deps, captured } = fakeDeps(root);
    const result = await train(parseCli(['--preset', 'ohem-m0.9', '--iterations', '6', '--out', 'runs/r1', '--seed', '5']), deps);
    expect(result.exitCode).toBe(0);
    const runDir = path.join(root, 'runs', 'r1'); // relative --out resolved against INIT_CWD
    expect(result.runDir).toBe(runDir);
    const config = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(config['budget']).toEqual({ type: 'iterations', iterations: 6 });
    expect(config['seed']).toBe(5);
    // data.path is stored relative to the run folder (the folder can move with its data).
    expect(config['data']['path']).toBe(path.join('..', '..', 'data', 'phantoms'));
    expect(path.resolve(runDir, config['data']['path'] as string)).toBe(path.join(root, 'data', 'phantoms'));
    expect(config['strategy']).toEqual({ type: 'ohem', candidates: 128, positiveFraction: 0.3, batchSize: 32, scoreChunk: 32 });
    expect(JSON.parse(readFileSync(path.join(runDir, 'split.json'), 'utf8'))).toEqual({ train: ['p01', 'p02', 'p03'], validation: ['p04'], seed: 5 });
    expect(existsSync(path.join(runDir, 'checkpoints', 'latest', 'fake-model.json'))).toBe(true);
    expect(existsSync(path.join(runDir, 'checkpoints', 'best', 'fake-model.json'))).toBe(true);

    const ev = events(runDir);
    for (const e of ev) {
      expect(typeof e['type']).toBe('string');
      expect(typeof e['iteration']).toBe('number');
      expect(typeof e['elapsedMs']).toBe('number');
    }
    const of = (t: string) => ev.filter((e) => e['type'] === t);
    expect(of('trainStart')[0]).toMatchObject({ backend: 'fake', resumed: false, budget: { kind: 'iterations', iterations: 6 } });
    expect(of('stepDone')).toHaveLength(6);
    expect(of('stepDone')[0]).toMatchObject({ iteration: 1, lr: 1e-3, batchSize: 32 });
    expect(typeof of('stepDone')[0]['loss']).toBe('number');
    expect(of('batchMined')[0]).toMatchObject({ strategy: 'ohem', candidates: 128, selected: 32 });
    for (const k of ['positiveCandidates', 'positiveSelected', 'meanCandidateLoss', 'meanSelectedLoss']) expect(typeof of('batchMined')[0][k]).toBe('number');
    expect(of('emaUpdated')[0]).toMatchObject({ decay: 0.9 });
    expect(of('validationDone')[0]).toMatchObject({ iteration: 6, dice: 0.1, isBest: true });
    expect(of('trainEnd')[0]).toMatchObject({ reason: 'iterations', iteration: 6 });
    // the progress bar printed its line on stderr (captured)
    expect(captured.progress.join('')).toMatch(/it 6 .*loss \d\.\d{4} \| lr 1\.0e-5 \| val Dice 0\.100/);
  });

  it("--cache DIR sets data.cacheDir (resolved against the user's folder) for a new run; the default is none (the dataset's own)", async () => {
    const root = workspace();
    const { deps } = fakeDeps(root);
    const config = (run: string) => JSON.parse(readFileSync(path.join(root, 'runs', run, 'config.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect((await train(parseCli(['--iterations', '2', '--run', 'runs/plain']), deps)).exitCode).toBe(0);
    expect(config('plain')['data']['cacheDir']).toBeNull();
    expect((await train(parseCli(['--iterations', '2', '--run', 'runs/c', '--cache', 'shared/cache']), deps)).exitCode).toBe(0);
    // Stored relative to the run folder (so the folder can move with its data), resolved on --resume.
    expect(config('c')['data']['cacheDir']).toBe(path.join('..', '..', 'shared', 'cache'));
    expect(path.resolve(root, 'runs', 'c', config('c')['data']['cacheDir'] as string)).toBe(path.join(root, 'shared', 'cache'));
    expect(config('c')['data']['memoryMiB']).toBe(2048);
  });

  it('Ctrl-C saves a checkpoint and exits 130; --resume continues to the same result as an unsplit run', async () => {
    const root = workspace();
    const args = ['--preset', 'ohem-m0.9', '--iterations', '12', '--seed', '9'];
    const unsplit = fakeDeps(root);
    await train(parseCli([...args, '--out', 'runs/full']), unsplit.deps);

    const first = fakeDeps(root, {
      hooks: [
        {
          name: 'press-ctrl-c',
          afterStep: (ctx) => {
            if (ctx.iteration === 5) first.captured.signal?.('SIGINT');
          },
        },
      ],
    });
    const r1 = await train(parseCli([...args, '--out', 'runs/split']), first.deps);
    expect(r1.exitCode).toBe(130);
    expect(first.captured.logs.join('\n')).toContain('continue with --resume');
    const second = fakeDeps(root);
    const r2 = await train(parseCli(['--resume', 'runs/split']), second.deps);
    expect(r2.exitCode).toBe(0);
    expect(second.captured.models[0].w).toEqual(unsplit.captured.models[0].w);
    expect(second.captured.models[0].ema).toEqual(unsplit.captured.models[0].ema);
    const losses = (dir: string) =>
      events(path.join(root, 'runs', dir))
        .filter((e) => e['type'] === 'stepDone')
        .map((e) => e['loss']);
    expect(losses('split')).toEqual(losses('full'));
    const starts = events(path.join(root, 'runs', 'split')).filter((e) => e['type'] === 'trainStart');
    expect(starts.map((s) => [s['resumed'], s['iteration']])).toEqual([
      [false, 0],
      [true, 5],
    ]);
  });

  it('a steering hook that throws exits 1 with a saved checkpoint and a message naming the hook', async () => {
    const root = workspace();
    const { deps, captured } = fakeDeps(root, {
      hooks: [
        {
          name: 'broken-hook',
          afterStep: (ctx) => {
            if (ctx.iteration === 3) throw new Error('disk quota');
          },
        },
      ],
    });
    const r = await train(parseCli(['--iterations', '10', '--out', 'runs/x']), deps);
    expect(r.exitCode).toBe(1);
    expect(captured.logs.join('\n')).toContain('steering plugin "broken-hook" failed at iteration 3: disk quota');
    expect(existsSync(path.join(root, 'runs', 'x', 'checkpoints', 'latest', 'fake-model.json'))).toBe(true);
    const fatal = events(path.join(root, 'runs', 'x')).filter((e) => e['type'] === 'error');
    expect(fatal[0]).toMatchObject({ fatal: true, source: 'broken-hook' });
  });

  it('a progress bar whose output throws does not stop training', async () => {
    const root = workspace();
    const { deps } = fakeDeps(root, {
      progressOutput: {
        write: () => {
          throw new Error('EPIPE');
        },
        isTTY: true,
      },
    });
    const r = await train(parseCli(['--iterations', '4', '--out', 'runs/y']), deps);
    expect(r.exitCode).toBe(0);
    const ev = events(path.join(root, 'runs', 'y'));
    expect(ev.filter((e) => e['type'] === 'stepDone')).toHaveLength(4);
    expect(ev.some((e) => e['type'] === 'error' && e['fatal'] === false && String(e['message']).includes('EPIPE'))).toBe(true);
  });

  it('config errors are reported before anything is written; an existing run is never overwritten', async () => {
    const root = workspace();
    const file = path.join(root, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...presetConfig('quick'), strategy: { type: 'ohem', decay: 0.9 } }));
    const { deps } = fakeDeps(root);
    await expect(train(parseCli(['--config', 'bad.json', '--out', 'runs/bad']), deps)).rejects.toThrow('strategy.decay: unknown option "decay"');
    expect(existsSync(path.join(root, 'runs', 'bad'))).toBe(false);
    await train(parseCli(['--iterations', '1', '--out', 'runs/once']), deps);
    await expect(train(parseCli(['--iterations', '1', '--out', 'runs/once']), deps)).rejects.toThrow('already holds a run');
    await expect(train(parseCli(['--data', 'nowhere', '--out', 'runs/z']), deps)).rejects.toThrow(
      `dataset folder ${path.join(root, 'nowhere')} does not exist`,
    );
  });

  it('with no argument, generates the default dataset when missing and trains the quick preset', async () => {
    const root = tempDir('lesionseg-ws-');
    const generated: string[] = [];
    const { deps } = fakeDeps(root, {
      generateDefaultData: (dir) => {
        generated.push(dir);
        mkdirSync(dir, { recursive: true });
        return Promise.resolve();
      },
    });
    // the quick preset's time budget is 3 min of (fake) training time at 10 ms per step
    const r = await train(parseCli([]), deps);
    expect(generated).toEqual([path.join(root, 'data', 'phantoms')]);
    expect(r.exitCode).toBe(0);
    expect(path.dirname(r.runDir)).toBe(path.join(root, 'runs'));
    expect(r.runDir).toMatch(/-quick$/);
    expect(r.end).toMatchObject({ reason: 'budget', iteration: 18000 });
  });
});
