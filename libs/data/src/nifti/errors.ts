import { UserError } from '@lesionseg/events';
/**
 * Any problem reading or writing a NIfTI file. The message always starts with the file's path,
 * so a user scanning a log of hundreds of patients sees which file is bad and why.
 */
export class NiftiError extends UserError {
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.name = 'NiftiError';
    this.path = path;
  }
}
