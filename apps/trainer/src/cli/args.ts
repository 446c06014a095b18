import { BACKENDS, type BackendName } from '../config/config.ts';
import { PRESETS } from '../config/presets.ts';
import { intOption, parseOptions, UsageError } from './parse.ts';

// Defined beside the parser that throws it (importing it from here made a cycle).
export { UsageError };

export interface CliOptions {
  config: string | null;
  preset: string | null;
  data: string | null;
  out: string | null;
  budget: string | null;
  iterations: number | null;
  seed: number | null;
  backend: BackendName | null;
  resume: string | null;
  /** --plugin FILE (repeatable): plugin modules, relative to the user's folder. */
  plugins: string[];
  /** --print-schema: print the config's JSON Schema (with the plugins' types) and exit. */
  printSchema: boolean;
  help: boolean;
}

export function usage(): string {
  const presets = Object.entries(PRESETS)
    .map(([name, p]) => `  ${name.padEnd(16)} ${p.summary}`)
    .join('\n');
  return `Train a new-MS-lesion segmentation model (Schmidt-Mengin et al. 2022).

Usage: npx nx run trainer:train [-- OPTIONS]
  With no option: generates synthetic phantoms into ./data/phantoms if absent and trains the
  "quick" preset on the CPU into ./runs/<timestamp>-quick.

Options:
  --preset NAME       a shipped config (default: quick)
  --config FILE       a JSON config: { "strategy": { "type": "ohem", ... }, ... }
  --data DIR          dataset folder, MSSEG-2 layout (default: ./data/phantoms)
  --out RUN_DIR       run folder (default: ./runs/<timestamp>-<preset>)
  --budget DURATION   training-time budget, e.g. 3h, 10m, 90s (validation/checkpoints excluded)
  --iterations N      an iteration budget instead (reproducible runs)
  --seed N            seed of every random choice (split, patches, weights)
  --backend NAME      ${BACKENDS.join('|')} (default: auto;
                      auto takes webgpu only on a hardware GPU adapter)
  --resume RUN_DIR    continue a stopped run: same config, LR position, EMA, optimizer, RNG, budget
  --plugin FILE       a plugin module (.ts/.js) whose strategies, losses, schedules, loggers or hooks
                      the config may use (repeatable; see docs/plugins.md)
  --print-schema      print the config's JSON Schema (built-in and plugin types) and exit
  -h, --help          this text

Presets:
${presets}

Run folder: config.json, split.json, events.jsonl, checkpoints/latest, checkpoints/best.
Ctrl-C saves checkpoints/latest and exits; continue with --resume RUN_DIR.`;
}

export function parseCli(argv: string[]): CliOptions {
  const values = parseOptions(argv, {
    config: { type: 'string' },
    preset: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    budget: { type: 'string' },
    iterations: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    resume: { type: 'string' },
    plugin: { type: 'string', multiple: true },
    'print-schema': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : null);
  const opts: CliOptions = {
    config: s('config'),
    preset: s('preset'),
    data: s('data'),
    out: s('out'),
    budget: s('budget'),
    iterations: intOption('iterations', values.iterations, null),
    seed: intOption('seed', values.seed, null),
    backend: null,
    resume: s('resume'),
    plugins: Array.isArray(values['plugin']) ? values['plugin'] : [],
    printSchema: values['print-schema'] === true,
    help: values['help'] === true,
  };
  const backend = s('backend');
  if (backend !== null) {
    if (!(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${backend}"`);
    opts.backend = backend as BackendName;
  }
  if (opts.config && opts.preset) throw new UsageError('give either --config or --preset, not both');
  if (opts.preset !== null && !(opts.preset in PRESETS)) throw new UsageError(`unknown preset "${opts.preset}" (known: ${Object.keys(PRESETS).join(', ')})`);
  if (opts.budget && opts.iterations !== null) throw new UsageError('give either --budget or --iterations, not both');
  if (opts.iterations === 0) throw new UsageError('--iterations must be at least 1');
  if (opts.resume) {
    const extra = (['config', 'preset', 'data', 'budget', 'iterations', 'seed', 'out'] as const).filter((k) => opts[k] !== null);
    if (extra.length > 0) {
      throw new UsageError(`--resume continues a run with its own config.json; it cannot be combined with ${extra.map((k) => `--${k}`).join(', ')}`);
    }
    if (opts.plugins.length > 0) throw new UsageError('--resume loads the plugins its config.json names; it cannot be combined with --plugin');
  }
  return opts;
}
