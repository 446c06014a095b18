import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** One patient to score: its id and the two mask files. */
export interface ScorePair {
  patient: string;
  gt: string;
  pred: string;
}

/** Bad input files or folders (exit code 1); the message names the path. */
export class InputError extends Error {
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
 * prediction file), or an MSSEG-2 dataset folder (one sub-folder per patient holding
 * ground_truth.nii.gz) and a folder of <patient>.nii.gz (or .nii). Every patient needs a
 * prediction: all missing ones are listed in one error.
 */
export async function findPairs(gt: string, pred: string): Promise<ScorePair[]> {
  return (await findInputs(gt, pred)).pairs;
}

/** {@link findPairs} plus the prediction files that match no patient (worth a warning). */
export async function findInputs(gt: string, pred: string): Promise<{ pairs: ScorePair[]; unmatched: string[] }> {
  const [gk, pk] = await Promise.all([kind(gt, 'ground truth'), kind(pred, 'prediction')]);
  if (gk !== pk) {
    throw new InputError(
      `--gt ${gt} is a ${gk === 'dir' ? 'folder' : 'file'} but --pred ${pred} is a ${pk === 'dir' ? 'folder' : 'file'}; give two NIfTI files or two folders`,
    );
  }
  if (gk === 'file') {
    for (const f of [gt, pred]) if (!NIFTI.test(f)) throw new InputError(`${f}: not a NIfTI file name (.nii or .nii.gz)`);
    return { pairs: [{ patient: stripNiftiExt(pred), gt, pred }], unmatched: [] };
  }
  const entries = (await readdir(gt, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const patients: string[] = [];
  for (const p of entries) {
    try {
      if ((await stat(join(gt, p, GT_FILE))).isFile()) patients.push(p);
    } catch {
      // a folder without ground truth (e.g. a "derivatives" folder) is not a patient
    }
  }
  if (patients.length === 0) throw new InputError(`${gt}: no patient folder holding ${GT_FILE} (MSSEG-2 layout expected)`);
  const predFiles = new Set(await readdir(pred));
  const pairs: ScorePair[] = [];
  const missing: string[] = [];
  for (const p of patients) {
    const name = [`${p}.nii.gz`, `${p}.nii`].find((n) => predFiles.has(n));
    if (name) pairs.push({ patient: p, gt: join(gt, p, GT_FILE), pred: join(pred, name) });
    else missing.push(join(pred, `${p}.nii.gz`));
  }
  if (missing.length > 0) {
    throw new InputError(`missing prediction${missing.length > 1 ? 's' : ''} for ${missing.length} of ${patients.length} patients: ${missing.join(', ')}`);
  }
  const used = new Set(pairs.map((p) => basename(p.pred)));
  const unmatched = [...predFiles].filter((f) => NIFTI.test(f) && !used.has(f)).sort().map((f) => join(pred, f));
  return { pairs, unmatched };
}
