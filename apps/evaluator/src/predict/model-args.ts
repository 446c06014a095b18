import { isAbsolute, resolve } from 'node:path';
import { listOption, UsageError, type OptionSpecs, type OptionValues } from '@lesionseg/cli';

/** Which networks predict: one or several checkpoints (an ensemble), with or without flip TTA. */
export interface ModelCliOptions {
  /** The first --run (its preprocessing is the ensemble's). */
  checkpoint: string;
  /** Every --run, in the order given (absolute). */
  checkpoints: string[];
  /** Flip test-time augmentation: each window also run mirrored along every subset of z, y, x. */
  tta: boolean;
}

/** The model options (`--run` may be repeated; `--checkpoint` is its old spelling). */
export const MODEL_OPTIONS: OptionSpecs = {
  run: {
    type: 'string',
    value: 'DIR',
    multiple: true,
    deprecated: ['checkpoint'],
    description:
      'a run folder (uses checkpoints/best, else checkpoints/latest) or a checkpoint folder; repeat it for an ensemble (probabilities averaged; the checkpoints must share the working spacing, window and stride)',
  },
  tta: {
    type: 'boolean',
    description: 'test-time augmentation: also run every window mirrored along each subset of z, y, x (8 passes) and average the probabilities (8x slower)',
  },
};

export function parseModelOptions(values: OptionValues, baseDir: string): ModelCliOptions {
  const list = listOption(values, 'run');
  if (list.length === 0 || list.some((c) => c === '')) throw new UsageError('--run DIR (the trained run or checkpoint) is required');
  const checkpoints = list.map((c) => (isAbsolute(c) ? c : resolve(baseDir, c)));
  return { checkpoint: checkpoints[0], checkpoints, tta: values.tta === true };
}
