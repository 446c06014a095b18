/**
 * Paths stored in run files (config.json, events.jsonl, results.json, evaluation.json, a
 * checkpoint's metadata.json) are relative to the folder of the file that holds them, so a run
 * folder moved or copied together with its data still reads. Old files with absolute paths
 * still read: an absolute path resolves to itself.
 */
import { isAbsolute, relative, resolve } from 'node:path';

/** `file` as written into a run file of `folder`: relative to it ("." for the folder itself); a relative path is kept. */
export function relativeToFolder(folder: string, file: string): string {
  return isAbsolute(file) ? relative(folder, file) || '.' : file;
}

/** A path read from a run file of `folder`, made absolute (an absolute path stays as it is). */
export function resolveInFolder(folder: string, file: string): string {
  return isAbsolute(file) ? file : resolve(folder, file);
}

// An absolute POSIX path inside a sentence ("checkpoint /runs/a/checkpoints/best (best Dice)"):
// a slash that does not follow a word character, up to a space, quote, bracket or separator.
const EMBEDDED_PATH = /(?<![\w.~-])\/[^\s/()'"`,;]+(?:\/[^\s()'"`,;]*)*/g;

/**
 * A JSON-like value as written into a run file of `folder`: every absolute path in it, whole
 * strings and paths inside sentences (notes, descriptions), made relative to `folder`.
 * Arrays and plain objects are copied; other values are kept.
 */
export function relativePathsIn<T>(folder: string, value: T): T {
  if (typeof value === 'string') {
    return (isAbsolute(value) ? relativeToFolder(folder, value) : value.replace(EMBEDDED_PATH, (p) => relativeToFolder(folder, p))) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => relativePathsIn(folder, v)) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relativePathsIn(folder, v)])) as T;
  }
  return value;
}

/** The folders of a config's data section (path, cacheDir), relative to `folder`, as run files store them. */
export function relativeDataPaths(data: Record<string, unknown>, folder: string): Record<string, unknown> {
  const out = { ...data };
  for (const key of ['path', 'cacheDir']) {
    const value = out[key];
    if (typeof value === 'string') out[key] = relativeToFolder(folder, value);
  }
  return out;
}
