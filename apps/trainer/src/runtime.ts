import type { PatchScorer, PatchSource, StatefulRandom } from '@lesionseg/strategies';
import type { EmaPlugin, ModelStore, Trainable, Validator } from './core/types.ts';

/**
 * Everything that touches data and compute, built from the config by an adapter: the real one
 * (src/adapters: UNet + Adam + EMA from @lesionseg/models, patches and splits from
 * @lesionseg/data) or a fake in tests. The core loop and the composition root see only this.
 */
export interface Runtime {
  /** The compute backend actually in use (for trainStart and the progress bar). */
  backend: string;
  /** The run's seeded generator; its state goes into checkpoints. */
  random: StatefulRandom;
  source: PatchSource;
  trainable: Trainable;
  ema: EmaPlugin;
  /** Per-patch loss of the EMA model, no gradients: OHEM's scorer. */
  emaScorer: PatchScorer;
  store: ModelStore;
  validator: Validator | null;
  /** Written to RUN_DIR/split.json. */
  split: { train: string[]; validation: string[]; seed: number };
  dispose?(): void;
}
