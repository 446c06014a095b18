import {
  loadCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
  PREPROCESSING_PLUGIN_KEY,
  type ModelCardInfo,
  type PreprocessingState,
  type UNet,
} from '@lesionseg/models';
import type { ModelStore, TrainerState } from '../core/types.ts';
import type { Optimizer } from '../config/sections.ts';
import type { EmaHook } from './ema-hook.ts';

/** The key under which the loop's own state is stored in a models-lib checkpoint. */
const TRAINER_KEY = 'trainer';

/**
 * Checkpoints (ModelStore) through @lesionseg/models: weights, Adam moments and step, the EMA
 * hook's weights and the trainer state in one atomically written folder.
 */
export class CheckpointStore implements ModelStore {
  /** Describes a checkpoint for its model card (metadata.json + model-card.md, saved with it); null: no card. */
  modelCard: ((dir: string, state: TrainerState) => ModelCardInfo) | null = null;

  constructor(
    private readonly parts: { model: UNet; optimizer: Optimizer; ema: EmaHook },
    /** Stored in every checkpoint, so a checkpoint copied out of its run folder still predicts. */
    private readonly preprocessing: PreprocessingState | null = null,
  ) {}

  save(dir: string, state: TrainerState): Promise<void> {
    const plugins: Record<string, unknown> = { [TRAINER_KEY]: state };
    if (this.preprocessing) plugins[PREPROCESSING_PLUGIN_KEY] = this.preprocessing;
    const { model, optimizer, ema } = this.parts;
    return saveCheckpoint(dir, { model, optimizer, ema: ema.average, plugins, card: this.modelCard?.(dir, state) });
  }

  async load(dir: string): Promise<TrainerState> {
    const loaded = await loadCheckpoint(dir);
    const { model, optimizer, ema } = this.parts;
    await restoreCheckpoint(loaded, { model, optimizer, ema: ema.average });
    const state = loaded.plugins[TRAINER_KEY] as TrainerState | undefined;
    if (!state) throw new Error(`${dir}: checkpoint has no trainer state (not written by the trainer?)`);
    return state;
  }
}
