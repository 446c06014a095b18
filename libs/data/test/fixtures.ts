import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** tools/reference/fixtures/nifti: files and readings written by nibabel (tools/reference/nifti_fixtures.py). */
export const NIFTI_FIXTURES = fileURLToPath(new URL('../../../tools/reference/fixtures/nifti/', import.meta.url));
export const fixture = (name: string): string => join(NIFTI_FIXTURES, name);
