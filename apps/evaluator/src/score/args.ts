import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScoreParamsInput } from '@lesionseg/metrics';

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

/** A problem with the command line itself (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const SCORE_USAGE = `Score segmentations with the official MSSEG-2 metrics (Anima's animaSegPerfAnalyzer rules).

Usage: npx nx run evaluator:score -- --gt PATH --pred PATH --out results.json [OPTIONS]

  --gt PATH            ground truth: one NIfTI mask, or an MSSEG-2 dataset folder
                       (<patient>/ground_truth.nii.gz)
  --pred PATH          prediction: one NIfTI mask, or a folder of <patient>.nii.gz
  --out FILE           results.json (per patient, per lesion, cohort summary)
  --csv FILE           one row per patient
  --md FILE            Markdown tables (paper Table 1 layout, then per patient)
  --lesions-csv FILE   one row per GT and predicted lesion: size, centroid, detected or not, why
  --min-lesion-mm3 V   lesions must be larger than V mm3 (default 3)
  --alpha A            minimum covered fraction (default 0.1)
  --coverage C         cumulative overlap that ends the detection walk (default 0.65; the
                       paper's beta)
  --max-outside M      largest outside fraction of an overlapping lesion (default 0.7; the
                       paper's gamma)
  --beta B, --gamma G  the paper's names, accepted as aliases of --coverage and --max-outside
                       (Anima's code calls them the other way round: see
                       docs/msseg2-evaluation.md section 8; prefer the role names)
  --ignore-geometry    score masks whose affines differ (shapes must still match)
  --patients SPEC      folders only: score these ground-truth patients, not all of them (only
                       they need a prediction): all (default), validation or train (split.json
                       of --run), FILE.json:KEY, FILE.json or id1,id2,... (as predict takes)
  --run RUN_DIR        the run folder whose split.json --patients validation|train reads
  --quiet              no progress bar
  -h, --help

Relative paths are resolved against the folder you ran the command from.`;

/**
 * Parse the command line. Relative paths are resolved against `baseDir`: under
 * \`npx nx run\` the process runs in the project folder, so callers pass INIT_CWD (the folder
 * the user typed the command in).
 */
export function parseScoreArgs(argv: string[], baseDir: string): ScoreCliOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        gt: { type: 'string' },
        pred: { type: 'string' },
        out: { type: 'string' },
        csv: { type: 'string' },
        md: { type: 'string' },
        'lesions-csv': { type: 'string' },
        'min-lesion-mm3': { type: 'string' },
        alpha: { type: 'string' },
        coverage: { type: 'string' },
        'max-outside': { type: 'string' },
        beta: { type: 'string' },
        gamma: { type: 'string' },
        'ignore-geometry': { type: 'boolean' },
        patients: { type: 'string' },
        run: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const path = (name: string, required: boolean): string | null => {
    const v = values[name];
    if (typeof v !== 'string' || v === '') {
      if (required) throw new UsageError(`--${name} is required`);
      return null;
    }
    return isAbsolute(v) ? v : resolve(baseDir, v);
  };
  const num = (name: string): number | undefined => {
    const v = values[name];
    if (typeof v !== 'string') return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const params: ScoreParamsInput = {};
  const set = (key: keyof ScoreParamsInput, flag: string): void => {
    const n = num(flag);
    if (n !== undefined) params[key] = n;
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
    patients: patientsOption(values.patients, baseDir),
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
