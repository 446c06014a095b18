import {
  commandHelp,
  intOption,
  listOption,
  parseCommandLine,
  stringOption,
  UsageError,
  type CommandHelpSpec,
  type OptionSpecs,
  type OptionValues,
} from '@lesionseg/cli';
import type { BackendChoice } from '@lesionseg/models';
import { BACKENDS } from '../config/config.ts';
import { PRESETS } from '../config/presets.ts';

export { UsageError };

export interface CliOptions {
  config: string | null;
  preset: string | null;
  data: string | null;
  /** --cache DIR: the preprocessed cache's folder (data.cacheDir; default <dataset>/.lesionseg/cache). */
  cache: string | null;
  /** A new run folder (`--run DIR`). */
  out: string | null;
  budget: string | null;
  iterations: number | null;
  seed: number | null;
  backend: BackendChoice | null;
  /** The run folder to continue (`--run DIR --resume`). */
  resume: string | null;
  /** --plugin FILE (repeatable): plugin modules, relative to the user's folder. */
  plugins: string[];
  /** --print-schema: print the config's JSON Schema (with the plugins' types) and exit. */
  printSchema: boolean;
  quiet: boolean;
  help: boolean;
}

/**
 * `lesionseg train` / `nx run trainer:train`: the spec its parser and its --help come from.
 * A new option is one entry here (its help line included) plus its reading in trainOptions,
 * e.g. `plugin: { type: 'string', value: 'FILE', multiple: true, description: ... }`.
 */
export const TRAIN_OPTIONS: OptionSpecs = {
  preset: { type: 'string', value: 'NAME', default: 'quick', description: 'a shipped config (listed below)' },
  config: { type: 'string', value: 'FILE', description: 'a JSON config: { "strategy": { "type": "ohem", ... }, ... }' },
  data: { type: 'string', value: 'DIR', default: './data/phantoms', description: 'dataset folder, MSSEG-2 layout' },
  cache: {
    type: 'string',
    value: 'DIR',
    default: 'DATA/.lesionseg/cache',
    description: "the preprocessed cache's folder (data.cacheDir; give one when the dataset is read-only)",
  },
  run: {
    type: 'string',
    value: 'DIR',
    default: './runs/<timestamp>-<preset>',
    description: 'the run folder: a new one, or with --resume the one to continue',
    deprecated: ['out'],
  },
  resume: {
    type: 'boolean',
    description: 'continue the stopped run in --run DIR: same config, LR position, EMA, optimizer, RNG, budget (the old spelling --resume DIR still works)',
  },
  budget: { type: 'string', value: 'DURATION', description: 'training-time budget, e.g. 3h, 10m, 90s (validation/checkpoints excluded)' },
  iterations: { type: 'string', value: 'N', description: 'an iteration budget instead (reproducible runs)' },
  seed: { type: 'string', value: 'N', description: 'seed of every random choice (split, patches, weights)' },
  backend: { type: 'string', value: 'NAME', default: 'auto', description: `${BACKENDS.join(', ')}; auto takes webgpu only on a hardware GPU adapter` },
  plugin: {
    type: 'string',
    value: 'FILE',
    multiple: true,
    description: 'a plugin module (.ts/.js) whose strategies, losses, schedules, loggers or hooks the config may use (see docs/plugins.md)',
  },
  'print-schema': { type: 'boolean', description: "print the config's JSON Schema (built-in and plugin types) and exit" },
};

export function trainEpilog(): string {
  const presets = Object.entries(PRESETS)
    .map(([name, p]) => `  ${name.padEnd(16)} ${p.summary}`)
    .join('\n');
  return `With no option: generates synthetic phantoms into ./data/phantoms if absent and trains the
"quick" preset on the CPU into ./runs/<timestamp>-quick.

Presets:
${presets}

Run folder: config.json, split.json, events.jsonl, checkpoints/latest, checkpoints/best.
Ctrl-C or SIGTERM saves checkpoints/latest and exits 130/143; continue with --run RUN_DIR --resume.`;
}

/** `--resume DIR` (the old spelling) becomes `--run DIR --resume`, with a warning. */
export function legacyResume(argv: readonly string[], warn: (m: string) => void): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--resume=') || (a === '--resume' && i + 1 < argv.length && !argv[i + 1].startsWith('-'))) {
      const dir = a === '--resume' ? argv[++i] : a.slice('--resume='.length);
      warn('--resume DIR is deprecated; use --run DIR --resume');
      out.push('--run', dir, '--resume');
    } else out.push(a);
  }
  return out;
}

const stderrWarn = (m: string): void => void process.stderr.write(`lesionseg train: warning: ${m}\n`);

export function parseCli(argv: readonly string[], warn: (m: string) => void = stderrWarn): CliOptions {
  return trainOptions(parseCommandLine(legacyResume(argv, warn), TRAIN_OPTIONS, warn));
}

export function trainOptions(values: OptionValues): CliOptions {
  const s = (k: string) => stringOption(values, k);
  const resuming = values.resume === true;
  if (resuming && s('run') === null) throw new UsageError('--resume needs --run DIR (the run folder to continue)');
  const opts: CliOptions = {
    config: s('config'),
    preset: s('preset'),
    data: s('data'),
    cache: s('cache'),
    out: resuming ? null : s('run'),
    budget: s('budget'),
    iterations: intOption(values, 'iterations', null),
    seed: intOption(values, 'seed', null),
    backend: null,
    resume: resuming ? s('run') : null,
    plugins: listOption(values, 'plugin'),
    printSchema: values['print-schema'] === true,
    quiet: values.quiet === true,
    help: values.help === true,
  };
  const backend = s('backend');
  if (backend !== null) {
    if (!(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${backend}"`);
    opts.backend = backend as BackendChoice;
  }
  if (opts.config && opts.preset) throw new UsageError('give either --config or --preset, not both');
  if (opts.preset !== null && !(opts.preset in PRESETS)) throw new UsageError(`unknown preset "${opts.preset}" (known: ${Object.keys(PRESETS).join(', ')})`);
  if (opts.budget && opts.iterations !== null) throw new UsageError('give either --budget or --iterations, not both');
  if (opts.iterations === 0) throw new UsageError('--iterations must be at least 1');
  if (opts.resume) {
    const extra = (['config', 'preset', 'data', 'budget', 'iterations', 'seed'] as const).filter((k) => opts[k] !== null);
    if (extra.length > 0) {
      throw new UsageError(`--resume continues a run with its own config.json; it cannot be combined with ${extra.map((k) => `--${k}`).join(', ')}`);
    }
    if (opts.plugins.length > 0) throw new UsageError('--resume loads the plugins its config.json names; it cannot be combined with --plugin');
  }
  return opts;
}

export const TRAIN_SPEC: CommandHelpSpec = {
  name: 'train',
  nxTarget: 'trainer:train',
  summary: 'train a new-MS-lesion segmentation model (Schmidt-Mengin et al. 2022)',
  usage: ['[OPTIONS]', '--run DIR --resume'],
  options: TRAIN_OPTIONS,
  epilog: trainEpilog,
};

/** The generated `--help` of `lesionseg train`. */
export function usage(): string {
  return commandHelp('lesionseg', TRAIN_SPEC);
}
