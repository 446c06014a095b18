import { commandHelp, parseCommandLine, pathOption, stringOption, UsageError, type CommandHelpSpec, type OptionSpecs, type OptionValues } from '@lesionseg/cli';
import { INFERENCE_OPTIONS, parseInferenceOptions, type InferenceCliOptions } from '../predict/args.ts';
import { PARTS_OPTIONS, parsePartsOptions, type PartsOptions } from '../predict/parts.ts';
import { PATIENTS_SPEC } from '../predict/patients.ts';

/** `evaluator evaluate`: predict a dataset, then score it. */
export type EvaluateCliOptions = InferenceCliOptions & {
  data: string;
  out: string;
  patients: string;
  /** --parts N: predict in N parts as tasks of an executor into OUT/predictions, then score here. */
  parts: PartsOptions | null;
};

/** evaluate scores the whole selection: --parts, not --part. */
const { part: _part, ...EVALUATE_PARTS_OPTIONS } = PARTS_OPTIONS;

export const EVALUATE_OPTIONS: OptionSpecs = {
  ...INFERENCE_OPTIONS,
  data: { type: 'string', value: 'PATH', description: 'an MSSEG-2 dataset folder (or a JSON/CSV manifest) with ground truths' },
  out: { type: 'string', value: 'DIR', description: 'receives predictions/<patient>.nii.gz, results.json, results.csv, table.md, lesions.csv' },
  patients: {
    type: 'string',
    value: 'SPEC',
    description: PATIENTS_SPEC,
  },
  ...EVALUATE_PARTS_OPTIONS,
  parts: {
    type: 'string',
    value: 'N',
    description: 'predict in N parts as tasks of --executor into OUT/predictions (complete predictions are kept), then score the union here',
  },
};

export const EVALUATE_SPEC: CommandHelpSpec = {
  name: 'evaluate',
  nxTarget: 'evaluator:evaluate',
  summary: 'predict every patient of a dataset, then score the masks (MSSEG-2 metrics)',
  usage: ['--run DIR --data DATASET --out DIR [OPTIONS]'],
  options: EVALUATE_OPTIONS,
};

export const EVALUATE_USAGE = commandHelp('lesionseg', EVALUATE_SPEC);

export function parseEvaluateArgs(argv: string[], baseDir: string): EvaluateCliOptions | 'help' {
  const values = parseCommandLine(argv, EVALUATE_OPTIONS, (m) => void process.stderr.write(`lesionseg evaluate: warning: ${m}\n`));
  return values.help ? 'help' : evaluateOptions(values, baseDir);
}

export function evaluateOptions(values: OptionValues, baseDir: string): EvaluateCliOptions {
  const common = parseInferenceOptions(values, baseDir);
  const data = pathOption(values, 'data', baseDir, true) as string;
  const out = pathOption(values, 'out', baseDir, true) as string;
  const patients = stringOption(values, 'patients') ?? 'all';
  if (patients === '') throw new UsageError('--patients is empty');
  return { ...common, data, out, patients, parts: parsePartsOptions(values).parts };
}
