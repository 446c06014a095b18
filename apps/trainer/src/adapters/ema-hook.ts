import { Ema, type UNet } from '@lesionseg/models';
import type { EmaPlugin } from '../core/types.ts';

/**
 * The moving average of the weights as one stateful plugin (mmengine's EMAHook): it owns the
 * averaged copy, updates it after each optimizer step, and hands it to whoever scores with it
 * (OHEM, validation) and to the checkpoint store, which saves its weights where checkpoints
 * always kept them (so checkpoints written before this split still resume).
 */
export class EmaHook implements EmaPlugin {
  readonly average: Ema;

  constructor(model: UNet, decay: number) {
    this.average = new Ema(model, decay);
  }

  get decay(): number {
    return this.average.decay;
  }

  /** The averaged network. */
  get model(): UNet {
    return this.average.model;
  }

  update(): Promise<void> {
    this.average.update();
    return Promise.resolve();
  }

  dispose(): void {
    this.average.dispose();
  }
}
