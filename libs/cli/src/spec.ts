/** One command-line option: its parser type and everything `--help` prints about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One line or a few sentences; wrapped by the help formatter. */
  description: string;
  /** The value's placeholder in help (`--out FILE`); default VALUE. */
  value?: string;
  short?: string;
  /** Repeatable: the value is a list (e.g. `--checkpoint A --checkpoint B`). */
  multiple?: boolean;
  /** The default shown in help (the command applies it; this is documentation only). */
  default?: string;
  /** Old spellings still accepted, each with a deprecation warning naming this option. */
  deprecated?: readonly string[];
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValue = string | boolean | string[] | undefined;
export type OptionValues = Record<string, OptionValue>;

/** What a command's run gets besides its parsed options. */
export interface CommandContext {
  values: OptionValues;
  /** The folder relative paths are resolved against (the user's, also under Nx). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  quiet: boolean;
  /** Messages and progress: stderr (stdout stays free for machine-readable output). */
  log(line: string): void;
  /**
   * Opt in to stopping cleanly on SIGINT/SIGTERM (a command whose tasks run elsewhere, e.g. a
   * Slurm array, must cancel them before it goes): the first signal aborts the returned signal
   * (its reason is the signal's name) instead of exiting at once; the command ends its work and
   * returns, and the exit code is 130/143 whatever `run` returned or threw. A second signal,
   * a second or more later, exits at once. Without this call a signal exits at once.
   */
  interruptSignal(): AbortSignal;
}

/**
 * A command of the `lesionseg` binary (and of its Nx target). The help text is generated from
 * `options`; `run` loads its implementation lazily so `lesionseg --help` stays fast.
 */
export interface Command {
  name: string;
  /** The Nx target that runs the same code, e.g. `trainer:train`. */
  nxTarget?: string;
  /** One line, for `lesionseg --help`. */
  summary: string;
  /** Paragraphs printed after the summary. */
  description?: string;
  /** Usage lines after `lesionseg <name> `; default `[OPTIONS]`. */
  usage?: readonly string[];
  options: OptionSpecs;
  /** Printed after the options (files written, notes). */
  epilog?: string | (() => string);
  /** Rewrites an old command-line form the spec cannot express, warning about it (before parsing). */
  legacyArgv?(argv: readonly string[], warn: (message: string) => void): string[];
  /** true: the command handles SIGINT/SIGTERM itself (the trainer saves a checkpoint first). */
  handlesSignals?: boolean;
  /** The exit code (default 0). Throw a UsageError (2), a UserError (1) or anything else (1, with stack). */
  run(ctx: CommandContext): Promise<number | void>;
  /** Runs after `run`, also when it threw (e.g. release a GPU device that would keep the process alive). */
  cleanup?(): Promise<void> | void;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  quiet: { type: 'boolean', description: 'no progress output (errors and the final summary still print)' },
  help: { type: 'boolean', short: 'h', description: 'this text' },
};

/** What `--help` is generated from: a command without its implementation. */
export type CommandHelpSpec = Pick<Command, 'name' | 'nxTarget' | 'summary' | 'description' | 'usage' | 'options' | 'epilog'>;
