export type { Random, StatefulRandom } from './random.ts';
export {
  type PatchBatch,
  type PatchKind,
  voxelsPerPatch,
  assertBatchShape,
  lesionFlags,
  sliceBatch,
  selectPatches,
  countFlags,
} from './patch-batch.ts';
export type { PatchSource, PatchScorer } from './ports.ts';
export type { SamplingStrategy, StepContext, MinedBatch, MiningStats } from './strategy.ts';
export { topKIndices, mean } from './top-k.ts';
export { OhemStrategy, ohemOptionsSpec, type OhemOptions } from './ohem.ts';
export { candidateKinds, candidateOptionsSpec, drawAndScore, minedBatch, positiveCount, type CandidateOptions } from './candidates.ts';
export { FixedOversamplingStrategy, oversampleOptionsSpec, type OversampleOptions } from './oversample.ts';
export {
  LossProportionalStrategy,
  lossProportionalOptionsSpec,
  weightedSampleWithoutReplacement,
  type LossProportionalOptions,
} from './loss-proportional.ts';
export { StepLrSchedule, stepScheduleOptionsSpec, PAPER_MILESTONES, type LrSchedule, type Milestone, type StepScheduleOptions } from './lr-schedule.ts';
export {
  TrainingTimer,
  systemClock,
  budgetProgress,
  budgetExhausted,
  parseDuration,
  formatDuration,
  type Clock,
} from './budget.ts';
export {
  ConfigError,
  num,
  str,
  bool,
  list,
  obj,
  optional,
  parseOptions,
  isPlainObject,
  type OptionParser,
  type OptionsSpec,
  type NumberRule,
} from './options.ts';
export { PluginRegistry, entryToJson, type PluginDefinition, type PluginEntry } from './registry.ts';
export {
  builtinStrategies,
  builtinLrSchedules,
  ohemDefinition,
  oversampleDefinition,
  lossProportionalDefinition,
  stepScheduleDefinition,
  type StrategyDeps,
} from './builtin.ts';
