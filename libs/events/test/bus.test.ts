import { describe, expect, it, vi } from 'vitest';
import { createBus, type ObserverFailure } from '../src/bus.ts';
import type { StepDone } from '../src/event-map.ts';

const step = (iteration: number): StepDone => ({ iteration, elapsedMs: iteration * 10, loss: 0.5, lr: 1e-3, batchSize: 32, stepMs: 10 });

describe('createBus', () => {
  it('delivers typed payloads to typed and wildcard observers', () => {
    const bus = createBus();
    const seen: unknown[] = [];
    bus.on('stepDone', (e) => seen.push(['typed', e.iteration, e.loss]));
    bus.on('*', (type, e) => seen.push(['*', type, (e as StepDone).iteration]));
    bus.emit('stepDone', step(3));
    expect(seen).toEqual([
      ['typed', 3, 0.5],
      ['*', 'stepDone', 3],
    ]);
  });

  it('a throwing observer does not stop emit or the observers after it, and is reported as an error event', () => {
    const bus = createBus();
    const after = vi.fn();
    const wildcard = vi.fn();
    const errors: unknown[] = [];
    bus.on('error', (e) => errors.push(e));
    bus.on('stepDone', () => {
      throw new Error('logger disk full');
    });
    bus.on('stepDone', after);
    bus.on('*', wildcard);
    expect(() => bus.emit('stepDone', step(7))).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
    // the wildcard sees stepDone and then the error event about the failing observer
    expect(wildcard.mock.calls.map((c) => c[0])).toEqual(['error', 'stepDone']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      iteration: 7,
      elapsedMs: 70,
      source: 'observer:stepDone',
      fatal: false,
      message: expect.stringContaining('logger disk full'),
    });
  });

  it('a rejecting async observer is reported, not an unhandled rejection', async () => {
    const failures: ObserverFailure[] = [];
    const bus = createBus({ onObserverError: (f) => failures.push(f) });
    const other = vi.fn();
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the case under test
    bus.on('stepDone', async () => {
      await Promise.resolve();
      throw new Error('async boom');
    });
    bus.on('stepDone', other);
    bus.emit('stepDone', step(1));
    expect(other).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(failures).toHaveLength(1);
    expect(failures[0].event).toBe('stepDone');
    expect((failures[0].error as Error).message).toBe('async boom');
  });

  it('a failing error observer does not recurse; it goes to stderr', () => {
    const bus = createBus();
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let calls = 0;
    bus.on('error', () => {
      calls++;
      throw new Error('error handler broken');
    });
    bus.on('stepDone', () => {
      throw new Error('first');
    });
    bus.emit('stepDone', step(2));
    expect(calls).toBe(1);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('error handler broken'));
    stderr.mockRestore();
  });

  it('off removes the observer that on added (through its isolating wrapper)', () => {
    const bus = createBus();
    const h = vi.fn();
    bus.on('stepDone', h);
    bus.off('stepDone', h);
    bus.emit('stepDone', step(1));
    expect(h).not.toHaveBeenCalled();
    expect(bus.all.get('stepDone') ?? []).toHaveLength(0);
  });

  it('rejects wrong payloads and event names at compile time', () => {
    const bus = createBus();
    // @ts-expect-error: stepDone needs loss, lr, batchSize, stepMs
    bus.emit('stepDone', { iteration: 1, elapsedMs: 0 });
    // @ts-expect-error: no such event
    bus.emit('stepDon', step(1));
    expect(true).toBe(true);
  });
});
