import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { listSubfolders } from '@lesionseg/data';
import type { SkippedFolder } from '@lesionseg/data';
import { UserError } from '@lesionseg/events';

/** One patient to score: its id and the two mask files. */
export interface ScorePair {
  patient: string;
  gt: string;
  pred: string;
}

/** Bad input files or folders (exit code 1); the message names the path. */
export class InputError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The MSSEG-2 ground-truth file inside a patient folder. */
export const GT_FILE = 'ground_truth.nii.gz';

const NIFTI = /\.nii(\.gz)?$/;

/** A NIfTI file name without its extension: the patient id in single-file mode. */
export function stripNiftiExt(name: string): string {
  return basename(name).replace(NIFTI, '');
}

async function kind(path: string, what: string): Promise<'file' | 'dir'> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) return 'dir';
    if (s.isFile()) return 'file';
  } catch {
    throw new InputError(`${path}: ${what} does not exist`);
  }
  throw new InputError(`${path}: ${what} is neither a file nor a folder`);
}

/**
 * Pair ground truths with predictions. Either two NIfTI files (one patient, named after the
 * prediction file), or an MSSEG-2 dataset folder (one sub-folder per patient, or a symbolic link
 * to one, holding ground_truth.nii.gz) and a folder of <patient>.nii.gz (or .nii). Every patient
 * needs exactly one prediction: all missing ones are listed in one error, and a patient with both
 * <patient>.nii.gz and <patient>.nii is refused (which one was meant?).
 */
export async function findPairs(gt: string, pred: string): Promise<ScorePair[]> {
  return (await findInputs(gt, pred)).pairs;
}

/**
 * Chooses the ground-truth patients to score (`--patients`); only they need a prediction.
 * Returns the chosen ids in the order to score them.
 */
export type PatientFilter = (ids: string[]) => Promise<string[]>;

/**
 * {@link findPairs} plus what deserves a warning: the prediction files that match no patient,
 * and the sub-folders of the ground-truth folder that are not patients (with the reason).
 */
export async function findInputs(
  gt: string,
  pred: string,
  select?: PatientFilter,
): Promise<{ pairs: ScorePair[]; unmatched: string[]; skipped: SkippedFolder[] }> {
  const [gk, pk] = await Promise.all([kind(gt, 'ground truth'), kind(pred, 'prediction')]);
  if (gk !== pk) {
    throw new InputError(
      `--gt ${gt} is a ${gk === 'dir' ? 'folder' : 'file'} but --pred ${pred} is a ${pk === 'dir' ? 'folder' : 'file'}; give two NIfTI files or two folders`,
    );
  }
  if (gk === 'file') {
    if (select) throw new InputError(`--patients needs folders (an MSSEG-2 dataset and a folder of predictions), but --gt ${gt} is a file`);
    for (const f of [gt, pred]) if (!NIFTI.test(f)) throw new InputError(`${f}: not a NIfTI file name (.nii or .nii.gz)`);
    return { pairs: [{ patient: stripNiftiExt(pred), gt, pred }], unmatched: [], skipped: [] };
  }
  const { folders, broken } = await listSubfolders(gt);
  const skipped = [...broken];
  const patients: string[] = [];
  for (const f of folders) {
    const isFile = await stat(join(f.path, GT_FILE)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isFile) patients.push(f.name);
    else skipped.push({ path: f.path, reason: `no ${GT_FILE} (not a patient folder)` });
  }
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (patients.length === 0) throw new InputError(`${gt}: no patient folder holding ${GT_FILE} (MSSEG-2 layout expected)`);
  const predFiles = new Set(await readdir(pred));
  const chosen = select ? await select(patients) : patients;
  const pairs: ScorePair[] = [];
  const missing: string[] = [];
  const ambiguous: string[] = [];
  for (const p of chosen) {
    const names = [`${p}.nii.gz`, `${p}.nii`].filter((n) => predFiles.has(n));
    if (names.length === 2) ambiguous.push(`${join(pred, names[0])} and ${names[1]}`);
    else if (names.length === 1) pairs.push({ patient: p, gt: join(gt, p, GT_FILE), pred: join(pred, names[0]) });
    else missing.push(join(pred, `${p}.nii.gz`));
  }
  if (ambiguous.length > 0) {
    throw new InputError(`two predictions for one patient (remove one): ${ambiguous.join('; ')}`);
  }
  if (missing.length > 0) {
    const of = select ? `${chosen.length} selected` : `${patients.length}`;
    throw new InputError(`missing prediction${missing.length > 1 ? 's' : ''} for ${missing.length} of ${of} patients: ${missing.join(', ')}`);
  }
  // Predictions of ground-truth patients left out by --patients are not "unmatched".
  const used = new Set(patients.flatMap((p) => [`${p}.nii.gz`, `${p}.nii`]));
  const unmatched = [...predFiles]
    .filter((f) => NIFTI.test(f) && !used.has(f))
    .sort()
    .map((f) => join(pred, f));
  return { pairs, unmatched, skipped };
}
