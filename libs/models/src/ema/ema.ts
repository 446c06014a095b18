/**
 * Exponential moving average of a model's weights (the paper's "momentum" UNet used by OHEM):
 *   ema = decay * ema + (1 - decay) * weights      after each optimizer step.
 * `decay` is the weight on the *old* average (the paper's momentum 0.9 / 0.99); mmengine and
 * Ignite call the other weight "momentum", hence the name. The average starts as an exact copy;
 * decay 0 keeps it equal to the model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cloneUNet, type UNet } from '../unet/unet.ts';

export class Ema {
  /** The averaged network: use it for scoring (OHEM) or validation. */
  readonly model: UNet;
  private updates = 0;

  constructor(
    private readonly source: UNet,
    readonly decay: number,
  ) {
    if (!(decay >= 0 && decay <= 1)) throw new Error(`EMA decay must be in [0, 1], got ${decay}`);
    this.model = cloneUNet(source);
  }

  /** Number of updates since creation or the last `load`. */
  get updateCount(): number {
    return this.updates;
  }

  update(): void {
    const d = this.decay;
    tf.tidy(() => {
      for (const [name, w] of this.source.params) {
        const e = this.model.params.get(name) as tf.Variable;
        // decay 0: an exact copy (no 0 * ema rounding games with Inf/NaN).
        e.assign(d === 0 ? w.clone() : tf.add(tf.mul(e, d), tf.mul(w, 1 - d)));
      }
    });
    this.updates++;
  }

  /** Copy the model's weights into the average (e.g. after loading weights into the model). */
  reset(): void {
    this.model.setWeights(this.source.params);
  }

  /** Restore the averaged weights (from a checkpoint). */
  load(weights: ReadonlyMap<string, Float32Array>, updateCount = 0): void {
    this.model.setWeights(weights);
    this.updates = updateCount;
  }

  dispose(): void {
    this.model.dispose();
  }
}
