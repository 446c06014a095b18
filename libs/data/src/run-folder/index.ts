// The run folder contract (layout, stored-path rule, what inference reads from config.json).
export { RUN_FILES, EVALUATION_FILES, CHECKPOINT_NAMES, runPath, checkpointPath, runDirOfCheckpoint } from './layout.ts';
export type { RunFile, CheckpointName } from './layout.ts';
export { relativeDataPaths, relativeToFolder, relativePathsIn, resolveInFolder } from './paths.ts';
export { readRunInferenceSetup } from './setup.ts';
export type { RunInferenceSetup } from './setup.ts';
