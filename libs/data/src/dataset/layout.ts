import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';

/** MSSEG-2 file names inside one patient folder. */
export const MSSEG2_FILES = {
  baseline: 'flair_time01_on_middle_space.nii.gz',
  followup: 'flair_time02_on_middle_space.nii.gz',
  groundTruth: 'ground_truth.nii.gz',
  expert: (k: number) => `ground_truth_expert${k}.nii.gz`,
} as const;

/** Where one patient's files are. */
export interface PatientFiles {
  id: string;
  baseline: string;
  followup: string;
  /** The consensus new-lesion mask; absent for data to segment without ground truth. */
  groundTruth?: string;
  /** ground_truth_expert1..4 when present. */
  experts: string[];
}

/** A problem with a dataset's layout or a patient's files; the message names the patient or file. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Patients of an MSSEG-2 style folder: every sub-folder holding the two FLAIRs is a patient
 * (id = folder name), sorted by id. Sub-folders with neither FLAIR are ignored (e.g. a run
 * folder); one FLAIR without the other is an error.
 */
export async function findMsseg2Patients(root: string, options: { requireGroundTruth?: boolean } = {}): Promise<PatientFiles[]> {
  const requireGt = options.requireGroundTruth ?? true;
  let entries: string[];
  try {
    entries = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (e) {
    throw new DatasetError(`${root}: cannot list dataset folder (${(e as Error).message})`);
  }
  const patients: PatientFiles[] = [];
  for (const id of entries.sort()) {
    const dir = join(root, id);
    const baseline = join(dir, MSSEG2_FILES.baseline);
    const followup = join(dir, MSSEG2_FILES.followup);
    const [hasB, hasF] = await Promise.all([exists(baseline), exists(followup)]);
    if (!hasB && !hasF) continue;
    if (!hasB || !hasF) {
      throw new DatasetError(`patient ${id} (${dir}): missing ${hasB ? MSSEG2_FILES.followup : MSSEG2_FILES.baseline}`);
    }
    const gt = join(dir, MSSEG2_FILES.groundTruth);
    const hasGt = await exists(gt);
    if (requireGt && !hasGt) throw new DatasetError(`patient ${id} (${dir}): missing ${MSSEG2_FILES.groundTruth}`);
    const experts: string[] = [];
    for (let k = 1; k <= 4; k++) {
      const p = join(dir, MSSEG2_FILES.expert(k));
      if (await exists(p)) experts.push(p);
    }
    patients.push({ id, baseline, followup, groundTruth: hasGt ? gt : undefined, experts });
  }
  if (patients.length === 0) {
    throw new DatasetError(`${root}: no patient folders found (each needs ${MSSEG2_FILES.baseline} and ${MSSEG2_FILES.followup})`);
  }
  return patients;
}

const KEYS = {
  id: ['id', 'patient'],
  baseline: ['baseline', 'flair_time01', 'time01'],
  followup: ['followup', 'follow_up', 'flair_time02', 'time02'],
  groundTruth: ['groundTruth', 'ground_truth', 'mask'],
};

function pick(row: Record<string, string | undefined>, names: readonly string[]): string | undefined {
  for (const n of names) if (row[n] !== undefined && row[n] !== '') return row[n];
  return undefined;
}

/**
 * Patients listed in a manifest, for data in other layouts. Paths are relative to the
 * manifest's folder unless absolute.
 * - JSON: an array (or `{ "patients": [...] }`) of `{ id, baseline, followup, groundTruth? }`
 *   (also accepted: flair_time01 / flair_time02 / ground_truth).
 * - CSV: a header row naming those columns, then one patient per line; plain comma-separated
 *   values (no quoting), `#` lines ignored.
 */
export async function readManifest(path: string, options: { requireGroundTruth?: boolean } = {}): Promise<PatientFiles[]> {
  const requireGt = options.requireGroundTruth ?? true;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new DatasetError(`${path}: cannot read manifest (${(e as Error).message})`);
  }
  let rows: Record<string, string | undefined>[];
  if (extname(path).toLowerCase() === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new DatasetError(`${path}: invalid JSON (${(e as Error).message})`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { patients?: unknown })?.patients;
    if (!Array.isArray(list)) throw new DatasetError(`${path}: expected an array of patients or { "patients": [...] }`);
    rows = list as Record<string, string | undefined>[];
  } else {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    if (lines.length < 2) throw new DatasetError(`${path}: CSV manifest needs a header row and at least one patient`);
    const header = lines[0].split(',').map((h) => h.trim());
    rows = lines.slice(1).map((l) => {
      const cells = l.split(',').map((c) => c.trim());
      return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    });
  }
  const base = dirname(resolve(path));
  const abs = (p: string): string => (isAbsolute(p) ? p : join(base, p));
  const seen = new Set<string>();
  const patients = rows.map((row, i) => {
    const where = `${path}: patient entry ${i + 1}`;
    const id = pick(row, KEYS.id);
    const b = pick(row, KEYS.baseline);
    const f = pick(row, KEYS.followup);
    const g = pick(row, KEYS.groundTruth);
    if (!id) throw new DatasetError(`${where}: missing id`);
    if (seen.has(id)) throw new DatasetError(`${where}: duplicate id ${id}`);
    seen.add(id);
    if (!b || !f) throw new DatasetError(`${where} (${id}): needs both baseline and followup paths`);
    if (requireGt && !g) throw new DatasetError(`${where} (${id}): missing groundTruth path`);
    return { id: String(id), baseline: abs(b), followup: abs(f), groundTruth: g ? abs(g) : undefined, experts: [] };
  });
  if (patients.length === 0) throw new DatasetError(`${path}: manifest lists no patients`);
  return patients;
}

/** A dataset given either as an MSSEG-2 folder or as a manifest file (.json / .csv). */
export async function listPatients(source: string, options: { requireGroundTruth?: boolean } = {}): Promise<PatientFiles[]> {
  const s = await stat(source).catch(() => null);
  if (!s) throw new DatasetError(`${source}: no such dataset folder or manifest`);
  return s.isDirectory() ? findMsseg2Patients(source, options) : readManifest(source, options);
}
