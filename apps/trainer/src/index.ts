// The trainer as a library (for tools such as a comparison runner): the main job without
// process globals, the composition root, the core loop and its plugin interfaces.
export { train, type TrainDeps, type TrainResult, type RuntimeRequest } from './train.ts';
export { parseCli, usage, UsageError, type CliOptions } from './cli/args.ts';
export { resolveUserPath, workspaceRoot, defaultRunDir, DEFAULT_DATA_DIR } from './cli/paths.ts';
export { parseConfig, configToJson, parseBudget, BACKENDS, type TrainerConfig, type BackendName } from './config/config.ts';
export { PRESETS, presetConfig, presetNames } from './config/presets.ts';
export { composeTrainer, buildLoop, type Composition } from './di/compose.ts';
export { TOKENS } from './di/tokens.ts';
export { TrainLoop, TrainingStoppedError, type LoopSettings, type LoopParts } from './core/train-loop.ts';
export {
  StopSignal,
  type Trainable,
  type EmaPlugin,
  type ModelStore,
  type Validator,
  type ValidationResult,
  type SteeringHook,
  type HookContext,
  type TrainerState,
  type StepResult,
} from './core/types.ts';
export type { Runtime } from './runtime.ts';
export { RUN_FILES } from './run-folder.ts';
export { createRealRuntime } from './adapters/real-runtime.ts';
