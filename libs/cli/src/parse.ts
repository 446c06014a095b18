import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';
import { COMMON_OPTIONS, type OptionSpecs, type OptionValues } from './spec.ts';
import { closest } from './suggest.ts';

type NodeOptions = NonNullable<ParseArgsConfig['options']>;

/** Every option a command takes: its own plus `--quiet` and `--help`. */
export function allOptions(options: OptionSpecs): OptionSpecs {
  return { ...options, ...COMMON_OPTIONS };
}

/**
 * The one strict parser of every lesionseg command (node:util parseArgs underneath): no
 * positionals; an unknown option is a UsageError that suggests the closest known name; a
 * deprecated spelling is accepted under its new name with a warning.
 */
export function parseCommandLine(argv: readonly string[], specs: OptionSpecs, warn: (message: string) => void): OptionValues {
  const options = allOptions(specs);
  const nodeOptions: NodeOptions = {};
  const canonical = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) {
    const base = { type: o.type, ...(o.multiple ? { multiple: true } : {}) };
    nodeOptions[name] = { ...base, ...(o.short ? { short: o.short } : {}) };
    canonical.set(name, name);
    for (const old of o.deprecated ?? []) {
      nodeOptions[old] = base;
      canonical.set(old, name);
    }
  }
  checkNames(argv, nodeOptions, [...Object.keys(options)]);
  let raw: OptionValues;
  try {
    raw = parseArgs({ args: [...argv], options: nodeOptions, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\s*To specify an option argument starting with a dash.*$/s, ''));
  }
  const values: OptionValues = {};
  for (const [given, v] of Object.entries(raw)) {
    const name = canonical.get(given) ?? given;
    if (name !== given) {
      if (raw[name] !== undefined) throw new UsageError(`--${given} is the old spelling of --${name}: give one of them`);
      warn(`--${given} is deprecated; use --${name}`);
    }
    values[name] = v;
  }
  return values;
}

/** Finds an unknown `--name` before parseArgs does, to say which known name was meant. */
function checkNames(argv: readonly string[], options: NodeOptions, shown: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return;
    if (!a.startsWith('--')) continue;
    const name = a.slice(2).split('=')[0];
    const o = options[name];
    if (o) {
      if (o.type === 'string' && !a.includes('=')) i++; // its value may look like anything
      continue;
    }
    const guess = closest(name, shown);
    throw new UsageError(`unknown option --${name}${guess ? `; did you mean --${guess}?` : ''}`);
  }
}
