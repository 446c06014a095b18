import { UserError } from '@lesionseg/events';

export { UserError };

/** A problem with the command line itself: exit 2, with a pointer to `--help`. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The exit codes of every lesionseg command. */
export const EXIT = {
  ok: 0,
  /** Bad input (the message names the file or value) or a failed run. */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  sigint: 130,
  sigterm: 143,
} as const;

/** 128 + the signal number, as a shell reports a process a signal stopped. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? EXIT.sigint : signal === 'SIGTERM' ? EXIT.sigterm : EXIT.failure;
}
