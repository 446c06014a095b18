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
  const signals = c.handlesSignals ? null : new SignalPolicy(io.err, prefix);
  try {
    // Fault injection for the binary's tests: an internal error must reach the user with its stack.
    if (io.env['LESIONSEG_FAULT_INTERNAL_ERROR'] === c.name) throw new TypeError(`injected internal error in ${c.name} (LESIONSEG_FAULT_INTERNAL_ERROR)`);
    const code = await c.run({
      values,
      cwd: userCwd(io.env, io.cwd),
      env: io.env,
      quiet: values.quiet === true,
      log: (l) => io.err(`${l}\n`),
      interruptSignal: () => (signals ?? new SignalPolicy(io.err, prefix, false)).cooperate(),
    });
    return signals?.exitCode() ?? code ?? EXIT.ok;
  } catch (e) {
    const interrupted = signals?.exitCode() ?? null;
    if (interrupted === null) return reportFailure(prefix, e, io.err, hint);
    if (e instanceof UserError) io.err(`${prefix}: ${e.message}\n`); // what was stopped, how to resume
    return interrupted;
  } finally {
    signals?.stop();
    try {
      await c.cleanup?.();
    } catch (e) {
      io.err(`${prefix}: cleanup failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}

/**
 * SIGINT/SIGTERM of a command that does not handle them itself: exit at once with 130/143, or,
 * once the command called `interruptSignal()`, abort that signal and let the command end its
 * work (cancel its tasks) first. Signals within a second of the first are the same request (a
 * Ctrl-C arrives from the process group and again from wrappers such as nx); a later one exits.
 */
class SignalPolicy {
  private readonly controller = new AbortController();
  private cooperating = false;
  private first: { signal: NodeJS.Signals; at: number } | null = null;
  private readonly handler = (signal: NodeJS.Signals): void => this.onSignal(signal);

  constructor(
    private readonly err: (text: string) => void,
    private readonly prefix: string,
    listen = true,
  ) {
    if (!listen) return; // a command that handles signals itself: a signal that never aborts
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  cooperate(): AbortSignal {
    this.cooperating = true;
    return this.controller.signal;
  }

  /** 130/143 once interrupted, else null. */
  exitCode(): number | null {
    return this.first ? signalExitCode(this.first.signal) : null;
  }

  stop(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.first === null) {
      this.first = { signal, at: Date.now() };
      this.err(`\n${this.prefix}: interrupted (${signal})${this.cooperating ? '; stopping its tasks first (again, a second later, to exit at once)' : ''}\n`);
      if (!this.cooperating) process.exit(signalExitCode(signal));
      this.controller.abort(signal);
    } else if (Date.now() - this.first.at >= 1000) {
      this.err(`${this.prefix}: interrupted again (${signal}): exiting now\n`);
      process.exit(signalExitCode(this.first.signal));
    }
  }
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
