/**
 * Per-patch losses. The per-patch values are what OHEM ranks, and their mean is the training
 * loss. A loss is a plugin: any `PatchLoss` (logits, mask) -> per-patch values works.
 */
import * as tf from '@tensorflow/tfjs-core';

/** logits and mask `[N, z, y, x, 1]` (mask in {0, 1}) -> `[N]` per-patch losses. */
export type PatchLoss = (logits: tf.Tensor, mask: tf.Tensor) => tf.Tensor1D;

function flat(t: tf.Tensor): tf.Tensor2D {
  return tf.reshape(t, [t.shape[0], -1]);
}

/**
 * Binary cross-entropy on logits, averaged over the voxels of each patch. Same formula as
 * PyTorch's `binary_cross_entropy_with_logits`: max(x, 0) - x*y + log(1 + exp(-|x|)).
 */
export const bceWithLogitsPerPatch: PatchLoss = (logits, mask) =>
  tf.tidy(() => {
    const x = flat(logits);
    const y = flat(mask);
    const l = tf.add(tf.sub(tf.relu(x), tf.mul(x, y)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    return tf.mean(l, 1) as tf.Tensor1D;
  });

/** Soft Dice loss per patch: 1 - (2 sum(p m) + s) / (sum(p) + sum(m) + s), p = sigmoid(logits). `smooth` avoids 0/0 on empty patches. */
export function softDicePerPatch(smooth = 1): PatchLoss {
  return (logits, mask) =>
    tf.tidy(() => {
      const p = tf.sigmoid(flat(logits));
      const m = flat(mask);
      const inter = tf.sum(tf.mul(p, m), 1);
      const denom = tf.add(tf.add(tf.sum(p, 1), tf.sum(m, 1)), smooth);
      return tf.sub(1, tf.div(tf.add(tf.mul(inter, 2), smooth), denom)) as tf.Tensor1D;
    });
}

/** BCE + weight x soft Dice, per patch. */
export function bceDicePerPatch(diceWeight = 1, smooth = 1): PatchLoss {
  const dice = softDicePerPatch(smooth);
  return (logits, mask) => tf.tidy(() => tf.add(bceWithLogitsPerPatch(logits, mask), tf.mul(dice(logits, mask), diceWeight)) as tf.Tensor1D);
}

/** Config form of a loss, e.g. `{ type: 'bce' }` or `{ type: 'bce+dice', diceWeight: 0.5 }`. */
export type PatchLossConfig = { type: 'bce' } | { type: 'dice'; smooth?: number } | { type: 'bce+dice'; diceWeight?: number; smooth?: number };

export const PATCH_LOSS_TYPES = ['bce', 'dice', 'bce+dice'] as const;

export function createPatchLoss(config: PatchLossConfig): PatchLoss {
  switch (config.type) {
    case 'bce':
      return bceWithLogitsPerPatch;
    case 'dice':
      return softDicePerPatch(config.smooth);
    case 'bce+dice':
      return bceDicePerPatch(config.diceWeight, config.smooth);
    default:
      throw new Error(`Unknown loss type "${(config as { type: string }).type}". Choose one of: ${PATCH_LOSS_TYPES.join(', ')}.`);
  }
}
