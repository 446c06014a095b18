/** Fault 2 of issue 12 (training side): a NaN loss stops the run; the last good checkpoints stay. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli/args.ts';
import { presetConfig } from '../src/config/presets.ts';
import { train, type RuntimeRequest } from '../src/train.ts';
import { fakeDeps, fakeRuntimeFactory } from './fake-runtime.ts';
import type { FakeModel } from './fakes.ts';
import { tempDir } from './harness.ts';

describe('a non-finite loss (fault 2)', () => {
  it('stops at the first NaN loss, exits 1 naming it, and leaves checkpoints/latest and best as they were', async () => {
    const root = tempDir('lesionseg-nan-');
    const config = presetConfig('ohem-m0.9');
    config['data'] = { type: 'msseg2', path: root, validationFraction: 0.25, spacingMm: 0.5, patchSize: 32 };
    config['validation'] = { type: 'dice', everyIterations: 2 };
    config['budget'] = { type: 'iterations', iterations: 20 };
    config['checkpoint'] = { type: 'interval', everySeconds: 0.001 };
    writeFileSync(path.join(root, 'c.json'), JSON.stringify(config));
    const models: FakeModel[] = [];
    const { deps, captured, clock } = fakeDeps(root);
    const make = fakeRuntimeFactory(clock, models);
    Object.assign(deps, {
      createRuntime: async (request: RuntimeRequest) => {
        const runtime = await make(request);
        const inner = runtime.trainable;
        runtime.trainable = {
          trainStep: async (batch, lr) => {
            const r = await inner.trainStep(batch, lr);
            return models[0].steps >= 7 ? { loss: NaN } : r;
          },
        };
        return runtime;
      },
    });
    const runDir = path.join(root, 'run');
    const read = (kind: string) => readFileSync(path.join(runDir, 'checkpoints', kind, 'fake-model.json'), 'utf8');
    const r = await train(parseCli(['--config', path.join(root, 'c.json'), '--out', runDir]), deps);
    expect(r.exitCode).toBe(1);
    const log = captured.logs.join('\n');
    expect(log).toContain('training stopped at iteration 7: the loss is NaN');
    expect(log).toContain('checkpoints/latest and checkpoints/best were left as they were');
    expect(log).not.toContain('continue with --resume');
    // both were last written after iteration 6 (validation every 2, checkpoint every step), with finite weights
    for (const kind of ['latest', 'best']) {
      const saved = JSON.parse(read(kind)) as { w: number[]; state: { iteration: number } };
      expect(saved.state.iteration).toBe(6);
      expect(saved.w.every(Number.isFinite)).toBe(true);
    }
    const last = readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(last.filter((e) => e['type'] === 'stepDone')).toHaveLength(6);
    expect(last.at(-1)).toMatchObject({ type: 'trainEnd', reason: 'error' });
  });
});
