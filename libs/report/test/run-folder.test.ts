import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventsJsonl, readRunFolder } from '../src/run-folder.ts';

const lines = [
  {
    type: 'trainStart',
    time: '2026-01-01T10:00:00.000Z',
    iteration: 0,
    elapsedMs: 0,
    backend: 'wasm',
    provenance: { name: 'lesionseg', version: '0.1.0', commit: 'abc' },
  },
  { type: 'stepDone', iteration: 1, elapsedMs: 400, loss: 0.9, lr: 1e-3 },
  { type: 'stepDone', iteration: 2, elapsedMs: 800, loss: 0.8, lr: 1e-3 },
  { type: 'validationDone', iteration: 2, elapsedMs: 800, dice: 0.25 },
  { type: 'stepDone', iteration: 3, elapsedMs: 1500, loss: 0.7, lr: 1e-4 },
  { type: 'validationDone', time: '2026-01-01T10:00:09.000Z', iteration: 3, elapsedMs: 1500, dice: 0.5, model: 'ema' },
].map((l) => JSON.stringify(l));

describe('run folder', () => {
  it('summarises the curve, iterations and time per iteration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'run-'));
    await writeFile(join(dir, 'events.jsonl'), lines.join('\n') + '\n{"type":"stepDo');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ strategy: { type: 'ohem' } }));
    const run = await readRunFolder(dir, 'r1');
    expect(run.curve).toEqual([
      { elapsedMs: 800, dice: 0.25 },
      { elapsedMs: 1500, dice: 0.5 },
    ]);
    expect(run.iterations).toBe(3);
    expect(run.msPerIteration).toBe(500);
    expect(run.bestDice).toBe(0.5);
    expect(run.config).toEqual({ strategy: { type: 'ohem' } });
    expect(run.steps.map((s) => [s.iteration, s.loss])).toEqual([
      [1, 0.9],
      [2, 0.8],
      [3, 0.7],
    ]);
    expect(run.provenance).toEqual({ name: 'lesionseg', version: '0.1.0', commit: 'abc' });
    expect([run.backend, run.validationModel, run.startedAt, run.endedAt]).toEqual(['wasm', 'ema', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:09.000Z']);
  });

  it('rejects a corrupt line in the middle, naming the file and line', () => {
    expect(() => parseEventsJsonl([lines[0], '{oops', lines[1]].join('\n'), 'x/events.jsonl')).toThrow('x/events.jsonl:2: not valid JSON');
    expect(() => parseEventsJsonl('{"type":"a"}\n', 'e.jsonl')).toThrow('e.jsonl:1: an event needs');
  });

  it('names the folder when there is no event log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'run-'));
    await mkdir(join(dir, 'x'));
    await expect(readRunFolder(join(dir, 'x'))).rejects.toThrow(/x\/events\.jsonl: cannot read the run's event log \(ENOENT\)/);
  });
});
