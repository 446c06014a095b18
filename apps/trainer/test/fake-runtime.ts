import type { Runtime } from '../src/runtime.ts';
import type { RuntimeRequest, TrainDeps } from '../src/train.ts';
import { FakeClock, FakeModel, FakeSource, ScriptedValidator, TestRandom } from './fakes.ts';

/** A runtime of deterministic fakes, built from the config like the real one. */
export function fakeRuntimeFactory(clock: FakeClock, created: FakeModel[] = []): (request: RuntimeRequest) => Promise<Runtime> {
  return (request) => {
    const { config } = request;
    const decay = config.ema.options.decay;
    const model = new FakeModel(decay, clock);
    created.push(model);
    return Promise.resolve({
      backend: 'fake',
      random: new TestRandom(config.seed),
      source: new FakeSource(),
      trainable: model,
      ema: model,
      emaScorer: model,
      store: model,
      validator: config.validation ? new ScriptedValidator(clock, (i) => Math.min(0.9, 0.1 * (i + 1)), 50) : null,
      split: request.split ?? { train: ['p01', 'p02', 'p03'], validation: ['p04'], seed: config.seed },
    });
  };
}

export interface Captured {
  logs: string[];
  progress: string[];
  models: FakeModel[];
  signal: ((signal: string) => void) | null;
}

export function fakeDeps(workspaceRoot: string, overrides: Partial<TrainDeps> = {}): { deps: TrainDeps; captured: Captured; clock: FakeClock } {
  const clock = new FakeClock();
  const captured: Captured = { logs: [], progress: [], models: [], signal: null };
  const deps: TrainDeps = {
    env: { INIT_CWD: workspaceRoot },
    workspaceRoot,
    createRuntime: fakeRuntimeFactory(clock, captured.models),
    clock,
    progressOutput: { write: (t) => captured.progress.push(t), isTTY: false },
    onSignals: (handler) => {
      captured.signal = handler;
      return () => {
        captured.signal = null;
      };
    },
    log: (t) => captured.logs.push(t),
    ...overrides,
  };
  return { deps, captured, clock };
}
