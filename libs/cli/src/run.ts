import { UserError } from '@lesionseg/events';
import { EXIT, signalExitCode, UsageError } from './errors.ts';
import { commandHelp, programHelp } from './help.ts';
import { parseCommandLine } from './parse.ts';
import { userCwd } from './paths.ts';
import type { Command } from './spec.ts';
import { closest } from './suggest.ts';

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const processIo = (): CommandIo => ({
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
});

/**
 * The exit policy, in one place: a UsageError is 2 (message + pointer to --help), a UserError
 * is 1 with its message only, anything else is a bug: 1 with its stack.
 */
export function reportFailure(prefix: string, error: unknown, err: (text: string) => void, helpHint: string): number {
  if (error instanceof UsageError) {
    err(`${prefix}: ${error.message}\n(see ${helpHint})\n`);
    return EXIT.usage;
  }
  if (error instanceof UserError) {
    err(`${prefix}: ${error.message}\n`);
    return EXIT.failure;
  }
  err(`${prefix}: unexpected error (a bug; please report it with this trace):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.failure;
}

/** Parse, print help, run, and map the outcome to an exit code. Never throws. */
export async function runCommand(program: string, c: Command, argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const prefix = `${program} ${c.name}`;
  const hint = `${prefix} --help`;
  const warn = (m: string): void => io.err(`${prefix}: warning: ${m}\n`);
  let values;
  try {
    values = parseCommandLine(c.legacyArgv ? c.legacyArgv(argv, warn) : argv, c.options, warn);
  } catch (e) {
    return reportFailure(prefix, e, io.err, hint);
  }
  if (values.help === true) {
    io.out(`${commandHelp(program, c)}\n`);
    return EXIT.ok;
  }
  const stopSignals = c.handlesSignals ? () => {} : exitOnSignals(io.err, prefix);
  try {
    // Fault injection for the binary's tests: an internal error must reach the user with its stack.
    if (io.env['LESIONSEG_FAULT_INTERNAL_ERROR'] === c.name) throw new TypeError(`injected internal error in ${c.name} (LESIONSEG_FAULT_INTERNAL_ERROR)`);
    const code = await c.run({ values, cwd: userCwd(io.env, io.cwd), env: io.env, quiet: values.quiet === true, log: (l) => io.err(`${l}\n`) });
    return code ?? EXIT.ok;
  } catch (e) {
    return reportFailure(prefix, e, io.err, hint);
  } finally {
    stopSignals();
    try {
      await c.cleanup?.();
    } catch (e) {
      io.err(`${prefix}: cleanup failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}

/** Commands that do not save state on a signal stop at once, with 130/143. */
function exitOnSignals(err: (text: string) => void, prefix: string): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    err(`\n${prefix}: interrupted (${signal})\n`);
    process.exit(signalExitCode(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

export interface Program {
  name: string;
  summary: string;
  /** In the order `--help` lists them; adding a command is one entry here. */
  commands: readonly Command[];
  version?: string;
}

/** `lesionseg <command> ...`: dispatch, `--help`, `--version`, and "did you mean" for a command name. */
export async function runProgram(p: Program, argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(`${programHelp(p.name, p.summary, p.commands)}\n`);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version') {
    io.out(`${p.version ?? 'unknown'}\n`);
    return EXIT.ok;
  }
  const c = p.commands.find((x) => x.name === first);
  if (!c) {
    const guess = closest(
      first,
      p.commands.map((x) => x.name),
    );
    io.err(`${p.name}: unknown command "${first}"${guess ? `; did you mean "${guess}"?` : ''}\n(see ${p.name} --help)\n`);
    return EXIT.usage;
  }
  return runCommand(p.name, c, rest, io);
}

/** Sets the exit code when `run` settles (never process.exit: pending output is flushed first). */
export function exitWith(run: Promise<number>): void {
  void run.then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = reportFailure('lesionseg', e, (t) => void process.stderr.write(t), 'lesionseg --help');
    },
  );
}
