import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBus } from '@lesionseg/events';
import { eventLine, JsonlLogger } from '../src/loggers/jsonl-logger.ts';
import { etaMs, formatProgress, ProgressBar } from '../src/loggers/progress-bar.ts';
import { tempDir } from './harness.ts';

describe('loggers', () => {
  it('events.jsonl gets one JSON object per event with its type, keeping error messages', () => {
    const file = path.join(tempDir(), 'events.jsonl');
    const bus = createBus();
    new JsonlLogger(file, () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5))).attach(bus);
    bus.emit('stepDone', { iteration: 1, elapsedMs: 10, loss: 0.5, lr: 1e-3, batchSize: 32, stepMs: 10 });
    bus.emit('error', { iteration: 1, elapsedMs: 10, source: 'x', message: 'm', error: new Error('boom'), fatal: false });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      type: 'stepDone',
      time: '2026-01-02T03:04:05.000Z',
      iteration: 1,
      elapsedMs: 10,
      loss: 0.5,
      lr: 1e-3,
      batchSize: 32,
      stepMs: 10,
    });
    expect(lines[1]).toMatchObject({ type: 'error', error: { message: 'boom' } });
    expect(eventLine('x', { iteration: 0, elapsedMs: 0, v: NaN })).toBe('{"type":"x","iteration":0,"elapsedMs":0,"v":null}\n');
  });

  it('records provenance at trainStart and writes paths relative to the run folder', () => {
    const runDir = tempDir();
    const bus = createBus();
    new JsonlLogger(path.join(runDir, 'events.jsonl')).attach(bus);
    bus.emit('trainStart', { iteration: 0, elapsedMs: 0, runDir, budget: { kind: 'iterations', iterations: 3 }, backend: 'wasm', resumed: false, config: {} });
    bus.emit('checkpointSaved', { iteration: 2, elapsedMs: 5, kind: 'best', path: path.join(runDir, 'checkpoints', 'best') });
    const [start, saved] = readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(start.runDir).toBe('.');
    expect(start.provenance).toMatchObject({
      name: 'lesionseg',
      version: expect.any(String),
      commit: expect.stringMatching(/^([0-9a-f]{40}(\+dirty)?|unknown)$/),
      backend: 'wasm',
    });
    expect(Date.parse((start.provenance as { startedAt: string }).startedAt)).toBeGreaterThan(Date.UTC(2025, 0, 1));
    expect(saved.path).toBe(path.join('checkpoints', 'best'));
  });

  it('metrics.csv has one row per step, the validation Dice on its step, and survives a resume', () => {
    const runDir = tempDir();
    const run = (steps: number[], validateAt: number) => {
      const bus = createBus();
      const logger = new JsonlLogger(path.join(runDir, 'events.jsonl'), () => new Date(Date.UTC(2026, 0, 1)));
      logger.attach(bus);
      for (const i of steps) {
        bus.emit('stepDone', { iteration: i, elapsedMs: 500 * i, loss: 1 / i, lr: 1e-3, batchSize: 4, stepMs: 400 });
        if (i === validateAt)
          bus.emit('validationDone', { iteration: i, elapsedMs: 500 * i, dice: 0.25, perPatient: [], model: 'ema', isBest: true, durationMs: 1 });
      }
      logger.close();
    };
    run([1, 2, 3], 2);
    run([4, 5], -1); // resumed: appends, no second header
    const rows = readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('iteration,elapsed_ms,wall_time,loss,lr,batch_size,step_ms,iterations_per_s,val_dice,val_model');
    expect(rows).toHaveLength(6);
    expect(rows[1]).toBe('1,500,2026-01-01T00:00:00.000Z,1,0.001,4,400,2.5,,');
    expect(rows[2]).toBe('2,1000,2026-01-01T00:00:00.000Z,0.5,0.001,4,400,2,0.25,ema');
    expect(rows[5].split(',')[0]).toBe('5');
  });

  it('the progress line shows iteration, elapsed/budget, loss, lr, val Dice and ETA', () => {
    const base = { iteration: 120, elapsedMs: 120_000, loss: 0.12345, lr: 1e-4, dice: 0.512, bestDice: 0.53, startIteration: 0, startElapsedMs: 0 };
    expect(formatProgress({ ...base, budget: { kind: 'time', ms: 240_000 } }, 10)).toBe(
      '[#####.....]  50% it 120 | 2m00s/4m00s | loss 0.1235 | lr 1.0e-4 | val Dice 0.512 (best 0.530) | ETA 2m00s',
    );
    // iteration budget after a resume at it 100 / 100 s: rate from this session only (20 it in 20 s)
    const s = { ...base, budget: { kind: 'iterations' as const, iterations: 200 }, startIteration: 100, startElapsedMs: 100_000 };
    expect(etaMs(s)).toBe(80_000);
    expect(formatProgress({ ...s, loss: null, lr: null, dice: null, bestDice: null }, 4)).toBe(
      '[##..]  60% it 120 | 2m00s (120/200 it) | loss - | lr - | val Dice - | ETA 1m20s',
    );
  });

  it('redraws at most once per refresh interval, and always at validation', () => {
    const out: string[] = [];
    let t = 0;
    const bar = new ProgressBar({ write: (s) => out.push(s), isTTY: true }, 1, () => t);
    const bus = createBus();
    bar.attach(bus);
    const step = (i: number) => bus.emit('stepDone', { iteration: i, elapsedMs: i, loss: 1, lr: 1e-3, batchSize: 1, stepMs: 1 });
    step(1);
    t = 500;
    step(2);
    t = 1001;
    step(3);
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('it 3');
    bus.emit('validationDone', { iteration: 3, elapsedMs: 3, dice: 0.7, perPatient: [], model: 'ema', isBest: true, durationMs: 1 });
    expect(out).toHaveLength(3);
    expect(out[2]).toContain('val Dice 0.700');
  });
});
