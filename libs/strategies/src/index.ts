export type { Random, StatefulRandom } from './random.ts';
export { type PatchBatch, type PatchKind, voxelsPerPatch, assertBatchShape, lesionFlags, sliceBatch, selectPatches, countFlags } from './patch-batch.ts';
export type { PatchSource, PatchScorer, SamplePlanner } from './ports.ts';
export type { SamplingStrategy, StepContext, MinedBatch, MiningStats } from './strategy.ts';
export { topKIndices, mean } from './top-k.ts';
export { OhemStrategy, ohemOptionsSpec, type OhemOptions } from './ohem.ts';
export { candidateKinds, candidateOptionsSpec, drawAndScore, minedBatch, positiveCount, type CandidateOptions } from './candidates.ts';
export { FixedOversamplingStrategy, oversampleOptionsSpec, type OversampleOptions } from './oversample.ts';
export { LossProportionalStrategy, lossProportionalOptionsSpec, weightedSampleWithoutReplacement, type LossProportionalOptions } from './loss-proportional.ts';
export { StepLrSchedule, stepScheduleOptionsSpec, PAPER_MILESTONES, type LrSchedule, type Milestone, type StepScheduleOptions } from './lr-schedule.ts';
export {
  builtinStrategies,
  builtinLrSchedules,
  ohemDefinition,
  oversampleDefinition,
  lossProportionalDefinition,
  stepScheduleDefinition,
  type StrategyDeps,
} from './builtin.ts';
