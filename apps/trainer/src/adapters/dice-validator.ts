import type { PreprocessedPatient } from '@lesionseg/data';
import { slidingWindowPredict, type PatchBatch, type UNet } from '@lesionseg/models';
import type { Validator, ValidationResult } from '../core/types.ts';

/** Voxel Dice of a thresholded probability map against a 0/1 mask; null when both are empty. */
export function diceScore(prob: Float32Array, mask: Uint8Array, threshold: number): number | null {
  let inter = 0;
  let p = 0;
  let g = 0;
  for (let i = 0; i < mask.length; i++) {
    const pred = prob[i] >= threshold ? 1 : 0;
    p += pred;
    g += mask[i];
    inter += pred & mask[i];
  }
  if (p + g === 0) return null;
  return (2 * inter) / (p + g);
}

/**
 * Validation for the learning curves: sliding-window prediction of each validation patient on
 * its working grid (windows of the patch size, the configured stride, plain averaging as in the
 * paper), thresholded, and voxel Dice against the working-grid mask. The run's Dice is the mean
 * over patients that have new lesions (a patient without any has no Dice, as in MSSEG-2).
 * Evaluating on the original grid is the evaluator's job; the two differ only by resampling.
 */
/** A validation patient read when validation runs (from the cache) and dropped after, so memory holds one at a time. */
export interface LazyPatient {
  id: string;
  load(): Promise<PreprocessedPatient>;
}

export class DiceValidator implements Validator {
  private readonly channels = new Map<string, [Float32Array, Float32Array]>();

  constructor(
    private readonly patients: readonly (PreprocessedPatient | LazyPatient)[],
    private readonly model: () => UNet,
    private readonly which: 'ema' | 'raw',
    private readonly options: { window: number; stride: number; threshold: number; batchSize?: number; predict?: (b: PatchBatch) => Promise<Float32Array> },
  ) {}

  /** The data lib interleaves the two channels; sliding-window inference takes one volume per channel (kept for in-memory patients only). */
  private split(p: PreprocessedPatient, keep: boolean): [Float32Array, Float32Array] {
    let c = this.channels.get(p.id);
    if (!c) {
      const n = p.image.length / 2;
      c = [new Float32Array(n), new Float32Array(n)];
      for (let i = 0; i < n; i++) {
        c[0][i] = p.image[2 * i];
        c[1][i] = p.image[2 * i + 1];
      }
      if (keep) this.channels.set(p.id, c);
    }
    return c;
  }

  async validate(): Promise<ValidationResult> {
    const perPatient: ValidationResult['perPatient'] = [];
    const scored: number[] = [];
    for (const entry of this.patients) {
      const lazy = 'load' in entry;
      const p = lazy ? await entry.load() : entry;
      const prob = await slidingWindowPredict(this.model(), this.split(p, !lazy), p.shape, {
        window: this.options.window,
        stride: this.options.stride,
        batchSize: this.options.batchSize ?? 8,
        predict: this.options.predict,
      });
      const dice = p.positives.length > 0 ? diceScore(prob, p.mask, this.options.threshold) : null;
      perPatient.push({ patient: p.id, dice });
      if (dice !== null) scored.push(dice);
    }
    const dice = scored.length === 0 ? NaN : scored.reduce((a, x) => a + x, 0) / scored.length;
    return { dice, perPatient, model: this.which };
  }
}
