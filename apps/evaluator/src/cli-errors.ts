import { DatasetError, NiftiError } from '@lesionseg/data';
import { MissingPluginError, UnknownPluginError } from '@lesionseg/events';
import { GridMismatchError, ScoreParamsError } from '@lesionseg/metrics';
import { BackendError, GpuError, PredictorError, releaseWebgpu } from '@lesionseg/models';
import { UsageError } from './score/args.ts';
import { InputError } from './score/inputs.ts';

/** Errors about the user's inputs: their message names the file or value, no stack needed. */
export function isInputProblem(e: unknown): e is Error {
  return (
    e instanceof InputError ||
    e instanceof NiftiError ||
    e instanceof DatasetError ||
    e instanceof PredictorError ||
    e instanceof BackendError ||
    e instanceof GpuError ||
    e instanceof UnknownPluginError ||
    e instanceof MissingPluginError ||
    e instanceof GridMismatchError ||
    e instanceof ScoreParamsError
  );
}

/**
 * Run a command's main and set the exit code: 0 done, 2 bad command line (message + usage),
 * 1 bad input (message naming the file or value) or an unexpected failure (with its stack).
 */
export function runCli(usage: string, main: () => Promise<'help' | void>): void {
  main()
    // Dawn's native GPU object would keep the process alive after the work is done.
    .finally(releaseWebgpu)
    .then(
      (r) => {
        if (r === 'help') process.stdout.write(`${usage}\n`);
        process.exitCode = 0;
      },
      (e: unknown) => {
        if (e instanceof UsageError) {
          process.stderr.write(`error: ${e.message}\n\n${usage}\n`);
          process.exitCode = 2;
        } else if (isInputProblem(e)) {
          process.stderr.write(`error: ${e.message}\n`);
          process.exitCode = 1;
        } else {
          process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
          process.exitCode = 1;
        }
      },
    );
}
