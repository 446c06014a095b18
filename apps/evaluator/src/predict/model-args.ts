import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../score/args.ts';

/** Which networks predict: one or several checkpoints (an ensemble), with or without flip TTA. */
export interface ModelCliOptions {
  /** The first --checkpoint (its preprocessing is the ensemble's). */
  checkpoint: string;
  /** Every --checkpoint, in the order given (absolute). */
  checkpoints: string[];
  /** Flip test-time augmentation: each window also run mirrored along every subset of z, y, x. */
  tta: boolean;
}

/** parseArgs spec of the model options (`--checkpoint` may be repeated). */
export const MODEL_OPTIONS = {
  checkpoint: { type: 'string', multiple: true },
  tta: { type: 'boolean' },
} as const;

export const MODEL_USAGE = `  --checkpoint PATH     a run folder (uses checkpoints/best, else checkpoints/latest) or a checkpoint
                        folder; repeat it for an ensemble (probabilities averaged; the checkpoints
                        must share the working spacing, window and stride)
  --tta                 test-time augmentation: also run every window mirrored along each subset of
                        z, y, x (8 passes) and average the probabilities (8x slower)`;

export function parseModelOptions(values: Record<string, unknown>, baseDir: string): ModelCliOptions {
  const given = values.checkpoint;
  const list = Array.isArray(given) ? (given as string[]) : typeof given === 'string' ? [given] : [];
  if (list.length === 0 || list.some((c) => c === '')) throw new UsageError('--checkpoint is required');
  const checkpoints = list.map((c) => (isAbsolute(c) ? c : resolve(baseDir, c)));
  return { checkpoint: checkpoints[0], checkpoints, tta: values.tta === true };
}
