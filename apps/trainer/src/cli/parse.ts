import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A bad command line (exit 2): the message says what is wrong and points at --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Strict option parsing shared by the trainer's commands: no positionals, an unknown option or
 * a missing value is a UsageError (exit 2) pointing at --help.
 */
export function parseOptions(argv: string[], options: ParseArgsOptionsConfig): ParsedValues {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values as ParsedValues;
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
}

/** A non-negative integer option; `positive` excludes 0. Absent: `fallback`. */
export function intOption(name: string, v: string | boolean | string[] | undefined, fallback: number | null, positive = false): number | null {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(positive ? /^[1-9]\d*$/ : /^\d+$/).test(v)) {
    throw new UsageError(`--${name} needs a ${positive ? 'positive' : 'non-negative'} integer, got "${String(v)}"`);
  }
  return Number(v);
}
