import { PluginRegistry } from '@lesionseg/config';
import { builtinLrSchedules, builtinStrategies, type LrSchedule, type SamplingStrategy, type StrategyDeps } from '@lesionseg/strategies';
import { bceDiceLoss, bceLoss, diceLoss, type TrainingLoss } from '../adapters/losses.ts';
import type { SteeringHook } from '../core/types.ts';
import { jsonlLogger, progressLogger, type LoggerDeps } from '../loggers/definitions.ts';
import type { Logger } from '../loggers/logger.ts';

/** What a steering hook from the config's "hooks" list is built from. */
export interface HookDeps {
  runDir: string;
}

/**
 * The plugin kinds a user may extend (one definition per type, from the built-ins or a plugin
 * module): the config validates against them and the composition root builds from them.
 */
export interface TrainerRegistries {
  strategy: PluginRegistry<StrategyDeps, SamplingStrategy>;
  lrSchedule: PluginRegistry<Record<string, never>, LrSchedule>;
  loss: PluginRegistry<void, TrainingLoss>;
  logger: PluginRegistry<LoggerDeps, Logger>;
  hook: PluginRegistry<HookDeps, SteeringHook>;
}

/** Fresh registries with lesionseg's own types (plugins are registered into a copy per run). */
export function builtinRegistries(): TrainerRegistries {
  return {
    strategy: builtinStrategies(),
    lrSchedule: builtinLrSchedules(),
    loss: new PluginRegistry<void, TrainingLoss>('loss').register(bceLoss).register(diceLoss).register(bceDiceLoss),
    logger: new PluginRegistry<LoggerDeps, Logger>('logger').register(progressLogger).register(jsonlLogger),
    hook: new PluginRegistry<HookDeps, SteeringHook>('hook'),
  };
}
