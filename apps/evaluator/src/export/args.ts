import { UsageError } from '../score/args.ts';
import { parseValues, pathOption } from '../predict/args.ts';

/** `evaluator export`, with paths made absolute. */
export interface ExportCliOptions {
  checkpoint: string;
  out: string;
  /** true: raw weights even when the checkpoint has EMA weights. */
  raw: boolean;
}

export const EXPORT_USAGE = `Export a trained checkpoint's UNet as an ONNX model (opset 17), for ONNX Runtime, Python or C++.

Usage: npx nx run evaluator:export -- --checkpoint RUN_DIR --out model.onnx [--raw]

  --checkpoint PATH   a run folder (uses checkpoints/best, else checkpoints/latest) or a checkpoint folder
  --out FILE          the .onnx file (written atomically)
  --raw               the raw weights even when the checkpoint has EMA weights (default: the
                      weights the run validated with, EMA when present, as predict uses)
  -h, --help

The model takes "flair" float32 [batch, 2, depth, height, width] (z, y, x of the NIfTI grid;
channel 0 baseline, 1 follow-up, each z-scored after resampling to the training spacing) and
gives "logits" [batch, 1, depth, height, width]; sides must be divisible by 2^(levels-1). The
spacing, window, stride, threshold and provenance are in the model's metadata_props.
Relative paths are resolved against the folder you ran the command from.`;

export function parseExportArgs(argv: string[], baseDir: string): ExportCliOptions | 'help' {
  const values = parseValues(argv, {
    checkpoint: { type: 'string' },
    out: { type: 'string' },
    raw: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const checkpoint = pathOption(values, 'checkpoint', baseDir, true) as string;
  const out = pathOption(values, 'out', baseDir, true) as string;
  if (!out.endsWith('.onnx')) throw new UsageError(`--out must name a .onnx file, got ${JSON.stringify(values.out)}`);
  return { checkpoint, out, raw: values.raw === true };
}
