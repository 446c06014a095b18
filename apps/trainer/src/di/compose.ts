import type { Container } from 'inversify';
import { bindMulti, bindSingleton, createBus, resolve, resolveAll } from '@lesionseg/events';
import { systemClock, type Clock } from '@lesionseg/config';
import { configToJson, parseBudget, type TrainerConfig } from '../config/config.ts';
import { builtinRegistries, type TrainerRegistries } from '../config/registries.ts';
import { checkpointSection } from '../config/sections.ts';
import { TrainLoop } from '../core/train-loop.ts';
import { StopSignal, type SteeringHook } from '../core/types.ts';
import type { Logger } from '../loggers/logger.ts';
import type { ProgressOutput } from '../loggers/progress-bar.ts';
import type { Runtime } from '../runtime.ts';
import { TOKENS } from './tokens.ts';

export interface Composition {
  config: TrainerConfig;
  runDir: string;
  runtime: Runtime;
  /** The types the config was validated against: the built-in ones plus any plugin module's. */
  registries?: TrainerRegistries;
  /** Extra steering hooks (extensions from code; the config's "hooks" are built from the registry). */
  hooks?: SteeringHook[];
  clock?: Clock;
  /** Where the progress bar writes; default stderr. */
  progressOutput?: ProgressOutput;
}

/**
 * The composition root: binds every plugin of the run in `c`, each built by its registry from
 * the config's validated entry (the registry is the only name lookup: an unknown type already
 * failed when the config was parsed). Loggers and hooks are multi-bound.
 */
export function composeTrainer(c: Container, k: Composition): void {
  const { config, runtime } = k;
  const registries = k.registries ?? builtinRegistries();
  bindSingleton(c, TOKENS.Bus, () => createBus());
  bindSingleton(c, TOKENS.Clock, () => k.clock ?? systemClock);
  bindSingleton(c, TOKENS.Config, () => config);
  bindSingleton(c, TOKENS.Stop, () => new StopSignal());
  bindSingleton(c, TOKENS.Random, () => runtime.random);
  bindSingleton(c, TOKENS.PatchSource, () => runtime.source);
  bindSingleton(c, TOKENS.EmaScorer, () => runtime.emaScorer);
  bindSingleton(c, TOKENS.Trainable, () => runtime.trainable);
  bindSingleton(c, TOKENS.Ema, () => runtime.ema);
  bindSingleton(c, TOKENS.Store, () => runtime.store);
  bindSingleton(c, TOKENS.Validator, () => runtime.validator);
  bindSingleton(c, TOKENS.Strategy, (c) => {
    const source = resolve(c, TOKENS.PatchSource);
    const strategy = registries.strategy.create(config.strategy, { source, scorer: resolve(c, TOKENS.EmaScorer) });
    // A strategy that can say its next call's kinds lets the source prepare exactly that batch.
    const planNextSample = strategy.planNextSample?.bind(strategy);
    if (planNextSample) source.planAheadWith?.({ planNextSample });
    return strategy;
  });
  bindSingleton(c, TOKENS.LrSchedule, () => registries.lrSchedule.create(config.lrSchedule, {}));
  for (const entry of config.hooks) bindMulti(c, TOKENS.Hook, () => registries.hook.create(entry, { runDir: k.runDir }));
  for (const hook of k.hooks ?? []) bindMulti(c, TOKENS.Hook, () => hook);
  for (const entry of config.loggers)
    bindMulti(c, TOKENS.Logger, () => registries.logger.create(entry, { runDir: k.runDir, progressOutput: k.progressOutput }));

  const v = config.validation?.options;
  bindSingleton(c, TOKENS.Settings, () => ({
    budget: parseBudget(config),
    runDir: k.runDir,
    validateEveryMs: v?.everySeconds != null ? v.everySeconds * 1000 : null,
    validateEveryIterations: v?.everyIterations ?? null,
    checkpointEveryMs: checkpointSection.create(config.checkpoint).everyMs,
    backend: runtime.backend,
    config: configToJson(config),
  }));

  bindSingleton(
    c,
    TOKENS.Loop,
    (c) =>
      new TrainLoop(
        {
          bus: resolve(c, TOKENS.Bus),
          clock: resolve(c, TOKENS.Clock),
          random: resolve(c, TOKENS.Random),
          strategy: resolve(c, TOKENS.Strategy),
          trainable: resolve(c, TOKENS.Trainable),
          ema: resolve(c, TOKENS.Ema),
          schedule: resolve(c, TOKENS.LrSchedule),
          store: resolve(c, TOKENS.Store),
          validator: resolve(c, TOKENS.Validator),
          hooks: resolveAll(c, TOKENS.Hook),
          stop: resolve(c, TOKENS.Stop),
        },
        resolve(c, TOKENS.Settings),
      ),
  );
}

/** Builds the loop and attaches the loggers to the bus (observers first, so they see trainStart). */
export function buildLoop(c: Container): { loop: TrainLoop; loggers: Logger[] } {
  const bus = resolve(c, TOKENS.Bus);
  const loggers = resolveAll(c, TOKENS.Logger);
  for (const l of loggers) l.attach(bus);
  return { loop: resolve(c, TOKENS.Loop), loggers };
}
