import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import {
  CHECKPOINT_NAMES,
  checkpointPath,
  isDirectory,
  isFile,
  readRunInferenceSetup,
  runDirOfCheckpoint,
  runPath,
  type RunInferenceSetup,
} from '@lesionseg/data';
import { parseBackendRequest, selectBackend } from '../backend/index.ts';
import { loadCheckpoint } from '../checkpoint/checkpoint.ts';
import { createUNet, type UNet } from '../unet/unet.ts';
import { registerKernelsFor } from '../register-kernels.ts';
import { UserError } from '@lesionseg/events';

/**
 * The checkpoint plugin key under which a trainer may store the preprocessing a model was trained
 * with ({@link PreprocessingState}). When present it wins over the run folder's config.json,
 * because it travels with the checkpoint when the folder is copied on its own.
 */
export const PREPROCESSING_PLUGIN_KEY = 'preprocessing';

/** What a checkpoint's `plugins.preprocessing` holds (the `data` section's fields that matter for inference). */
export interface PreprocessingState {
  /** Working voxel size in mm; null = the input's own grid. */
  spacingMm: number | null;
  /** Training patch side = sliding-window size. */
  patchSize: number;
  /** Window step; default 3/4 of the window (paper: 24 for 32). */
  stride?: number | null;
  /** Which weights validation used ('ema' or 'raw'). */
  validationModel?: 'ema' | 'raw' | null;
}

/** How inputs are brought to the model's grid, and where that was read from. */
export interface InferencePreprocessing {
  spacingMm: number | null;
  window: number;
  stride: number;
  /** The file (or checkpoint plugin) the values came from: said to the user. */
  source: string;
}

export interface Predictor {
  model: UNet;
  /** Which weight set is in `model`. */
  weights: 'ema' | 'raw';
  /** The checkpoint folder actually read (after RUN_DIR -> checkpoints/best resolution). */
  checkpointDir: string;
  /** The run folder, when the checkpoint sits in RUN_DIR/checkpoints/<name>. */
  runDir: string | null;
  preprocessing: InferencePreprocessing;
  /** The backend in use (selected by `options.backend`, else the current tfjs backend). */
  backend: string;
  /** One line per decision taken (which checkpoint, which weights, which preprocessing). */
  notes: string[];
  dispose(): void;
}

export interface LoadPredictorOptions {
  /** 'auto' | 'wasm' | 'cpu' | 'tensorflow' | 'tensorflow-gpu'; omitted: keep the current backend. */
  backend?: string;
  /** true: EMA weights (error when absent); false: raw weights; omitted: what validation used, EMA when present. */
  useEma?: boolean;
  /** Receives the notes as they are taken (e.g. write them to stderr). */
  log?: (line: string) => void;
}

/** A checkpoint or run folder that cannot be used for inference; the message names the path. */
export class PredictorError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PredictorError';
  }
}

/** A checkpoint folder, or its `.prev` twin left by a crash between two renames (loadCheckpoint reads it). */
async function isCheckpoint(p: string): Promise<boolean> {
  return (await isFile(join(p, 'state.json'))) || (await isFile(join(`${p}.prev`, 'state.json')));
}

/**
 * `--checkpoint` may name a checkpoint folder or a run folder. For a run folder, use
 * checkpoints/best (the best validation Dice), falling back to checkpoints/latest (runs without
 * validation have no best).
 */
