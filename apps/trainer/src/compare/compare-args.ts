import { parseDuration } from '@lesionseg/config';
import { UsageError } from '../cli/args.ts';
import { intOption, parseOptions } from '../cli/parse.ts';

/** The paper's six configurations (Figure 2). */
export const COMPARISON_PRESETS = ['ohem-m0', 'ohem-m0.9', 'ohem-m0.99', 'oversample-p0', 'oversample-p0.1', 'oversample-p0.5'] as const;
export const SCALES = ['quick', 'paper'] as const;
export type Scale = (typeof SCALES)[number];

export interface CompareOptions {
  data: string | null;
  out: string | null;
  budget: string;
  presets: string[];
  scale: Scale;
  seed: number | null;
  backend: string | null;
  parallel: number;
  testData: string | null;
  skipTraining: boolean;
  figures: number;
  help: boolean;
}

export function compareUsage(): string {
  return `Train the paper's six sampling configurations under the same wall-clock budget, evaluate
each best checkpoint on held-out patients, and write curves, tables and a report.

Usage: npx nx run trainer:compare -- [OPTIONS]

Options:
  --data DIR         dataset (MSSEG-2 layout; default ./data/phantoms, generated if absent)
  --out DIR          comparison folder (default ./runs/compare-<timestamp>)
  --budget DURATION  training-time budget of EACH configuration (default 10m; paper: 3h)
  --presets LIST     comma-separated (default: ${COMPARISON_PRESETS.join(',')})
  --scale NAME       quick: the quick preset's phantoms, network and patches with each
                     configuration's sampling strategy and EMA (CPU-sized; OHEM keeps the
                     paper's 4 candidates per trained patch); paper: the paper's settings
                     (UNet 16/32/64, 32^3 patches, 0.5 mm; a GPU). Default quick.
  --seed N           the same seed for every configuration (default: the presets' own)
  --backend NAME     passed to the trainer and the evaluator (default auto)
  --parallel N       configurations trained at once, each in its own process (default 1;
                     the budget is wall-clock, so parallel runs share the cores and each
                     gets fewer iterations: compare only runs made with the same setting)
  --test-data DIR    evaluate on this dataset instead of each run's validation patients
  --skip-training    reuse the runs already in --out (re-evaluate and re-report)
  --figures N        overlay figures in the report (default 3)
  -h, --help         this text

Writes OUT/<configuration>/ (a run folder each, with evaluation/), OUT/curves.svg/png,
OUT/table.md, OUT/table.csv, OUT/timing.json and OUT/report.html.`;
}

export function parseCompareArgs(argv: string[]): CompareOptions {
  const values = parseOptions(argv, {
    data: { type: 'string' },
    out: { type: 'string' },
    budget: { type: 'string' },
    presets: { type: 'string' },
    scale: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    parallel: { type: 'string' },
    'test-data': { type: 'string' },
    'skip-training': { type: 'boolean' },
    figures: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const s = (k: string) => values[k] as string | undefined;
  const presets = (s('presets') ?? COMPARISON_PRESETS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = presets.filter((p) => !(COMPARISON_PRESETS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new UsageError(`--presets: unknown configuration(s) ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${COMPARISON_PRESETS.join(', ')}`);
  if (new Set(presets).size !== presets.length) throw new UsageError('--presets lists a configuration twice');
  const scale = s('scale') ?? 'quick';
  if (!(SCALES as readonly string[]).includes(scale)) throw new UsageError(`--scale must be one of ${SCALES.join(', ')}, got "${scale}"`);
  const budget = s('budget') ?? '10m';
  try {
    parseDuration(budget); // "0s" or "ten minutes" must not launch six trainings that all fail
  } catch (e) {
    throw new UsageError(`--budget: ${(e as Error).message}`);
  }
  return {
    data: s('data') ?? null,
    out: s('out') ?? null,
    budget,
    presets,
    scale: scale as Scale,
    seed: intOption('seed', values.seed, null),
    backend: s('backend') ?? null,
    parallel: intOption('parallel', values.parallel, 1, true) as number,
    testData: s('test-data') ?? null,
    skipTraining: values['skip-training'] === true,
    figures: intOption('figures', values.figures, 3) as number,
    help: values.help === true,
  };
}
