import { parseDuration } from '@lesionseg/config';
import { EXECUTOR_OPTIONS, parseExecutorChoice, type ExecutorChoice } from '@lesionseg/executors';
import {
  choiceOption,
  commandHelp,
  intOption,
  parseCommandLine,
  stringOption,
  UsageError,
  type CommandHelpSpec,
  type OptionSpecs,
  type OptionValues,
} from '@lesionseg/cli';

/** The paper's six configurations (Figure 2). */
export const COMPARISON_PRESETS = ['ohem-m0', 'ohem-m0.9', 'ohem-m0.99', 'oversample-p0', 'oversample-p0.1', 'oversample-p0.5'] as const;
export const SCALES = ['quick', 'paper'] as const;
export type Scale = (typeof SCALES)[number];

export interface CompareOptions {
  data: string | null;
  out: string | null;
  budget: string;
  /** An iteration budget instead of --budget (reproducible runs, e.g. tests). */
  iterations: number | null;
  /** --base-config FILE: trainer config sections replacing the quick scale's. */
  baseConfig: string | null;
  presets: string[];
  scale: Scale;
  seed: number | null;
  /** --seeds: every configuration trained once per seed (null: once, with --seed). */
  seeds: number[] | null;
  backend: string | null;
  executor: ExecutorChoice;
  /** Resubmit only what is not finished; unfinished trainings continue from checkpoints/latest. */
  resume: boolean;
  testData: string | null;
  skipTraining: boolean;
  figures: number;
  help: boolean;
}

export const COMPARE_OPTIONS: OptionSpecs = {
  data: { type: 'string', value: 'DIR', default: './data/phantoms, generated if absent', description: 'dataset (MSSEG-2 layout)' },
  out: {
    type: 'string',
    value: 'DIR',
    default: '<repository>/runs/<timestamp>-compare',
    description: 'comparison folder (one run folder per configuration inside)',
  },
  budget: { type: 'string', value: 'DURATION', default: '10m; paper: 3h', description: 'training-time budget of EACH configuration' },
  presets: { type: 'string', value: 'LIST', default: COMPARISON_PRESETS.join(','), description: 'comma-separated configurations' },
  scale: {
    type: 'string',
    value: 'NAME',
    default: 'quick',
    description:
      "quick: the quick preset's phantoms, network and patches with each configuration's sampling strategy and EMA (CPU-sized; OHEM keeps the paper's 4 candidates per trained patch); paper: the paper's settings (UNet 16/32/64, 32^3 patches, 0.5 mm; a GPU)",
  },
  seed: { type: 'string', value: 'N', default: "the presets' own", description: 'the same seed for every configuration' },
  backend: { type: 'string', value: 'NAME', default: 'auto', description: 'passed to the trainer and the evaluator' },
  seeds: {
    type: 'string',
    value: 'LIST',
    description: 'train each configuration once per seed, e.g. 1,2,3: curves show the mean and spread per configuration, Table 1 the mean (SEM) over seeds',
  },
  iterations: { type: 'string', value: 'N', description: 'an iteration budget instead of --budget (reproducible: the same numbers on any executor)' },
  'base-config': {
    type: 'string',
    value: 'FILE',
    description:
      "trainer config sections (model, data, loss, validation timing...) replacing the quick scale's; each configuration keeps its strategy, EMA and validation model",
  },
  resume: {
    type: 'boolean',
    description: 'resubmit only the tasks that did not finish (each training continues from its checkpoints/latest), then evaluate and report',
  },
  ...EXECUTOR_OPTIONS,
  parallel: { ...EXECUTOR_OPTIONS.parallel, description: 'tasks at once (locally the budget is wall-clock: parallel runs share the cores)' },
  'test-data': { type: 'string', value: 'DIR', description: "evaluate on this dataset instead of each run's validation patients" },
  'skip-training': { type: 'boolean', description: 'reuse the runs already in --out (re-evaluate and re-report)' },
  figures: { type: 'string', value: 'N', default: '3', description: 'overlay figures in the report' },
};

export const COMPARE_SPEC: CommandHelpSpec = {
  name: 'compare',
  nxTarget: 'trainer:compare',
  summary: "the paper's comparison: six sampling configurations under one budget, evaluated and reported",
  description:
    "Train the paper's six sampling configurations under the same wall-clock budget, evaluate each best checkpoint on held-out patients, and write curves, tables and a report.",
  options: COMPARE_OPTIONS,
  epilog:
    'Writes OUT/<configuration>/ (a run folder each, with evaluation/), OUT/curves.svg/png, OUT/table.md, OUT/table.csv, OUT/timing.json and OUT/report.html.',
};

export function compareUsage(): string {
  return commandHelp('lesionseg', COMPARE_SPEC);
}

export function parseCompareArgs(argv: string[]): CompareOptions {
  return compareOptions(parseCommandLine(argv, COMPARE_OPTIONS, (m) => void process.stderr.write(`lesionseg compare: warning: ${m}\n`)));
}

export function compareOptions(values: OptionValues): CompareOptions {
  const s = (k: string) => stringOption(values, k) ?? undefined;
  const presets = (s('presets') ?? COMPARISON_PRESETS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = presets.filter((p) => !(COMPARISON_PRESETS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new UsageError(`--presets: unknown configuration(s) ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${COMPARISON_PRESETS.join(', ')}`);
  if (new Set(presets).size !== presets.length) throw new UsageError('--presets lists a configuration twice');
  const scale = choiceOption(values, 'scale', SCALES, 'quick');
  if (values.iterations !== undefined && values.budget !== undefined) throw new UsageError('give either --budget or --iterations, not both');
  const budget = s('budget') ?? '10m';
  try {
    parseDuration(budget); // "0s" or "ten minutes" must not launch six trainings that all fail
  } catch (e) {
    throw new UsageError(`--budget: ${(e as Error).message}`);
  }
  const seeds = s('seeds') === undefined ? null : parseSeeds(s('seeds') as string);
  if (seeds !== null && values.seed !== undefined) throw new UsageError('give either --seed or --seeds, not both');
  return {
    data: s('data') ?? null,
    out: s('out') ?? null,
    budget,
    iterations: intOption(values, 'iterations', null, true),
    baseConfig: s('base-config') ?? null,
    presets,
    scale,
    seed: intOption(values, 'seed', null),
    seeds,
    backend: s('backend') ?? null,
    executor: parseExecutorChoice(values, (m) => new UsageError(m)),
    resume: values.resume === true,
    testData: s('test-data') ?? null,
    skipTraining: values['skip-training'] === true,
    figures: intOption(values, 'figures', 3) as number,
    help: values.help === true,
  };
}

/** "1,2,3" -> [1, 2, 3]: non-negative integers, none twice. */
export function parseSeeds(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`--seeds needs a comma-separated list of non-negative integers, got "${text}"`);
  const seeds = parts.map(Number);
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds lists a seed twice: "${text}"`);
  return seeds;
}
