import { describe, expect, it } from 'vitest';
import { StepLrSchedule, stepScheduleOptionsSpec } from '../src/index.ts';
import { budgetExhausted, budgetProgress, formatDuration, parseDuration, parseOptions, TrainingTimer, type Clock } from '@lesionseg/config';

class FakeClock implements Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

describe('step LR schedule', () => {
  const schedule = new StepLrSchedule(parseOptions(stepScheduleOptionsSpec, {}, 'lrSchedule'));

  it('is 1e-3, then 1e-4 from exactly 50 %, then 1e-5 from exactly 80 % (paper defaults)', () => {
    expect(schedule.lrAt(0)).toBe(1e-3);
    expect(schedule.lrAt(0.49999)).toBe(1e-3);
    expect(schedule.lrAt(0.5)).toBeCloseTo(1e-4, 15);
    expect(schedule.lrAt(0.79999)).toBeCloseTo(1e-4, 15);
    expect(schedule.lrAt(0.8)).toBeCloseTo(1e-5, 15);
    expect(schedule.lrAt(1)).toBeCloseTo(1e-5, 15);
  });

  it('takes fractions and factors from config', () => {
    const s = new StepLrSchedule(
      parseOptions(
        stepScheduleOptionsSpec,
        {
          initialLr: 0.01,
          milestones: [
            { at: 0.9, factor: 0.5 },
            { at: 0.25, factor: 0.2 },
          ],
        },
        'lrSchedule',
      ),
    );
    expect(s.lrAt(0.2)).toBe(0.01);
    expect(s.lrAt(0.25)).toBeCloseTo(0.002, 15);
    expect(s.lrAt(0.95)).toBeCloseTo(0.005, 15);
    expect(() => parseOptions(stepScheduleOptionsSpec, { milestones: [{ at: 1.5, factor: 0.1 }] }, 'lrSchedule')).toThrow(
      'lrSchedule.milestones[0].at: must be <= 1, got 1.5',
    );
    expect(() => parseOptions(stepScheduleOptionsSpec, { milestones: [{ at: 0.5, factr: 0.1 }] }, 'lrSchedule')).toThrow(
      'lrSchedule.milestones[0].factr: unknown option "factr" (known: at, factor)',
    );
  });

  it('with a fake clock and 10 ms steps in a 1 s budget, decays at steps 50 and 80 exactly', () => {
    const clock = new FakeClock();
    const timer = new TrainingTimer(clock);
    const budget = { kind: 'time' as const, ms: 1000 };
    timer.start();
    const changes: [number, number][] = [];
    let lr = NaN;
    let step = 0;
    while (!budgetExhausted(budget, step, timer.elapsedMs)) {
      const next = schedule.lrAt(budgetProgress(budget, step, timer.elapsedMs));
      if (next !== lr) changes.push([step, next]);
      lr = next;
      clock.advance(10);
      step++;
      // a 70 ms validation pause every 25 steps is not training time
      if (step % 25 === 0) {
        timer.pause();
        clock.advance(70);
        timer.start();
      }
    }
    expect(step).toBe(100);
    expect(changes.map((c) => c[0])).toEqual([0, 50, 80]);
  });
});

describe('training timer and budget', () => {
  it('counts only running time, and resumes from a checkpointed total', async () => {
    const clock = new FakeClock();
    const timer = new TrainingTimer(clock);
    expect(timer.elapsedMs).toBe(0);
    timer.start();
    clock.advance(300);
    await timer.paused(() => {
      clock.advance(5000);
      return Promise.resolve();
    });
    clock.advance(200);
    expect(timer.elapsedMs).toBe(500);
    const resumed = new TrainingTimer(clock);
    resumed.restore(timer.elapsedMs);
    clock.advance(1000); // the gap between the two processes is not training time
    resumed.start();
    clock.advance(50);
    expect(resumed.elapsedMs).toBe(550);
  });

  it('progress and exhaustion by time or by iterations', () => {
    expect(budgetProgress({ kind: 'time', ms: 1000 }, 999, 250)).toBe(0.25);
    expect(budgetProgress({ kind: 'iterations', iterations: 40 }, 10, 1e9)).toBe(0.25);
    expect(budgetProgress({ kind: 'time', ms: 1000 }, 0, 2000)).toBe(1);
    expect(budgetExhausted({ kind: 'time', ms: 1000 }, 0, 999)).toBe(false);
    expect(budgetExhausted({ kind: 'time', ms: 1000 }, 0, 1000)).toBe(true);
    expect(budgetExhausted({ kind: 'iterations', iterations: 3 }, 3, 0)).toBe(true);
  });

  it('parses 3h, 10m, 90s, 1h30m, 250ms and bare seconds; rejects junk with the input quoted', () => {
    expect(parseDuration('3h')).toBe(3 * 3600_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2.5')).toBe(2500);
    expect(() => parseDuration('3 hours')).toThrow('Cannot parse duration "3 hours"');
    expect(() => parseDuration('0s')).toThrow('must be positive');
    expect(formatDuration(5400_000)).toBe('1h30m');
    expect(formatDuration(61_000)).toBe('1m01s');
  });
});
