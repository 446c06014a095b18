import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBus, type Budget, type Bus, type LesionsegEvents } from '@lesionseg/events';
import { builtinStrategies, StepLrSchedule, PAPER_MILESTONES } from '@lesionseg/strategies';
import { TrainLoop, type LoopSettings } from '../src/core/train-loop.ts';
import { StopSignal, type SteeringHook, type Validator } from '../src/core/types.ts';
import { FakeClock, FakeModel, FakeSource, TestRandom } from './fakes.ts';

export function tempDir(prefix = 'lesionseg-trainer-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Recorded {
  type: keyof LesionsegEvents;
  payload: Record<string, unknown>;
}

export interface FakeRun {
  loop: TrainLoop;
  bus: Bus;
  clock: FakeClock;
  model: FakeModel;
  random: TestRandom;
  stop: StopSignal;
  events: Recorded[];
  runDir: string;
}

export function fakeRun(options: {
  budget: Budget;
  strategy?: Record<string, unknown>;
  decay?: number;
  seed?: number;
  runDir?: string;
  validator?: (clock: FakeClock) => Validator;
  hooks?: SteeringHook[];
  settings?: Partial<LoopSettings>;
  bus?: Bus;
  clock?: FakeClock;
}): FakeRun {
  const clock = options.clock ?? new FakeClock();
  const bus = options.bus ?? createBus();
  const events: Recorded[] = [];
  bus.on('*', (type, payload) => events.push({ type, payload: payload as unknown as Record<string, unknown> }));
  const model = new FakeModel(options.decay ?? 0.9, clock);
  const registry = builtinStrategies();
  const entry = registry.parse(options.strategy ?? { type: 'ohem', candidates: 16, batchSize: 4, scoreChunk: 8 });
  const strategy = registry.create(entry, { source: new FakeSource(), scorer: model });
  const random = new TestRandom(options.seed ?? 42);
  const stop = new StopSignal();
  const runDir = options.runDir ?? tempDir();
  const loop = new TrainLoop(
    {
      bus,
      clock,
      random,
      strategy,
      trainable: model,
      ema: model,
      schedule: new StepLrSchedule({ initialLr: 1e-3, milestones: PAPER_MILESTONES }),
      store: model,
      validator: options.validator ? options.validator(clock) : null,
      hooks: options.hooks ?? [],
      stop,
    },
    {
      budget: options.budget,
      runDir,
      validateEveryMs: null,
      validateEveryIterations: null,
      checkpointEveryMs: null,
      backend: 'fake',
      config: {},
      ...options.settings,
    },
  );
  return { loop, bus, clock, model, random, stop, events, runDir };
}

export const ofType = (events: Recorded[], type: keyof LesionsegEvents) => events.filter((e) => e.type === type).map((e) => e.payload);
