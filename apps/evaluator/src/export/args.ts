import { commandHelp, parseCommandLine, pathOption, UsageError, type CommandHelpSpec, type OptionSpecs, type OptionValues } from '@lesionseg/cli';

/** `evaluator export`, with paths made absolute. */
export interface ExportCliOptions {
  checkpoint: string;
  out: string;
  /** true: raw weights even when the checkpoint has EMA weights. */
  raw: boolean;
}

export const EXPORT_OPTIONS: OptionSpecs = {
  run: {
    type: 'string',
    value: 'DIR',
    deprecated: ['checkpoint'],
    description: 'a run folder (uses checkpoints/best, else checkpoints/latest) or a checkpoint folder',
  },
  out: { type: 'string', value: 'FILE', description: 'the .onnx file (written atomically)' },
  raw: {
    type: 'boolean',
    description: 'the raw weights even when the checkpoint has EMA weights (default: the weights the run validated with, EMA when present, as predict uses)',
  },
};

export const EXPORT_SPEC: CommandHelpSpec = {
  name: 'export',
  nxTarget: 'evaluator:export',
  summary: "a trained checkpoint's UNet as an ONNX model (opset 17), for ONNX Runtime, Python or C++",
  usage: ['--run DIR --out model.onnx [--raw]'],
  options: EXPORT_OPTIONS,
  epilog: `The model takes "flair" float32 [batch, 2, depth, height, width] (z, y, x of the NIfTI grid;
channel 0 baseline, 1 follow-up, each z-scored after resampling to the training spacing) and
gives "logits" [batch, 1, depth, height, width]; sides must be divisible by 2^(levels-1). The
spacing, window, stride, threshold and provenance are in the model's metadata_props.`,
};

export const EXPORT_USAGE = commandHelp('lesionseg', EXPORT_SPEC);

export function parseExportArgs(argv: string[], baseDir: string): ExportCliOptions | 'help' {
  const values = parseCommandLine(argv, EXPORT_OPTIONS, (m) => void process.stderr.write(`lesionseg export: warning: ${m}\n`));
  return values.help ? 'help' : exportOptions(values, baseDir);
}

export function exportOptions(values: OptionValues, baseDir: string): ExportCliOptions {
  const checkpoint = pathOption(values, 'run', baseDir, true) as string;
  const out = pathOption(values, 'out', baseDir, true) as string;
  if (!out.endsWith('.onnx')) throw new UsageError(`--out must name a .onnx file, got ${JSON.stringify(values.out)}`);
  return { checkpoint, out, raw: values.raw === true };
}
