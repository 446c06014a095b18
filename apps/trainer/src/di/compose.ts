import path from 'node:path';
import type { Container } from 'inversify';
import { bindMulti, bindNamed, bindSingleton, createBus, resolve, resolveAll, resolveNamed } from '@lesionseg/events';
import { builtinLrSchedules, builtinStrategies, systemClock, type Clock, type PluginRegistry, type SamplingStrategy, type StrategyDeps } from '@lesionseg/strategies';
import { configToJson, parseBudget, type TrainerConfig } from '../config/config.ts';
import type { CheckpointOptions, LoggerOptions, ValidationOptions } from '../config/sections.ts';
import { TrainLoop } from '../core/train-loop.ts';
import { StopSignal, type SteeringHook } from '../core/types.ts';
import { JsonlLogger } from '../loggers/jsonl-logger.ts';
import type { Logger } from '../loggers/logger.ts';
import { ProgressBar, type ProgressOutput } from '../loggers/progress-bar.ts';
import type { Runtime } from '../runtime.ts';
import { TOKENS } from './tokens.ts';

export interface Composition {
  config: TrainerConfig;
  runDir: string;
  runtime: Runtime;
  /** Strategy types available to `strategy.type`; default the built-in ones. Add yours here. */
  strategies?: PluginRegistry<StrategyDeps, SamplingStrategy>;
  /** Extra steering hooks (extensions). */
  hooks?: SteeringHook[];
  clock?: Clock;
  /** Where the progress bar writes; default stderr. */
  progressOutput?: ProgressOutput;
}

/**
 * The composition root: binds every plugin of the run in `c`. Strategy and LR schedule types
 * are bound by name (one binding per registered type, created lazily, so only the configured
 * one is ever built) and resolved by the config's `type`; loggers and hooks are multi-bound.
 */
export function composeTrainer(c: Container, k: Composition): void {
  const { config, runtime } = k;
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

  const strategies = k.strategies ?? builtinStrategies();
  for (const type of strategies.types()) {
    bindNamed(c, TOKENS.Strategy, type, (c) =>
      strategies.create({ type, options: config.strategy.options }, { source: resolve(c, TOKENS.PatchSource), scorer: resolve(c, TOKENS.EmaScorer) }),
    );
  }
  const schedules = builtinLrSchedules();
  for (const type of schedules.types()) {
    bindNamed(c, TOKENS.LrSchedule, type, () => schedules.create({ type, options: config.lrSchedule.options }, {}));
  }
  for (const hook of k.hooks ?? []) bindMulti(c, TOKENS.Hook, () => hook);

  for (const entry of config.loggers) {
    const o = entry.options as unknown as LoggerOptions;
    bindMulti(c, TOKENS.Logger, (): Logger => {
      if (entry.type === 'jsonl') return new JsonlLogger(path.join(k.runDir, 'events.jsonl'));
      const refresh = o.type === 'progress' ? o.refreshSeconds : 1;
      return new ProgressBar(k.progressOutput ?? { write: (t) => process.stderr.write(t), isTTY: process.stderr.isTTY === true }, refresh);
    });
  }

  const v = config.validation?.options as ValidationOptions | undefined;
  const ck = config.checkpoint.options as unknown as CheckpointOptions;
  bindSingleton(c, TOKENS.Settings, () => ({
    budget: parseBudget(config),
    runDir: k.runDir,
    validateEveryMs: v?.everySeconds != null ? v.everySeconds * 1000 : null,
    validateEveryIterations: v?.everyIterations ?? null,
    checkpointEveryMs: ck.everySeconds != null ? ck.everySeconds * 1000 : null,
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
          strategy: resolveNamed(c, TOKENS.Strategy, 'strategy', config.strategy.type),
          trainable: resolve(c, TOKENS.Trainable),
          ema: resolve(c, TOKENS.Ema),
          schedule: resolveNamed(c, TOKENS.LrSchedule, 'lrSchedule', config.lrSchedule.type),
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
