/**
 * The base of every error that is the user's to fix (a bad input file, a bad config value, a
 * run folder in use): its message names the file or value, so a command prints the message and
 * exits 1 without a stack. Any other error is a bug and is printed with its stack. It lives here,
 * in the contracts kernel, so that every library's errors can extend it without depending on the
 * command kit.
 */
export class UserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UserError';
  }
}
