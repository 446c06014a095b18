import { resolve } from 'node:path';
import {
  choiceOption,
  commandHelp,
  listOption,
  numberOption,
  parseCommandLine,
  pathOption,
  stringOption,
  UsageError,
  type CommandHelpSpec,
  type OptionSpecs,
  type OptionValues,
} from '@lesionseg/cli';
import { BACKEND_NAMES } from '@lesionseg/models';
import { MODEL_OPTIONS, parseModelOptions, type ModelCliOptions } from './model-args.ts';
import { PARTS_OPTIONS, parsePartsOptions, type Part, type PartsOptions } from './parts.ts';
import { PATIENTS_SPEC } from './patients.ts';

/** Inference options shared by `evaluator predict` and `evaluator evaluate`. */
export interface InferenceCliOptions extends ModelCliOptions {
  threshold: number;
  backend: string;
  /** true: raw weights even when the checkpoint has EMA weights. */
  raw: boolean;
  weighting: 'average' | 'gaussian';
  postprocess: string;
  minLesionMm3: number;
  /** --plugin FILE (repeatable): modules whose postProcessors --postprocess may name (absolute). */
  plugins: string[];
  /** Worker-thread model replicas besides the main thread (0: main thread only). */
  workers: number;
  quiet: boolean;
}

/** `evaluator predict`, with user paths made absolute: one patient (files) or a dataset (folders). */
export type PredictCliOptions = InferenceCliOptions &
  (
    | { mode: 'files'; flair1: string; flair2: string; out: string; probabilities: string | null }
    | {
        mode: 'dataset';
        data: string;
        out: string;
        probabilities: string | null;
        patients: string;
        overwrite: boolean;
        /** --part I/N: only this part of the selection. */
        part: Part | null;
        /** --parts N: every part as a task of an executor. */
        parts: PartsOptions | null;
      }
  );

/** Options both inference commands take. */
export const INFERENCE_OPTIONS: OptionSpecs = {
  ...MODEL_OPTIONS,
  threshold: { type: 'string', value: 'T', default: "0.5, the paper's", description: 'lesion where probability >= T' },
  postprocess: {
    type: 'string',
    value: 'NAME',
    default: 'none, as in the paper',
    description: 'none or drop-small (remove predicted components of --min-lesion-mm3 or less, which the MSSEG-2 metrics ignore anyway)',
  },
  'min-lesion-mm3': { type: 'string', value: 'V', default: '3; scoring always uses 3', description: 'the drop-small limit' },
  plugin: {
    type: 'string',
    value: 'FILE',
    multiple: true,
    description: 'a plugin module (.ts/.js) whose postProcessors --postprocess may name (see docs/plugins.md)',
  },
  raw: {
    type: 'boolean',
    description: 'use the raw weights even when the checkpoint has EMA weights (default: the weights the run validated with, EMA when present)',
  },
  weighting: { type: 'string', value: 'W', default: "average, the paper's", description: 'average or gaussian window blending' },
  backend: { type: 'string', value: 'NAME', default: 'auto', description: `${BACKEND_NAMES.join(', ')}; auto takes webgpu only on a hardware GPU adapter` },
  workers: {
    type: 'string',
    value: 'N',
    default: '0',
    description: 'also run windows on N worker threads (wasm/cpu backends; 1 uses both cores of a 2-core machine)',
  },
};

export const PREDICT_OPTIONS: OptionSpecs = {
  ...INFERENCE_OPTIONS,
  flair1: { type: 'string', value: 'FILE', description: 'baseline FLAIR (time 01)' },
  flair2: { type: 'string', value: 'FILE', description: 'follow-up FLAIR (time 02), on the same grid as --flair1' },
  out: {
    type: 'string',
    value: 'PATH',
    description: "the uint8 mask, on the input's own grid and header; with --data a folder receiving <patient>.nii.gz (what score --pred reads)",
  },
  data: { type: 'string', value: 'PATH', description: 'an MSSEG-2 dataset folder (or a JSON/CSV manifest): predict every patient' },
  patients: { type: 'string', value: 'SPEC', description: `with --data, which patients: ${PATIENTS_SPEC}` },
  overwrite: {
    type: 'boolean',
    description:
      "with --data: predict every patient again; without it a patient whose outputs are complete (they read in full, lie on the input's grid and were made with the same checkpoint(s), weights, threshold, TTA and post-processing, as their header's descrip says) is skipped",
  },
  probabilities: { type: 'string', value: 'PATH', description: 'also write the float32 probabilities (a file, or a folder with --data)' },
  ...PARTS_OPTIONS,
};

