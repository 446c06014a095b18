/**
 * A run folder moved together with its data keeps working (issue 16, provenance): the run files
 * store paths relative to the run folder, so after the move --resume finds the data, the predictor
 * loads the checkpoint and the report reads the run, and no run file names the old place.
 */
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { phantomOptions, writeSyntheticDataset } from '@lesionseg/data';
import { loadPredictor } from '@lesionseg/models';
import { readRunFolder, writeRunReport } from '@lesionseg/report';
import { parseCli } from '../src/cli/args.ts';
import { createRealRuntime } from '../src/adapters/real-runtime.ts';
import { train } from '../src/train.ts';
import { fakeDeps } from './fake-runtime.ts';
import { tinyConfig } from './process-harness.ts';
import { tempDir } from './harness.ts';

const root = tempDir('lesionseg-move-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every text file under `dir` (weights are binary and hold no paths) whose content names `needle`. */
function filesNaming(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    if (!statSync(file).isFile() || file.endsWith('.bin')) continue;
    if (readFileSync(file, 'utf8').includes(needle)) hits.push(name);
  }
  return hits;
}

describe('a moved run folder', () => {
  it('resumes, predicts and reports from the new place, and its files hold no absolute path of the old one', async () => {
    const old = path.join(root, 'old');
    const data = path.join(old, 'data');
    await writeSyntheticDataset(data, { patients: 3, seed: 3, phantom: phantomOptions('quick', { shape: [16, 16, 16] }) });
    const base = tinyConfig(data, 4);
    const config = {
      ...base,
      backend: 'cpu',
      data: { ...(base['data'] as object), validationFraction: 0.34 },
      validation: { type: 'dice', everyIterations: 2, model: 'ema' },
    };
    writeFileSync(path.join(old, 'c.json'), JSON.stringify(config));
    const logs: string[] = [];
    // Stopped after iteration 2 (as by Ctrl-C), so that --resume has work left to do.
    const first = fakeDeps(old, {
      createRuntime: (request) => createRealRuntime(request, (t) => logs.push(t)),
      hooks: [{ name: 'ctrl-c', afterStep: (ctx) => void (ctx.iteration === 2 && first.captured.signal?.('SIGINT')) }],
    });
    expect((await train(parseCli(['--config', path.join(old, 'c.json'), '--run', path.join(old, 'run')]), first.deps)).exitCode).toBe(130);
    expect(JSON.parse(readFileSync(path.join(old, 'run', 'config.json'), 'utf8')).data.path).toBe(path.join('..', 'data'));

    const moved = path.join(root, 'new');
    renameSync(old, moved);
    const runDir = path.join(moved, 'run');
    expect(filesNaming(runDir, old)).toEqual([]);

    const second = fakeDeps(moved, { createRuntime: (request) => createRealRuntime(request, (t) => logs.push(t)) });
    const resumed = await train(parseCli(['--run', runDir, '--resume']), second.deps);
    expect(resumed.exitCode, logs.join('\n')).toBe(0);
    expect(resumed.end?.iteration).toBe(4);
    expect(filesNaming(runDir, old)).toEqual([]);
    // The model card's training data resolves to the dataset at its new place.
    const card = JSON.parse(readFileSync(path.join(runDir, 'checkpoints', 'latest', 'metadata.json'), 'utf8')) as { training: { data: string } };
    expect(path.resolve(runDir, 'checkpoints', 'latest', card.training.data)).toBe(path.join(moved, 'data'));

    const predictor = await loadPredictor(runDir, { backend: 'cpu', log: () => {} });
    expect(predictor.runDir).toBe(runDir);
    expect(path.dirname(predictor.checkpointDir)).toBe(path.join(runDir, 'checkpoints'));
    predictor.dispose();

    const run = await readRunFolder(runDir);
    expect(run.iterations).toBe(4);
    const report = await writeRunReport(runDir, { run, evaluation: null, figures: [], viewers: [] });
    expect(readFileSync(report, 'utf8')).toContain(runDir);
    expect(filesNaming(runDir, old)).toEqual([]);
  }, 240_000);
});
