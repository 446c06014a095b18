export * from './backend/index.ts';
// Side effect: the fast, correct Conv3D/copy kernels for the wasm backend (see src/wasm/).
import './wasm/auto-register.ts';
export { registerKernelsFor } from './register-kernels.ts';
export { registerFastWasmKernels, unregisterFastWasmKernels, useSimdKernels, useWinogradConv, withInferenceKernels } from './wasm/index.ts';
export { createUNet, cloneUNet, type UNet } from './unet/unet.ts';
export { PAPER_UNET, resolveUNetOptions, checkPatchShape, type UNetOptions, type ResolvedUNetOptions } from './unet/options.ts';
export { paramSpecs, type ParamSpec } from './unet/params.ts';
export { groupNorm, groupsFor, GROUP_NORM_EPS } from './ops/group-norm.ts';
export { upsampleTrilinear2x } from './ops/upsample-trilinear.ts';
export {
  bceWithLogitsPerPatch,
  softDicePerPatch,
  bceDicePerPatch,
  createPatchLoss,
  PATCH_LOSS_TYPES,
  type PatchLoss,
  type PatchLossConfig,
} from './loss/patch-loss.ts';
export { type PatchBatch } from './train/patch-batch.ts';
export { createAdam, setLearningRate, getLearningRate, type AdamOptions } from './train/optimizer.ts';
export {
  trainStep,
  scorePatches,
  predictPatches,
  batchGradients,
  applyGradients,
  type TrainStepOptions,
  type TrainStepResult,
  type ScoreOptions,
} from './train/train-step.ts';
export { guardedTrainStep, NonFiniteStepError, type GuardedStepOptions, type GuardedStepResult } from './train/guarded-step.ts';
export { Ema } from './ema/ema.ts';
export {
  saveCheckpoint,
  loadCheckpoint,
  restoreCheckpoint,
  removeStaleCheckpointTemps,
  CHECKPOINT_FORMAT,
  type CheckpointInput,
  type LoadedCheckpoint,
  type SaveOptions,
  type SaveStage,
} from './checkpoint/checkpoint.ts';
export { writeModelCard, modelCardMetadata, modelCardMarkdown, MODEL_CARD_SCHEMA, type ModelCardInfo } from './checkpoint/model-card.ts';
export { readWeightSet, writeWeightSet, type WeightEntry, type WeightSet } from './checkpoint/weights-file.ts';
export { slidingWindowPredict, windowCount, type SlidingWindowOptions, type Vec3 as WindowVec3 } from './inference/sliding-window.ts';
export { windowStarts, axisWeights, axisNormaliser } from './inference/window-grid.ts';
export { ReplicaPool, shares, type ReplicaPoolOptions } from './parallel/replica-pool.ts';
export {
  DEFAULT_MEMORY_BUDGET,
  capPatchesPerPass,
  inferenceBytesPerPatch,
  trainingBytesPerPatch,
  largestTensorBytesPerPatch,
  patchesPerPass,
} from './train/memory-budget.ts';
export * from './pipeline/index.ts';
export * from './export/index.ts';
export { kernelBreakdown, type KernelRow } from './util/kernel-breakdown.ts';
