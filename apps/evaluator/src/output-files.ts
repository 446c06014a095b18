/**
 * Output files of a command, checked before any work and written all or none (issue 12, faults
 * 9 and 15): no output may be an input or another output of the same command (compared by real
 * path, so links and `./x` spellings count), each one's folder must be writable, and all are
 * written to temporary names first and renamed into place only when every one is written.
 */
import { constants, existsSync, realpathSync, statSync } from 'node:fs';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './score/inputs.ts';

export interface NamedPath {
  /** How the user gave it: `--out`, `--flair1`, `p01 ground truth`... */
  what: string;
  path: string;
}

/** The real path of a file that may not exist yet: its folder's real path plus its name. */
export function realTarget(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const dir = dirname(abs);
  return dir === abs ? abs : join(realTarget(dir), basename(abs));
}

/** Refuses an output that is an input or another output (same real path). */
export function checkDistinct(inputs: readonly NamedPath[], outputs: readonly NamedPath[]): void {
  const seen = new Map<string, NamedPath>();
  for (const i of inputs) seen.set(realTarget(i.path), i);
  for (const o of outputs) {
    const key = realTarget(o.path);
    const other = seen.get(key);
    if (other)
      throw new InputError(
        `${o.what} ${o.path} is the same file as ${other.what}${other.path === o.path ? '' : ` (${other.path})`}: refusing to overwrite it; choose another ${o.what}`,
      );
    seen.set(key, o);
  }
}

/** `--out` of a NIfTI output must say which format: .nii or .nii.gz. */
export function checkNiftiName(o: NamedPath): void {
  if (!/\.nii(\.gz)?$/.test(o.path)) throw new InputError(`${o.what} ${o.path}: the file name must end in .nii.gz or .nii`);
}

/** The file must be creatable: not a folder, and its folder (created if missing) writable. */
export async function checkWritable(o: NamedPath): Promise<void> {
  if (existsSync(o.path) && statSync(o.path).isDirectory()) throw new InputError(`${o.what} ${o.path} is a folder; give a file name`);
  const dir = dirname(resolve(o.path));
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new InputError(`${o.what} ${o.path}: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Writes every file to `<name>.<pid>.tmp` first, then renames them all. A failure while
 * writing (disk full, permissions) removes the temporaries and leaves every target as it was.
 */
export async function writeAllOrNone(files: readonly (NamedPath & { data: string | Uint8Array })[]): Promise<void> {
  const written: string[] = [];
  try {
    for (const f of files) {
      const tmp = `${f.path}.${process.pid}.tmp`;
      written.push(tmp);
      try {
        await writeFile(tmp, f.data);
      } catch (e) {
        throw new InputError(`${f.what} ${f.path}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); no output was written`);
      }
    }
    for (const [i, f] of files.entries()) await rename(written[i], f.path);
  } catch (e) {
    await Promise.all(written.map((t) => rm(t, { force: true })));
    throw e;
  }
}