export const PREDICT_SPEC: CommandHelpSpec = {
  name: 'predict',
  nxTarget: 'evaluator:predict',
  summary: 'segment new lesions with a trained model (two FLAIRs in, one mask out; or a whole dataset)',
  description: "The MSSEG-2 interface: two FLAIRs in, one mask out, on the input's own grid and header (provenance in its descrip).",
  usage: ['--run DIR --flair1 T1.nii.gz --flair2 T2.nii.gz --out SEG.nii.gz [OPTIONS]', '--run DIR --data DATASET --out DIR [OPTIONS]'],
  options: PREDICT_OPTIONS,
};

export const PREDICT_USAGE = commandHelp('lesionseg', PREDICT_SPEC);

export function parseInferenceOptions(values: OptionValues, baseDir: string): InferenceCliOptions {
  const weighting = choiceOption(values, 'weighting', ['average', 'gaussian'] as const, 'average');
  return {
    ...parseModelOptions(values, baseDir),
    threshold: numberOption(values, 'threshold', 0.5, (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
    backend: stringOption(values, 'backend') ?? 'auto',
    raw: values.raw === true,
    weighting,
    postprocess: stringOption(values, 'postprocess') ?? 'none',
    minLesionMm3: numberOption(values, 'min-lesion-mm3', 3, (n) => n >= 0, 'a number >= 0'),
    plugins: listOption(values, 'plugin').map((f) => resolve(baseDir, f)),
    workers: numberOption(values, 'workers', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 64, 'an integer from 0 to 64'),
    quiet: values.quiet === true,
  };
}

export function parsePredictArgs(argv: string[], baseDir: string): PredictCliOptions | 'help' {
  const values = parseCommandLine(argv, PREDICT_OPTIONS, (m) => void process.stderr.write(`lesionseg predict: warning: ${m}\n`));
  return values.help ? 'help' : predictOptions(values, baseDir);
}

export function predictOptions(values: OptionValues, baseDir: string): PredictCliOptions {
  const common = parseInferenceOptions(values, baseDir);
  const out = pathOption(values, 'out', baseDir, true) as string;
  const probabilities = pathOption(values, 'probabilities', baseDir, false);
  const data = pathOption(values, 'data', baseDir, false);
  if (data) {
    if (values.flair1 !== undefined || values.flair2 !== undefined) throw new UsageError('give either --data or --flair1/--flair2, not both');
    const patients = stringOption(values, 'patients') ?? 'all';
    if (patients === '') throw new UsageError('--patients is empty');
    return { ...common, mode: 'dataset', data, out, probabilities, patients, overwrite: values.overwrite === true, ...parsePartsOptions(values) };
  }
  const partsGiven = Object.keys(PARTS_OPTIONS).filter((n) => values[n] !== undefined);
  if (partsGiven.length > 0) throw new UsageError(`${partsGiven.map((n) => `--${n}`).join(', ')}: prediction in parts needs --data`);
  if (values.patients !== undefined) throw new UsageError('--patients needs --data');
  if (values.overwrite !== undefined) throw new UsageError('--overwrite needs --data (a single --out file is always written)');
  const flair1 = pathOption(values, 'flair1', baseDir, false);
  const flair2 = pathOption(values, 'flair2', baseDir, false);
  if (!flair1 || !flair2) throw new UsageError('give --flair1 and --flair2 (one patient) or --data (a dataset)');
  return { ...common, mode: 'files', flair1, flair2, out, probabilities };
}
