/**
 * Checkpoints: model weights + Adam moments and step + EMA weights + plugin state (JSON).
 *
 * Layout of a checkpoint folder:
 *   model.json, model.weights.bin          the UNet (standard tfjs weights manifest; modelTopology
 *                                          holds the UNet options)
 *   ema.json, ema.weights.bin              the EMA copy, with decay and update count (optional)
 *   optimizer.json, optimizer.weights.bin  Adam config, iterations, m and v per parameter (optional)
 *   state.json                             plugin state by key, format version
 *   metadata.json, model-card.md           the model card, when the saver gives one (model-card.ts)
 *
 * Atomic replacement: everything goes to `<dir>.tmp-<pid>-<time>`; then the old `<dir>` becomes
 * `<dir>.prev`, the new folder is renamed to `<dir>`, and `<dir>.prev` is removed. A crash
 * while writing leaves `<dir>` untouched; a crash between the two renames leaves `<dir>.prev`,
 * which `loadCheckpoint` falls back to. Temporary folders of writers that died are removed at
 * the next save.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathExists, processAlive } from '@lesionseg/data';
import type { Ema } from '../ema/ema.ts';
import { adamConfig, getAccumulatedBetas, setAccumulatedBetas, setLearningRate } from '../train/optimizer.ts';
import { resolveUNetOptions, type ResolvedUNetOptions } from '../unet/options.ts';
import type { UNet } from '../unet/unet.ts';
import { writeModelCard, type ModelCardInfo } from './model-card.ts';
import { readWeightSet, writeFileSynced, writeWeightSet, type WeightEntry } from './weights-file.ts';

export const CHECKPOINT_FORMAT = 'lesionseg-checkpoint-v1';

export interface CheckpointInput {
  model: UNet;
  optimizer?: tf.AdamOptimizer;
  ema?: Ema;
  /** JSON-serialisable state of stateful plugins, by a unique key (sampler RNG, clock, best metric...). */
  plugins?: Record<string, unknown>;
  /** When given, metadata.json + model-card.md are written beside the weights (model-card.ts). */
  card?: ModelCardInfo;
}

/** Points of a save, for fault-injection tests: model files written, all written, old folder moved aside, new one in place. */
export type SaveStage = 'model-written' | 'all-written' | 'old-moved' | 'committed';

export interface SaveOptions {
  /** Test hook: awaited after all files are written, before the folder is swapped in. */
  beforeCommit?: () => Promise<void>;
  /** Test hook: awaited at each stage of the save (a test kills the writer there). */
  onStage?: (stage: SaveStage) => Promise<void> | void;
}

export interface LoadedCheckpoint {
  dir: string;
  unet: ResolvedUNetOptions;
  weights: Map<string, Float32Array>;
  ema?: { decay: number; updateCount: number; weights: Map<string, Float32Array> };
  optimizer?: {
    config: { learningRate: number; beta1: number; beta2: number; epsilon: number };
    iterations: number;
    /** beta1^t and beta2^t as the optimizer held them (absent in older checkpoints: recomputed). */
    accumulatedBetas?: [number, number];
    m: Map<string, Float32Array>;
    v: Map<string, Float32Array>;
  };
  plugins: Record<string, unknown>;
}

async function modelEntries(model: UNet): Promise<WeightEntry[]> {
  const out: WeightEntry[] = [];
  for (const [name, v] of model.params) out.push({ name, shape: v.shape, values: (await v.data()) as Float32Array });
  return out;
}

