import { definePlugin, num } from '@lesionseg/config';
import { createPatchLoss, type PatchLoss, type PatchLossConfig } from '@lesionseg/models';

/**
 * A training loss: the per-patch loss function, and the models library's config of the same
 * loss when it has one (worker replicas rebuild the loss from it in their own thread; a loss
 * from a plugin has none, so it trains on the main thread only).
 */
export interface TrainingLoss {
  fn: PatchLoss;
  workerConfig: PatchLossConfig | null;
}

const fromConfig = (config: PatchLossConfig): TrainingLoss => ({ fn: createPatchLoss(config), workerConfig: config });

export const bceLoss = definePlugin({
  type: 'bce',
  summary: 'binary cross-entropy on logits, mean per patch (paper)',
  options: {},
  create: () => fromConfig({ type: 'bce' }),
});

export const diceLoss = definePlugin({
  type: 'dice',
  summary: 'soft Dice per patch',
  options: { smooth: num({ default: 1, min: 0 }) },
  create: (o) => fromConfig({ type: 'dice', ...o }),
});

export const bceDiceLoss = definePlugin({
  type: 'bce+dice',
  summary: 'BCE + diceWeight x soft Dice',
  options: { diceWeight: num({ default: 1, min: 0 }), smooth: num({ default: 1, min: 0 }) },
  create: (o) => fromConfig({ type: 'bce+dice', ...o }),
});
