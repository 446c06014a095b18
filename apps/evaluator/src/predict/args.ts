import { isAbsolute, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../score/args.ts';
import { MODEL_OPTIONS, MODEL_USAGE, parseModelOptions, type ModelCliOptions } from './model-args.ts';

/** Inference options shared by `evaluator predict` and `evaluator evaluate`. */
export interface InferenceCliOptions extends ModelCliOptions {
  threshold: number;
  backend: string;
  /** true: raw weights even when the checkpoint has EMA weights. */
  raw: boolean;
  weighting: 'average' | 'gaussian';
  postprocess: string;
  minLesionMm3: number;
  /** --plugin FILE (repeatable, absolute): plugin modules whose postProcessors --postprocess may name. */
  plugins: string[];
  /** Worker-thread model replicas besides the main thread (0: main thread only). */
  workers: number;
  quiet: boolean;
}

/** `evaluator predict`, with user paths made absolute: one patient (files) or a dataset (folders). */
export type PredictCliOptions = InferenceCliOptions &
  (
    | { mode: 'files'; flair1: string; flair2: string; out: string; probabilities: string | null }
    | { mode: 'dataset'; data: string; out: string; probabilities: string | null; patients: string; overwrite: boolean }
  );

export const PREDICT_USAGE = `Segment new MS lesions with a trained checkpoint (the MSSEG-2 interface: two FLAIRs in, one mask out).

Usage:
  npx nx run evaluator:predict -- --checkpoint RUN_DIR --flair1 T1.nii.gz --flair2 T2.nii.gz --out SEG.nii.gz [OPTIONS]
  npx nx run evaluator:predict -- --checkpoint RUN_DIR --data DATASET --out DIR [OPTIONS]

${MODEL_USAGE}
  --flair1 FILE         baseline FLAIR (time 01)
  --flair2 FILE         follow-up FLAIR (time 02), on the same grid as --flair1
  --out PATH            the uint8 mask, on the input's own grid and header; with --data a folder
                        receiving <patient>.nii.gz (what evaluator:score --pred reads)
  --data PATH           an MSSEG-2 dataset folder (or a JSON/CSV manifest): predict every patient
  --patients SPEC       with --data: all (default), validation or train (the run's split.json),
                        FILE.json:KEY (a list in a JSON file), or id1,id2,...
  --overwrite           with --data: predict every patient again; without it a patient whose
                        outputs are complete (they read in full, lie on the input's grid and were
                        made with the same checkpoint(s), weights, threshold, TTA and
                        post-processing, as their header's descrip says) is skipped
  --probabilities PATH  also write the float32 probabilities (a file, or a folder with --data)
  --threshold T         lesion where probability >= T (default 0.5, the paper's)
  --postprocess NAME    none (default, as in the paper) or drop-small (remove predicted components
                        of --min-lesion-mm3 or less, which the MSSEG-2 metrics ignore anyway)
  --min-lesion-mm3 V    the drop-small limit (default 3)
  --plugin FILE         a plugin module (.ts/.js) whose postProcessors --postprocess may name
                        (repeatable; see docs/plugins.md)
  --raw                 use the raw weights even when the checkpoint has EMA weights
                        (default: the weights the run validated with, EMA when present)
  --weighting W         average (default, the paper's) or gaussian window blending
  --backend NAME        auto (default), tensorflow-gpu, webgpu, tensorflow, wasm, cpu
                        (auto takes webgpu only on a hardware GPU adapter)
  --workers N           also run windows on N worker threads (wasm/cpu backends; 1 uses both
                        cores of a 2-core machine; default 0)
  --quiet               no progress bar
  -h, --help

Relative paths are resolved against the folder you ran the command from.`;

type Values = Record<string, string | boolean | undefined>;

/** Options both inference commands accept (parseArgs spec). */
export const INFERENCE_OPTIONS = {
  ...MODEL_OPTIONS,
  threshold: { type: 'string' },
  backend: { type: 'string' },
  raw: { type: 'boolean' },
  weighting: { type: 'string' },
  postprocess: { type: 'string' },
  'min-lesion-mm3': { type: 'string' },
  plugin: { type: 'string', multiple: true },
  workers: { type: 'string' },
  patients: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>): Values {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values as Values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Resolve a path option against the user's folder; null when absent. */
export function pathOption(values: Values, name: string, baseDir: string, required: boolean): string | null {
  const v = values[name];
  if (typeof v !== 'string' || v === '') {
    if (required) throw new UsageError(`--${name} is required`);
    return null;
  }
  return isAbsolute(v) ? v : resolve(baseDir, v);
}

function numberOption(values: Values, name: string, fallback: number, ok: (n: number) => boolean, what: string): number {
  const v = values[name];
  if (typeof v !== 'string') return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(v)}`);
  return n;
}

function pluginFiles(values: Values, baseDir: string): string[] {
  const given = (values as Record<string, unknown>)['plugin'];
  return Array.isArray(given) ? given.map((f: string) => resolve(baseDir, f)) : [];
}

export function parseInferenceOptions(values: Values, baseDir: string): InferenceCliOptions {
  const weighting = typeof values.weighting === 'string' ? values.weighting : 'average';
  if (weighting !== 'average' && weighting !== 'gaussian') throw new UsageError(`--weighting must be average or gaussian, got ${JSON.stringify(weighting)}`);
  return {
    ...parseModelOptions(values, baseDir),
    threshold: numberOption(values, 'threshold', 0.5, (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
    backend: typeof values.backend === 'string' ? values.backend : 'auto',
    raw: values.raw === true,
    weighting,
    postprocess: typeof values.postprocess === 'string' ? values.postprocess : 'none',
    minLesionMm3: numberOption(values, 'min-lesion-mm3', 3, (n) => n >= 0, 'a number >= 0'),
    plugins: pluginFiles(values, baseDir),
    workers: numberOption(values, 'workers', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 64, 'an integer from 0 to 64'),
    quiet: values.quiet === true,
  };
}

export function parsePredictArgs(argv: string[], baseDir: string): PredictCliOptions | 'help' {
  const values = parseValues(argv, {
    ...INFERENCE_OPTIONS,
    flair1: { type: 'string' },
    flair2: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    probabilities: { type: 'string' },
    overwrite: { type: 'boolean' },
  });
  if (values.help) return 'help';
  const common = parseInferenceOptions(values, baseDir);
  const out = pathOption(values, 'out', baseDir, true) as string;
  const probabilities = pathOption(values, 'probabilities', baseDir, false);
  const data = pathOption(values, 'data', baseDir, false);
  if (data) {
    if (values.flair1 !== undefined || values.flair2 !== undefined) throw new UsageError('give either --data or --flair1/--flair2, not both');
    const patients = typeof values.patients === 'string' ? values.patients : 'all';
    return { ...common, mode: 'dataset', data, out, probabilities, patients, overwrite: values.overwrite === true };
  }
  if (values.patients !== undefined) throw new UsageError('--patients needs --data');
  if (values.overwrite !== undefined) throw new UsageError('--overwrite needs --data (a single --out file is always written)');
  const flair1 = pathOption(values, 'flair1', baseDir, false);
  const flair2 = pathOption(values, 'flair2', baseDir, false);
  if (!flair1 || !flair2) throw new UsageError('give --flair1 and --flair2 (one patient) or --data (a dataset)');
  return { ...common, mode: 'files', flair1, flair2, out, probabilities };
}
