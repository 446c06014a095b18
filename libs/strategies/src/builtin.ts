import { LossProportionalStrategy, lossProportionalOptionsSpec, type LossProportionalOptions } from './loss-proportional.ts';
import { OhemStrategy, ohemOptionsSpec, type OhemOptions } from './ohem.ts';
import { FixedOversamplingStrategy, oversampleOptionsSpec, type OversampleOptions } from './oversample.ts';
import { StepLrSchedule, stepScheduleOptionsSpec, type LrSchedule, type StepScheduleOptions } from './lr-schedule.ts';
import type { PluginDefinition } from '@lesionseg/config';
import { PluginRegistry } from '@lesionseg/config';
import type { PatchScorer, PatchSource } from './ports.ts';
import type { SamplingStrategy } from './strategy.ts';

/** What a sampling strategy may depend on; the app resolves these from its container. */
export interface StrategyDeps {
  source: PatchSource;
  /** Per-patch loss of the EMA model (OHEM's scorer). */
  scorer: PatchScorer;
}

export const ohemDefinition: PluginDefinition<StrategyDeps, SamplingStrategy, OhemOptions> = {
  type: 'ohem',
  summary: 'OHEM: draw 128 candidates (30 % positive), score with the EMA model, train on the 32 hardest',
  options: ohemOptionsSpec,
  create: (o, d) => new OhemStrategy(o, d.source, d.scorer),
};

export const oversampleDefinition: PluginDefinition<StrategyDeps, SamplingStrategy, OversampleOptions> = {
  type: 'oversample',
  summary: 'fixed oversampling: each patch positive with probability p, otherwise uniform',
  options: oversampleOptionsSpec,
  create: (o, d) => new FixedOversamplingStrategy(o, d.source),
};

export const lossProportionalDefinition: PluginDefinition<StrategyDeps, SamplingStrategy, LossProportionalOptions> = {
  type: 'loss-proportional',
  summary: 'draw candidates, score with the EMA model, sample the batch with probability proportional to loss',
  options: lossProportionalOptionsSpec,
  create: (o, d) => new LossProportionalStrategy(o, d.source, d.scorer),
};

export const stepScheduleDefinition: PluginDefinition<Record<string, never>, LrSchedule, StepScheduleOptions> = {
  type: 'step',
  summary: 'initial LR multiplied by a factor from each milestone (fraction of the budget) on',
  options: stepScheduleOptionsSpec,
  create: (o) => new StepLrSchedule(o),
};

/** The sampling strategies lesionseg ships, selectable by `strategy.type`. */
export function builtinStrategies(): PluginRegistry<StrategyDeps, SamplingStrategy> {
  return new PluginRegistry<StrategyDeps, SamplingStrategy>('strategy')
    .register(ohemDefinition)
    .register(oversampleDefinition)
    .register(lossProportionalDefinition);
}

export function builtinLrSchedules(): PluginRegistry<Record<string, never>, LrSchedule> {
  return new PluginRegistry<Record<string, never>, LrSchedule>('lrSchedule').register(stepScheduleDefinition);
}