async function optimizerState(model: UNet, optimizer: tf.AdamOptimizer): Promise<{ iterations: number; entries: WeightEntry[] }> {
  const named = await optimizer.getWeights();
  const iterations = (await named[0].tensor.data())[0];
  named[0].tensor.dispose(); // a fresh scalar made by getWeights
  const moments = named.slice(1);
  const names = [...model.params.keys()];
  const shapes = [...model.params.values()].map((v) => v.shape);
  if (moments.length !== 0 && moments.length !== 2 * names.length) {
    throw new Error(
      `saveCheckpoint: the optimizer holds ${moments.length} moment tensors, expected ${2 * names.length} (2 per model parameter): was it used with another model?`,
    );
  }
  const entries: WeightEntry[] = [];
  for (let i = 0; i < moments.length; i++) {
    const p = i % names.length;
    entries.push({ name: `${names[p]}/${i < names.length ? 'm' : 'v'}`, shape: shapes[p], values: (await moments[i].tensor.data()) as Float32Array });
  }
  return { iterations, entries };
}

/**
 * Removes `<dir>.tmp-<pid>-<time>` folders left by a writer that was killed mid-write (its pid
 * is gone, or is this process, which writes one checkpoint of `dir` at a time). Returns what it removed.
 */
export async function removeStaleCheckpointTemps(dir: string): Promise<string[]> {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)-\d+$/.exec(name.slice(prefix.length)) : null;
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

