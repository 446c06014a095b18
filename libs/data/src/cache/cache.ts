import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PatientFiles } from '../dataset/layout.ts';
import { loadPatient, patientVolumes } from '../dataset/load.ts';
import { preprocessPatient } from '../preprocess/preprocess.ts';
import { writeEntry } from './build.ts';
import { cachedPatient, type CachedPatient } from './cached-patient.ts';
import { ChunkStore } from './chunk-store.ts';
import { CacheEntry } from './entry.ts';
import { withEntryLock } from './entry-lock.ts';
import { CacheEntryError, type SourceStamp } from './format.ts';

export interface CacheOptions {
  /** The cache folder: {@link defaultCacheDir} of the dataset unless data.cacheDir / --cache say otherwise. */
  dir: string;
  /** Working spacing in mm; null keeps each patient's native grid. */
  spacingMm: number | null;
  /** Margin around the head box, in voxels: one patch (data.patchSize). */
  margin: number;
  chunk?: number;
  /** Warnings (a stale or corrupt entry rebuilt) and progress. */
  log?: (line: string) => void;
  /** An entry's build lock untouched this long is broken (default 10 min; see withEntryLock). */
  lockStaleMs?: number;
}

/** Where a dataset's cache lives by default: inside it, so it travels and is cleared with it. */
export function defaultCacheDir(datasetDir: string): string {
  return join(datasetDir, '.lesionseg', 'cache');
}

/** The entry of one patient at one spacing and margin: `<dir>/<patient>/s<spacing>-m<margin>.lsc`. */
export function entryPath(o: Pick<CacheOptions, 'dir' | 'spacingMm' | 'margin'>, id: string): string {
  return join(o.dir, id, `s${o.spacingMm ?? 'native'}-m${o.margin}.lsc`);
}

/** Size and mtime of the patient's inputs: a change to any of them makes its entries stale. */
export async function sourceStamps(files: PatientFiles): Promise<SourceStamp[]> {
  const roles = [
    ['baseline', files.baseline],
    ['followup', files.followup],
    ['groundTruth', files.groundTruth],
  ] as const;
  const out: SourceStamp[] = [];
  for (const [role, path] of roles) {
    if (!path) continue;
    const s = await stat(path);
    out.push({ role, path, size: s.size, mtimeMs: s.mtimeMs });
  }
  return out;
}

/** What differs between the stamps an entry was built from and the files now; null when none. */
function staleness(was: SourceStamp[], now: SourceStamp[]): string | null {
  for (const n of now) {
    const w = was.find((s) => s.role === n.role);
    if (!w) return `${n.path} is new`;
    if (w.size !== n.size || w.mtimeMs !== n.mtimeMs)
      return `${n.path} changed (size ${w.size} -> ${n.size}, mtime ${new Date(w.mtimeMs).toISOString()} -> ${new Date(n.mtimeMs).toISOString()})`;
  }
  const gone = was.find((w) => !now.some((n) => n.role === w.role));
  return gone ? `${gone.path} is gone` : null;
}

/** Reads, checks and preprocesses the patient's files and writes its entry (atomically). */
export async function buildEntry(files: PatientFiles, o: CacheOptions): Promise<CachedPatient> {
  const stamps = await sourceStamps(files);
  const loaded = await loadPatient(files);
  const pre = preprocessPatient(patientVolumes(loaded), { spacing: o.spacingMm ?? loaded.baseline.spacing });
  const file = entryPath(o, files.id);
  await writeEntry(file, pre, stamps, { spacingMm: o.spacingMm, margin: o.margin, chunk: o.chunk });
  return openChecked(file, stamps, o);
}

/** Opens an entry and checks it against the current files and options; throws CacheEntryError when stale or corrupt. */
function openChecked(file: string, stamps: SourceStamp[], o: CacheOptions): CachedPatient {
  const e = CacheEntry.open(file);
  try {
    const h = e.header;
    const why =
      staleness(h.sources, stamps) ?? (h.margin !== o.margin || h.chunk !== (o.chunk ?? 32) || h.spacingMm !== o.spacingMm ? 'built with other options' : null);
    if (why) throw new CacheEntryError(file, 'stale', why);
    return cachedPatient(file, h, e.positives);
  } finally {
    e.close();
  }
}

/** The entry when it is there, complete and current; null (with a warning when `warn`) otherwise. */
async function usableEntry(files: PatientFiles, file: string, o: CacheOptions, warn: boolean): Promise<CachedPatient | null> {
  try {
    return openChecked(file, await sourceStamps(files), o);
  } catch (e) {
    if (!warn) return null;
    if (e instanceof CacheEntryError) o.log?.(`warning: ${e.message}: rebuilding it`);
    else if ((e as NodeJS.ErrnoException).code !== 'ENOENT') o.log?.(`warning: ${file}: cannot read the cache entry (${(e as Error).message}): rebuilding it`);
    return null;
  }
}

function lockOptions(o: CacheOptions) {
  return { staleMs: o.lockStaleMs, log: o.log };
}

/**
 * The patient's cache entry, built when missing; a stale or corrupt one is rebuilt with a
 * warning naming the file, never used. One builder across processes filling the same cache
 * (the entry's lock): the others wait and read what it wrote. Every write is still a complete
 * temporary file renamed over the entry, so readers never see half of one.
 */
export async function ensureEntry(files: PatientFiles, o: CacheOptions): Promise<{ patient: CachedPatient; built: boolean }> {
  const file = entryPath(o, files.id);
  const ready = await usableEntry(files, file, o, true);
  if (ready) return { patient: ready, built: false };
  return withEntryLock(file, lockOptions(o), async () => {
    // Another process may have built it while this one waited for the lock (or just before).
    const built = await usableEntry(files, file, o, false);
    return built ? { patient: built, built: false } : { patient: await buildEntry(files, o), built: true };
  });
}

/**
 * Rebuilds an entry found damaged after it was opened (a chunk failed its checksum), under the
 * entry's lock; when another process replaced the file meanwhile, its entry is used instead.
 */
export async function rebuildEntry(files: PatientFiles, o: CacheOptions): Promise<void> {
  const file = entryPath(o, files.id);
  const damaged = await stat(file).catch(() => null);
  await withEntryLock(file, lockOptions(o), async () => {
    const now = await stat(file).catch(() => null);
    const replaced = damaged && now && (now.ino !== damaged.ino || now.mtimeMs !== damaged.mtimeMs);
    if (!replaced || !(await usableEntry(files, file, o, false))) await buildEntry(files, o);
  });
}

/**
 * Every patient's entry (built where missing, stale or corrupt) and one ChunkStore over them
 * bounded by `memoryMiB`; a chunk found corrupt later is rebuilt from the patient's files.
 */
export async function openCohort(
  files: readonly PatientFiles[],
  o: CacheOptions & { memoryMiB: number },
  onPatient?: (done: number, total: number, id: string, built: boolean) => void,
): Promise<{ patients: CachedPatient[]; store: ChunkStore; built: number }> {
  const patients: CachedPatient[] = [];
  let built = 0;
  for (const f of files) {
    const r = await ensureEntry(f, o);
    patients.push(r.patient);
    if (r.built) built++;
    onPatient?.(patients.length, files.length, f.id, r.built);
  }
  const byFile = new Map(files.map((f) => [entryPath(o, f.id), f]));
  const store = new ChunkStore(o.memoryMiB, async (p, why) => {
    o.log?.(`warning: ${why.message}: rebuilding it`);
    const f = byFile.get(p.file);
    if (!f) throw why;
    await rebuildEntry(f, o);
  });
  return { patients, store, built };
}
