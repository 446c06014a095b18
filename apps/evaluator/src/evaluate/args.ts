import { UsageError } from '../score/args.ts';
import { MODEL_USAGE } from '../predict/model-args.ts';
import { INFERENCE_OPTIONS, parseInferenceOptions, parseValues, pathOption, type InferenceCliOptions } from '../predict/args.ts';

/** `evaluator evaluate`: predict a dataset, then score it. */
export type EvaluateCliOptions = InferenceCliOptions & { data: string; out: string; patients: string };

export const EVALUATE_USAGE = `Predict every patient of a dataset with a trained checkpoint, then score the masks (MSSEG-2 metrics).

Usage: npx nx run evaluator:evaluate -- --checkpoint RUN_DIR --data DATASET --out DIR [OPTIONS]

${MODEL_USAGE}
  --data PATH           an MSSEG-2 dataset folder (or a JSON/CSV manifest) with ground truths
  --out DIR             receives predictions/<patient>.nii.gz, results.json, results.csv, table.md,
                        lesions.csv
  --patients SPEC       all (default), validation or train (the run's split.json: held-out patients
                        are "validation"), FILE.json:KEY, or id1,id2,...
  --threshold T         lesion where probability >= T (default 0.5)
  --postprocess NAME    none (default) or drop-small
  --min-lesion-mm3 V    the drop-small limit (default 3; scoring always uses 3)
  --plugin FILE         a plugin module whose postProcessors --postprocess may name (repeatable)
  --raw                 raw weights instead of the EMA ones
  --weighting W         average (default) or gaussian
  --backend NAME        auto (default), tensorflow-gpu, webgpu, tensorflow, wasm, cpu
                        (auto takes webgpu only on a hardware GPU adapter)
  --workers N           also run windows on N worker threads (wasm/cpu; default 0)
  --quiet               no progress bar
  -h, --help

Relative paths are resolved against the folder you ran the command from.`;

export function parseEvaluateArgs(argv: string[], baseDir: string): EvaluateCliOptions | 'help' {
  const values = parseValues(argv, { ...INFERENCE_OPTIONS, data: { type: 'string' }, out: { type: 'string' } });
  if (values.help) return 'help';
  const common = parseInferenceOptions(values, baseDir);
  const data = pathOption(values, 'data', baseDir, true) as string;
  const out = pathOption(values, 'out', baseDir, true) as string;
  const patients = typeof values.patients === 'string' ? values.patients : 'all';
  if (patients === '') throw new UsageError('--patients is empty');
  return { ...common, data, out, patients };
}