export async function saveCheckpoint(dir: string, input: CheckpointInput, options: SaveOptions = {}): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  await removeStaleCheckpointTemps(dir);
  const tmp = join(parent, `${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  const prev = `${dir}.prev`;
  await mkdir(tmp);
  try {
    const unet = input.model.options;
    await writeWeightSet(tmp, 'model', await modelEntries(input.model), {
      format: 'lesionseg-unet3d',
      generatedBy: '@lesionseg/models',
      modelTopology: { type: 'unet3d', options: unet, layout: 'NDHWC [batch, z, y, x, channel]' },
    });
    await options.onStage?.('model-written');
    if (input.ema) {
      await writeWeightSet(tmp, 'ema', await modelEntries(input.ema.model), {
        format: 'lesionseg-unet3d-ema',
        decay: input.ema.decay,
        updateCount: input.ema.updateCount,
      });
    }
    if (input.optimizer) {
      const { iterations, entries } = await optimizerState(input.model, input.optimizer);
      // float32 values written as JSON doubles read back exactly
      const accumulatedBetas = await getAccumulatedBetas(input.optimizer);
      await writeWeightSet(tmp, 'optimizer', entries, { format: 'lesionseg-adam', config: adamConfig(input.optimizer), iterations, accumulatedBetas });
    }
    const state = {
      format: CHECKPOINT_FORMAT,
      savedAt: new Date().toISOString(),
      hasEma: !!input.ema,
      hasOptimizer: !!input.optimizer,
      plugins: input.plugins ?? {},
    };
    await writeFileSynced(join(tmp, 'state.json'), JSON.stringify(state, null, 1) + '\n');
    if (input.card) await writeModelCard(tmp, input.card, unet, !!input.ema, state.savedAt);
    await options.beforeCommit?.();
    await options.onStage?.('all-written');
    if (await pathExists(dir)) {
      // `dir` is complete, so an older `.prev` is no longer needed.
      await rm(prev, { recursive: true, force: true });
      await rename(dir, prev);
      await options.onStage?.('old-moved');
    }
    await rename(tmp, dir);
    await options.onStage?.('committed');
    await rm(prev, { recursive: true, force: true });
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

const toFloatMap = (m: Map<string, WeightEntry>) => new Map([...m].map(([k, e]) => [k, e.values]));

export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  let from = dir;
  if (!(await pathExists(join(dir, 'state.json'))) && (await pathExists(join(`${dir}.prev`, 'state.json')))) from = `${dir}.prev`;
  const statePath = join(from, 'state.json');
  let state: { format?: string; hasEma?: boolean; hasOptimizer?: boolean; plugins?: Record<string, unknown> };
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as typeof state;
  } catch (error) {
    throw new Error(`${statePath}: not a readable checkpoint (${(error as Error).message})`);
  }
  if (state.format !== CHECKPOINT_FORMAT) throw new Error(`${statePath}: unknown checkpoint format "${state.format}", expected "${CHECKPOINT_FORMAT}"`);
  const model = await readWeightSet(from, 'model');
  const topology = model.json.modelTopology as { options?: ResolvedUNetOptions } | undefined;
  if (!topology?.options) throw new Error(`${join(from, 'model.json')}: no modelTopology.options (UNet options)`);
  const out: LoadedCheckpoint = { dir: from, unet: resolveUNetOptions(topology.options), weights: toFloatMap(model.weights), plugins: state.plugins ?? {} };
  if (state.hasEma) {
    const ema = await readWeightSet(from, 'ema');
    out.ema = { decay: ema.json.decay as number, updateCount: ema.json.updateCount as number, weights: toFloatMap(ema.weights) };
  }
  if (state.hasOptimizer) {
    const opt = await readWeightSet(from, 'optimizer');
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const [name, e] of opt.weights) (name.endsWith('/m') ? m : v).set(name.slice(0, -2), e.values);
    const betas = opt.json.accumulatedBetas;
    const accumulatedBetas =
      Array.isArray(betas) && betas.length === 2 && betas.every((b) => typeof b === 'number' && b > 0 && b <= 1) ? (betas as [number, number]) : undefined;
    if (betas !== undefined && !accumulatedBetas)
      throw new Error(`${join(from, 'optimizer.json')}: "accumulatedBetas" must be two numbers in (0, 1], got ${JSON.stringify(betas)}`);
    out.optimizer = {
      config: opt.json.config as NonNullable<LoadedCheckpoint['optimizer']>['config'],
      iterations: opt.json.iterations as number,
      accumulatedBetas,
      m,
      v,
    };
  }
  return out;
}

/** Put a loaded checkpoint's state into existing objects (model of the same options, Adam, Ema). */
export async function restoreCheckpoint(loaded: LoadedCheckpoint, into: { model: UNet; optimizer?: tf.AdamOptimizer; ema?: Ema }): Promise<void> {
  const want = JSON.stringify(loaded.unet.widths) + loaded.unet.groups + loaded.unet.inChannels;
  const have = JSON.stringify(into.model.options.widths) + into.model.options.groups + into.model.options.inChannels;
  if (want !== have)
    throw new Error(
      `${loaded.dir}: checkpoint UNet (widths ${JSON.stringify(loaded.unet.widths)}, groups ${loaded.unet.groups}) does not match the model (widths ${JSON.stringify(into.model.options.widths)}, groups ${into.model.options.groups})`,
    );
  into.model.setWeights(loaded.weights);
  if (into.ema) {
    if (loaded.ema) into.ema.load(loaded.ema.weights, loaded.ema.updateCount);
    else into.ema.reset();
  }
  if (into.optimizer && loaded.optimizer) {
    const o = loaded.optimizer;
    const vars = [...into.model.params];
    const moments: Parameters<tf.Optimizer['setWeights']>[0] = [];
    if (o.m.size > 0) {
      for (const kind of ['m', 'v'] as const) {
        for (const [name, variable] of vars) {
          const values = (kind === 'm' ? o.m : o.v).get(name);
          if (!values) throw new Error(`${loaded.dir}: optimizer state has no ${kind} for parameter "${name}"`);
          moments.push({ name: `${variable.name}/${kind}`, tensor: tf.tensor(values, variable.shape) });
        }
      }
    }
    // setWeights replaces the moment variables without disposing the old ones.
    const old = await into.optimizer.getWeights();
    tf.dispose(old.map((w) => w.tensor));
    // tfjs Adam's setWeights reads the step from the first entry and re-derives beta^t from it.
    const iter = tf.scalar(o.iterations, 'int32');
    await into.optimizer.setWeights([{ name: 'iter', tensor: iter }, ...moments]);
    tf.dispose([iter, ...moments.map((w) => w.tensor)]);
    if (o.accumulatedBetas) setAccumulatedBetas(into.optimizer, o.accumulatedBetas);
    setLearningRate(into.optimizer, o.config.learningRate);
  }
}
