import { isAbsolute, resolve } from 'node:path';
import {
  commandHelp,
  numberOption,
  parseCommandLine,
  pathOption,
  stringOption,
  UsageError,
  type CommandHelpSpec,
  type OptionSpecs,
  type OptionValues,
} from '@lesionseg/cli';
import type { ScoreParamsInput } from '@lesionseg/metrics';
import { PATIENTS_SPEC } from '../predict/patients.ts';

/** Options of `evaluator score`, with user paths already made absolute. */
export interface ScoreCliOptions {
  gt: string;
  pred: string;
  out: string;
  csv: string | null;
  md: string | null;
  lesionsCsv: string | null;
  params: ScoreParamsInput;
  ignoreGeometry: boolean;
  quiet: boolean;
  /** Which ground-truth patients to score (folder mode): a `--patients` spec as predict takes; null = all. */
  patients: string | null;
  /** A run folder whose split.json `--patients validation|train` reads. */
  run: string | null;
}

export { UsageError };

export const SCORE_OPTIONS: OptionSpecs = {
  gt: { type: 'string', value: 'PATH', description: 'ground truth: one NIfTI mask, or an MSSEG-2 dataset folder (<patient>/ground_truth.nii.gz)' },
  pred: { type: 'string', value: 'PATH', description: 'prediction: one NIfTI mask, or a folder of <patient>.nii.gz' },
  out: { type: 'string', value: 'FILE', description: 'results.json (per patient, per lesion, cohort summary)' },
  csv: { type: 'string', value: 'FILE', description: 'one row per patient' },
  md: { type: 'string', value: 'FILE', description: 'Markdown tables (paper Table 1 layout, then per patient)' },
  'lesions-csv': { type: 'string', value: 'FILE', description: 'one row per GT and predicted lesion: size, centroid, detected or not, why' },
  'min-lesion-mm3': { type: 'string', value: 'V', default: '3', description: 'lesions must be larger than V mm3' },
  alpha: { type: 'string', value: 'A', default: '0.1', description: 'minimum covered fraction' },
  coverage: { type: 'string', value: 'C', default: '0.65', description: "cumulative overlap that ends the detection walk (the paper's beta)" },
  'max-outside': { type: 'string', value: 'M', default: '0.7', description: "largest outside fraction of an overlapping lesion (the paper's gamma)" },
  beta: {
    type: 'string',
    value: 'B',
    description:
      "the paper's name, accepted as an alias of --coverage (Anima's code calls them the other way round: see docs/msseg2-evaluation.md section 8; prefer the role names)",
  },
  gamma: { type: 'string', value: 'G', description: "the paper's name, accepted as an alias of --max-outside" },
  'ignore-geometry': { type: 'boolean', description: 'score masks whose affines differ (shapes must still match)' },
  patients: {
    type: 'string',
    value: 'SPEC',
    description: `folders only: score these ground-truth patients, not all of them (only they need a prediction): ${PATIENTS_SPEC}`,
  },
  run: { type: 'string', value: 'DIR', description: 'the run folder whose split.json --patients validation|train reads' },
};

export const SCORE_SPEC: CommandHelpSpec = {
  name: 'score',
  nxTarget: 'evaluator:score',
  summary: "score segmentations with the official MSSEG-2 metrics (Anima's animaSegPerfAnalyzer rules)",
  usage: ['--gt PATH --pred PATH --out results.json [OPTIONS]'],
  options: SCORE_OPTIONS,
};

export const SCORE_USAGE = commandHelp('lesionseg', SCORE_SPEC);

/**
 * Parse the command line. Relative paths are resolved against `baseDir`: under
 * `npx nx run` the process runs in the project folder, so callers pass INIT_CWD (the folder
 * the user typed the command in).
 */
export function parseScoreArgs(argv: string[], baseDir: string): ScoreCliOptions | 'help' {
  const values = parseCommandLine(argv, SCORE_OPTIONS, (m) => void process.stderr.write(`lesionseg score: warning: ${m}\n`));
  return values.help ? 'help' : scoreOptions(values, baseDir);
}

export function scoreOptions(values: OptionValues, baseDir: string): ScoreCliOptions {
  const path = (name: string, required: boolean): string | null => pathOption(values, name, baseDir, required);
  const params: ScoreParamsInput = {};
  const set = (key: keyof ScoreParamsInput, flag: string): void => {
    if (values[flag] !== undefined) params[key] = numberOption(values, flag, NaN);
  };
  set('minLesionMm3', 'min-lesion-mm3');
  set('alpha', 'alpha');
  set('coverage', 'coverage');
  set('maxOutside', 'max-outside');
  set('beta', 'beta');
  set('gamma', 'gamma');
  return {
    gt: path('gt', true) as string,
    pred: path('pred', true) as string,
    out: path('out', true) as string,
    csv: path('csv', false),
    md: path('md', false),
    lesionsCsv: path('lesions-csv', false),
    params,
    ignoreGeometry: values['ignore-geometry'] === true,
    quiet: values.quiet === true,
    patients: patientsOption(stringOption(values, 'patients') ?? undefined, baseDir),
    run: path('run', false),
  };
}

/** The spec as given, with a FILE.json[:KEY] made absolute against the user's folder. */
function patientsOption(v: string | boolean | undefined, baseDir: string): string | null {
  if (v === undefined || v === 'all') return null;
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError('--patients is empty');
  const m = /^(.*\.json)(:[^:]+)?$/.exec(v);
  return m && !isAbsolute(m[1]) ? `${resolve(baseDir, m[1])}${m[2] ?? ''}` : v;
}