export async function resolveCheckpointDir(path: string): Promise<{ dir: string; note: string }> {
  if (!(await isDirectory(path))) throw new PredictorError(`${path}: checkpoint does not exist (give RUN_DIR or RUN_DIR/checkpoints/best)`);
  if (await isCheckpoint(path)) return { dir: path, note: `checkpoint ${path}` };
  for (const name of CHECKPOINT_NAMES) {
    const dir = checkpointPath(path, name);
    if (name === 'best' && (await isDirectory(dir)) && !(await isCheckpoint(dir))) {
      throw new PredictorError(
        `${dir} is broken (no state.json): not using another model silently; give --checkpoint ${checkpointPath(path, 'latest')} for the last one`,
      );
    }
    if (await isCheckpoint(dir)) {
      const why = name === 'best' ? 'best validation Dice' : 'no checkpoints/best in this run, using the last one';
      return { dir, note: `checkpoint ${dir} (${why})` };
    }
  }
  throw new PredictorError(`${path}: neither a checkpoint (no state.json) nor a run folder with checkpoints/best or checkpoints/latest`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate the preprocessing values wherever they came from; errors name the source. */
function checkPreprocessing(raw: Record<string, unknown>, source: string): Omit<InferencePreprocessing, 'source'> {
  const { spacingMm, patchSize, stride } = raw;
  if (!(spacingMm === null || spacingMm === undefined || (typeof spacingMm === 'number' && spacingMm > 0))) {
    throw new PredictorError(`${source}: spacingMm must be a positive number or null, got ${JSON.stringify(spacingMm)}`);
  }
  if (!(typeof patchSize === 'number' && Number.isInteger(patchSize) && patchSize > 0)) {
    throw new PredictorError(`${source}: patchSize must be a positive integer, got ${JSON.stringify(patchSize)}`);
  }
  if (!(stride === null || stride === undefined || (typeof stride === 'number' && Number.isInteger(stride) && stride > 0))) {
    throw new PredictorError(`${source}: stride must be a positive integer or null, got ${JSON.stringify(stride)}`);
  }
  return { spacingMm: spacingMm ?? null, window: patchSize, stride: stride ?? Math.max(1, Math.round(patchSize * 0.75)) };
}

/** Preprocessing and validation model, from the checkpoint's plugin state or the run folder's config.json. */
async function readTrainingSetup(
  plugins: Record<string, unknown>,
  checkpointDir: string,
): Promise<{ preprocessing: InferencePreprocessing; validationModel: 'ema' | 'raw' | null; runDir: string | null }> {
  const runDir = runDirOfCheckpoint(checkpointDir);
  const state = plugins[PREPROCESSING_PLUGIN_KEY];
  if (isRecord(state)) {
    const source = `${join(checkpointDir, 'state.json')} (plugins.${PREPROCESSING_PLUGIN_KEY})`;
    const vm = state.validationModel;
    return {
      preprocessing: { ...checkPreprocessing(state, source), source },
      validationModel: vm === 'ema' || vm === 'raw' ? vm : null,
      runDir,
    };
  }
  let setup: RunInferenceSetup | null = null;
  try {
    setup = runDir ? await readRunInferenceSetup(runDir) : null;
  } catch (e) {
    throw new PredictorError((e as Error).message);
  }
  if (!setup) {
    throw new PredictorError(
      `${checkpointDir}: cannot tell how inputs were preprocessed: the checkpoint has no plugins.${PREPROCESSING_PLUGIN_KEY} ` +
        `and there is no ${runDir ? runPath(runDir, 'config') : 'config.json two levels up (RUN_DIR/checkpoints/<name>)'}`,
    );
  }
  const pre = checkPreprocessing(setup.raw, setup.source);
  return { preprocessing: { ...pre, source: setup.source }, validationModel: setup.validationModel, runDir };
}

/**
 * Everything needed to run a trained model on new patients: the network with the chosen
 * weights, and the preprocessing it was trained with. Weights: EMA when the checkpoint has them
 * and validation used them (the default: the Dice the run reported is the EMA's), raw otherwise.
 */
export async function loadPredictor(checkpoint: string, options: LoadPredictorOptions = {}): Promise<Predictor> {
  const notes: string[] = [];
  const note = (line: string): void => {
    notes.push(line);
    options.log?.(line);
  };
  let backend: string;
  if (options.backend !== undefined) {
    const selection = await selectBackend(parseBackendRequest(options.backend), { log: note });
    // Idempotent: the import already registered them; this keeps the wasm path right if someone unregistered.
    if (selection.name === 'wasm') await registerKernelsFor('wasm');
    backend = selection.name;
  } else {
    // Keep whatever backend the caller set, but make sure it is initialised (tfjs refuses to
    // create tensors before the highest-priority backend is ready).
    await tf.ready();
    backend = tf.getBackend();
  }
  const resolved = await resolveCheckpointDir(checkpoint);
  note(resolved.note);
  let loaded;
  try {
    loaded = await loadCheckpoint(resolved.dir);
  } catch (e) {
    throw new PredictorError((e as Error).message);
  }
  const setup = await readTrainingSetup(loaded.plugins, resolved.dir);
  let weights: 'ema' | 'raw';
  if (options.useEma === true) {
    if (!loaded.ema) throw new PredictorError(`${resolved.dir}: the checkpoint has no EMA weights (use the raw weights)`);
    weights = 'ema';
  } else if (options.useEma === false || !loaded.ema) {
    weights = 'raw';
  } else {
    weights = setup.validationModel === 'raw' ? 'raw' : 'ema';
  }
  const why =
    options.useEma !== undefined
      ? 'as asked'
      : !loaded.ema
        ? 'the checkpoint has no EMA'
        : setup.validationModel
          ? `validation used ${setup.validationModel}`
          : 'EMA present';
  note(`weights: ${weights === 'ema' ? `EMA (decay ${loaded.ema?.decay})` : 'raw'} (${why})`);
  const p = setup.preprocessing;
  note(`preprocessing: ${p.spacingMm === null ? 'native grid' : `${p.spacingMm} mm`}, window ${p.window}, stride ${p.stride} (from ${p.source})`);
  const model = createUNet(loaded.unet, weights === 'ema' ? loaded.ema?.weights : loaded.weights);
  return {
    model,
    weights,
    checkpointDir: loaded.dir,
    runDir: setup.runDir,
    preprocessing: p,
    backend,
    notes,
    dispose: () => model.dispose(),
  };
}
