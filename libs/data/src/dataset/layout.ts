import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '@lesionseg/events';
import { isFile } from '../io/exists.ts';

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
export class DatasetError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** A sub-folder of a dataset that is not read as a patient, and why (reported, never dropped silently). */
export interface SkippedFolder {
  path: string;
  reason: string;
}

/** Where skipped folders are reported by default: one warning line each on stderr. */
export function warnSkipped(s: SkippedFolder): void {
  process.stderr.write(`warning: skipped ${s.path}: ${s.reason}\n`);
}

/**
 * The sub-folders of `root`, sorted by name, following symbolic links (a link to a folder is a
 * folder: links are the usual way to build a subset of a dataset). Links that lead nowhere are
 * returned as `broken`; plain files and links to files are not folders; names starting with a
 * dot (.git, .DS_Store) are not looked at.
 */
export async function listSubfolders(root: string): Promise<{ folders: { name: string; path: string }[]; broken: SkippedFolder[] }> {
  const entries = await readdir(root, { withFileTypes: true });
  const folders: { name: string; path: string }[] = [];
  const broken: SkippedFolder[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue;
    const path = join(root, e.name);
    if (e.isDirectory()) folders.push({ name: e.name, path });
    else if (e.isSymbolicLink()) {
      const target = await stat(path).catch((err: Error) => err);
      if (target instanceof Error) {
        const to = await readlink(path).catch(() => '?');
        broken.push({ path, reason: `symbolic link to ${to}, which cannot be opened (${target.message})` });
      } else if (target.isDirectory()) folders.push({ name: e.name, path });
    }
  }
  return { folders, broken };
}

/** Options of {@link findMsseg2Patients} and {@link listPatients}. */
export interface ListPatientsOptions {
  /** Refuse patients without ground_truth.nii.gz (default true). */
  requireGroundTruth?: boolean;
  /** Told about each sub-folder that is not a patient (default {@link warnSkipped}). */
  onSkipped?: (s: SkippedFolder) => void;
}

/**
 * Patients of an MSSEG-2 style folder: every sub-folder (or link to one) holding the two FLAIRs
 * is a patient (id = folder name), sorted by id. Other sub-folders are skipped and reported with
 * the reason (a run folder, a patient with a ground truth but no FLAIRs, a broken link); one
 * FLAIR without the other is an error.
 */
export async function findMsseg2Patients(root: string, options: ListPatientsOptions = {}): Promise<PatientFiles[]> {
  const requireGt = options.requireGroundTruth ?? true;
  const onSkipped = options.onSkipped ?? warnSkipped;
  let listing: Awaited<ReturnType<typeof listSubfolders>>;
  try {
    listing = await listSubfolders(root);
  } catch (e) {
    throw new DatasetError(`${root}: cannot list dataset folder (${(e as Error).message})`);
  }
  const skipped: SkippedFolder[] = [...listing.broken];
  const patients: PatientFiles[] = [];
  for (const { name: id, path: dir } of listing.folders) {
    const baseline = join(dir, MSSEG2_FILES.baseline);
    const followup = join(dir, MSSEG2_FILES.followup);
    const gt = join(dir, MSSEG2_FILES.groundTruth);
    const [hasB, hasF, hasGt] = await Promise.all([isFile(baseline), isFile(followup), isFile(gt)]);
    if (!hasB && !hasF) {
      skipped.push({
        path: dir,
        reason: hasGt
          ? `holds ${MSSEG2_FILES.groundTruth} but neither ${MSSEG2_FILES.baseline} nor ${MSSEG2_FILES.followup}`
          : `not a patient folder (no ${MSSEG2_FILES.baseline} or ${MSSEG2_FILES.followup})`,
      });
      continue;
    }
    if (!hasB || !hasF) {
      throw new DatasetError(`patient ${id} (${dir}): missing ${hasB ? MSSEG2_FILES.followup : MSSEG2_FILES.baseline}`);
    }
    if (requireGt && !hasGt) throw new DatasetError(`patient ${id} (${dir}): missing ${MSSEG2_FILES.groundTruth}`);
    const experts: string[] = [];
    for (let k = 1; k <= 4; k++) {
      const p = join(dir, MSSEG2_FILES.expert(k));
      if (await isFile(p)) experts.push(p);
    }
    patients.push({ id, baseline, followup, groundTruth: hasGt ? gt : undefined, experts });
  }
  if (patients.length === 0) {
    const why = skipped.length > 0 ? `; skipped: ${skipped.map((s) => `${s.path} (${s.reason})`).join('; ')}` : '';
    throw new DatasetError(`${root}: no patient folders found (each needs ${MSSEG2_FILES.baseline} and ${MSSEG2_FILES.followup})${why}`);
  }
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).forEach((s) => onSkipped(s));
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
export async function readManifest(path: string, options: Pick<ListPatientsOptions, 'requireGroundTruth'> = {}): Promise<PatientFiles[]> {
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
export async function listPatients(source: string, options: ListPatientsOptions = {}): Promise<PatientFiles[]> {
  const s = await stat(source).catch(() => null);
  if (!s) throw new DatasetError(`${source}: no such dataset folder or manifest`);
  return s.isDirectory() ? findMsseg2Patients(source, options) : readManifest(source, options);
}
