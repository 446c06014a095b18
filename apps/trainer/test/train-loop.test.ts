import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeModel, ScriptedValidator, FakeClock } from './fakes.ts';
import { fakeRun, ofType, tempDir } from './harness.ts';
import { TrainingStoppedError } from '../src/core/train-loop.ts';

describe('core training loop', () => {
  it('with a fake clock, decays the LR at exactly 50 % and 80 % of a time budget and stops at the budget', async () => {
    // 10 ms per step, 1 s budget, validation every 100 ms of training costing 500 ms of wall time
    const run = fakeRun({
      budget: { kind: 'time', ms: 1000 },
      validator: (clock) => new ScriptedValidator(clock, (i) => i / 100),
      settings: { validateEveryMs: 100 },
    });
    const end = await run.loop.run();
    expect(end.reason).toBe('budget');
    expect(end.iteration).toBe(100);
    expect(end.elapsedMs).toBe(1000); // validation time excluded
    expect(run.clock.t).toBeGreaterThan(5000); // ...although it was spent
    const changes = ofType(run.events, 'lrChanged');
    expect(changes.map((c) => c.iteration)).toEqual([50, 80]);
    expect(changes.map((c) => c.elapsedMs)).toEqual([500, 800]);
    const steps = ofType(run.events, 'stepDone');
    expect(steps).toHaveLength(100);
    expect(steps[49].lr).toBe(1e-3); // step 50 (iteration 49 -> 50) started at 49 %
    expect(steps[50].lr).toBeCloseTo(1e-4, 15);
    expect(steps[79].lr).toBeCloseTo(1e-4, 15);
    expect(steps[80].lr).toBeCloseTo(1e-5, 15);
    const validations = ofType(run.events, 'validationDone');
    expect(validations.map((v) => v.iteration)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('emits, per iteration, batchMined, stepDone, emaUpdated in that order, and trainStart/trainEnd around them', async () => {
    const run = fakeRun({ budget: { kind: 'iterations', iterations: 3 } });
    const end = await run.loop.run();
    expect(end.reason).toBe('iterations');
    const types = run.events.map((e) => e.type);
    expect(types).toEqual([
      'trainStart',
      ...['batchMined', 'stepDone', 'emaUpdated'],
      ...['batchMined', 'stepDone', 'emaUpdated'],
      // iteration 2 of 3 starts at 67 % of the budget: the LR decays before the batch is drawn
      ...['lrChanged', 'batchMined', 'stepDone', 'emaUpdated'],
      'checkpointSaved',
      'trainEnd',
    ]);
    const mined = ofType(run.events, 'batchMined')[0];
    expect(mined).toMatchObject({ iteration: 0, strategy: 'ohem', candidates: 16, selected: 4 });
    expect(ofType(run.events, 'emaUpdated')[0]).toMatchObject({ iteration: 1, decay: 0.9 });
    expect(existsSync(path.join(run.runDir, 'checkpoints', 'latest', 'fake-model.json'))).toBe(true);
  });

  it('a run split in two (stop + resume) equals the unsplit run for the same seed and iteration budget', async () => {
    const budget = { kind: 'iterations' as const, iterations: 24 };
    const full = fakeRun({ budget, seed: 7 });
    await full.loop.run();

    const dir = tempDir();
    const first = fakeRun({ budget, seed: 7, runDir: dir });
    first.bus.on('stepDone', (e) => {
      if (e.iteration === 9) first.stop.request('SIGINT');
    });
    const end1 = await first.loop.run();
    expect(end1).toMatchObject({ reason: 'interrupted', iteration: 9 });
    expect(ofType(first.events, 'checkpointSaved').at(-1)).toMatchObject({ kind: 'interrupt' });

    // a new process: fresh model, generator and strategy, state from the checkpoint
    const second = fakeRun({ budget, seed: 12345, runDir: dir, clock: new FakeClock() });
    const state = await second.model.load(path.join(dir, 'checkpoints', 'latest'));
    const end2 = await second.loop.run(state);
    expect(end2).toMatchObject({ reason: 'iterations', iteration: 24 });
    expect(ofType(second.events, 'trainStart')[0]).toMatchObject({ resumed: true, iteration: 9 });

    expect(second.model.w).toEqual(full.model.w);
    expect(second.model.m).toEqual(full.model.m);
    expect(second.model.ema).toEqual(full.model.ema);
    const pick = (evs: typeof full.events) => ofType(evs, 'stepDone').map((e) => [e.iteration, e.loss, e.lr]);
    expect([...pick(first.events), ...pick(second.events)]).toEqual(pick(full.events));
    const mined = (evs: typeof full.events) => ofType(evs, 'batchMined').map((e) => [e.positiveSelected, e.meanSelectedLoss]);
    expect([...mined(first.events), ...mined(second.events)]).toEqual(mined(full.events));
    // and the training time continues where it stopped
    expect(ofType(second.events, 'stepDone')[0].elapsedMs).toBe(100);
  });

  it('a resumed time-budget run keeps the LR schedule position and the remaining budget', async () => {
    const dir = tempDir();
    const budget = { kind: 'time' as const, ms: 1000 };
    const first = fakeRun({ budget, runDir: dir, settings: { checkpointEveryMs: 250 } });
    first.bus.on('stepDone', (e) => {
      if (e.iteration === 60) first.stop.request('SIGTERM');
    });
    await first.loop.run();
    const second = fakeRun({ budget, runDir: dir });
    const end = await second.loop.run(await second.model.load(path.join(dir, 'checkpoints', 'latest')));
    expect(end.iteration).toBe(100);
    expect(ofType(second.events, 'stepDone')[0].lr).toBeCloseTo(1e-4, 15); // no jump back to 1e-3
    expect(ofType(second.events, 'lrChanged').map((c) => c.iteration)).toEqual([80]);
    expect(ofType(first.events, 'checkpointSaved').map((c) => c.iteration)).toEqual([25, 50, 60]);
  });

  it('an observer (logger) that throws does not stop training; it is reported as a non-fatal error', async () => {
    const run = fakeRun({ budget: { kind: 'iterations', iterations: 5 } });
    run.bus.on('stepDone', () => {
      throw new Error('progress bar broke');
    });
    const end = await run.loop.run();
    expect(end).toMatchObject({ reason: 'iterations', iteration: 5 });
    const errors = ofType(run.events, 'error');
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatchObject({ fatal: false, source: 'observer:stepDone' });
  });

  it('a steering hook that throws stops training with a saved checkpoint and a message naming it', async () => {
    const run = fakeRun({
      budget: { kind: 'iterations', iterations: 50 },
      hooks: [
        {
          name: 'lesion-counter',
          afterStep: (ctx) => {
            if (ctx.iteration === 4) throw new Error('counter overflow');
          },
        },
      ],
    });
    const failure = await run.loop.run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TrainingStoppedError);
    const message = (failure as Error).message;
    expect(message).toContain('steering plugin "lesion-counter" failed at iteration 4: counter overflow');
    expect(message).toContain(path.join(run.runDir, 'checkpoints', 'latest'));
    expect(ofType(run.events, 'stepDone')).toHaveLength(4);
    expect(ofType(run.events, 'error')[0]).toMatchObject({ fatal: true, source: 'lesion-counter' });
    expect(ofType(run.events, 'trainEnd')[0]).toMatchObject({ reason: 'error', iteration: 4 });
    const restored = new FakeModel(0.9, new FakeClock());
    const state = await restored.load(path.join(run.runDir, 'checkpoints', 'latest'));
    expect(state.iteration).toBe(4);
    expect(restored.w).toEqual(run.model.w);
  });

  it('runs steering hooks by priority, each awaited before the next', async () => {
    const log: string[] = [];
    const slow = (name: string, priority?: number) => ({
      name,
      priority,
      afterStep: async () => {
        log.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, 2));
        log.push(`${name}:end`);
      },
    });
    const run = fakeRun({ budget: { kind: 'iterations', iterations: 1 }, hooks: [slow('late', 90), slow('default'), slow('early', 10)] });
    await run.loop.run();
    expect(log).toEqual(['early:start', 'early:end', 'default:start', 'default:end', 'late:start', 'late:end']);
  });

  it('refuses two steering hooks of one name: their checkpoint state is stored by name', () => {
    const hook = (name: string) => ({ name, getState: () => name, setState: () => {} });
    expect(() => fakeRun({ budget: { kind: 'iterations', iterations: 1 }, hooks: [hook('ema-log'), hook('other'), hook('ema-log')] })).toThrow(
      'two steering hooks are named "ema-log": hook names must be unique (each hook\'s checkpoint state is stored under its name)',
    );
    expect(() => fakeRun({ budget: { kind: 'iterations', iterations: 1 }, hooks: [hook('a'), hook('b')] })).not.toThrow();
  });

  it('keeps checkpoints/best at the best validation Dice and validates once more at the end', async () => {
    const dice = [0.2, 0.5, 0.4, 0.6, 0.1];
    const run = fakeRun({
      budget: { kind: 'iterations', iterations: 9 },
      validator: (clock) => new ScriptedValidator(clock, (i) => dice[i]),
      settings: { validateEveryIterations: 2 },
    });
    const end = await run.loop.run();
    const v = ofType(run.events, 'validationDone');
    expect(v.map((e) => [e.iteration, e.dice, e.isBest])).toEqual([
      [2, 0.2, true],
      [4, 0.5, true],
      [6, 0.4, false],
      [8, 0.6, true],
      [9, 0.1, false],
    ]);
    expect(end.bestDice).toBe(0.6);
    const best = ofType(run.events, 'checkpointSaved').filter((c) => c.kind === 'best');
    expect(best.map((c) => c.iteration)).toEqual([2, 4, 8]);
    const state = await new FakeModel(0.9, new FakeClock()).load(path.join(run.runDir, 'checkpoints', 'best'));
    expect(state.iteration).toBe(8);
    expect(state.bestDice).toBe(0.6);
  });
});
