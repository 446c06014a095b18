// The trainer's parts that apps/compare (which drives the trainer) reuses: the shipped presets
// and config check, user paths, the phantom generator and the progress ETA. Nothing else
// imports the trainer as a library.
export { UsageError } from './cli/args.ts';
export { resolveUserPath, workspaceRoot, defaultRunDir, DEFAULT_DATA_DIR } from './cli/paths.ts';
export { etaMs } from './loggers/progress-bar.ts';
export { generatePhantoms } from './adapters/dataset.ts';
export { parseConfig } from './config/config.ts';
export { presetConfig } from './config/presets.ts';
