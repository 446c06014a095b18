import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { runPath, type PatientFiles } from '@lesionseg/data';
import { InputError } from '../score/inputs.ts';

async function readJsonList(file: string, key: string | null): Promise<string[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file}: cannot read the patient list (${(e as Error).message})`);
  }
  const list = key === null ? doc : (doc as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new InputError(`${file}: ${key === null ? 'the file' : `"${key}"`} is not a list of patient ids`);
  }
  return list as string[];
}

/** The --patients grammar that selectPatients reads, as predict, evaluate and score describe it in --help. */
export const PATIENTS_SPEC =
  'all (default), validation or train (the split.json of the run: held-out patients are "validation"), FILE.json:KEY (a list in a JSON file), FILE.json (a JSON list of ids), or id1,id2,...';

/**
 * Which patients of a dataset to run. `spec`:
 *   all                  every patient
 *   validation | train   that list of the run's split.json (RUN_DIR/split.json, written by the trainer)
 *   FILE.json:KEY        the list under KEY in a JSON file (e.g. another run's split.json:validation)
 *   FILE.json            a JSON list of ids
 *   id1,id2,...          these ids
 * Every id must exist in the dataset: the missing ones are listed in one error. Used by predict,
 * evaluate (patients of a dataset) and score (patients of a ground-truth folder).
 */
export async function selectPatients<P extends Pick<PatientFiles, 'id'>>(
  all: readonly P[],
  spec: string,
  context: { runDir: string | null; baseDir: string; noRunDir?: string },
): Promise<{ patients: P[]; description: string }> {
  if (spec === 'all') return { patients: [...all], description: 'all patients' };
  let ids: string[];
  let description: string;
  if (spec === 'validation' || spec === 'train') {
    if (!context.runDir) {
      const why = context.noRunDir ?? 'the checkpoint is not inside a run folder (RUN_DIR/checkpoints/<name>)';
      throw new InputError(`--patients ${spec}: ${why}, so there is no split.json; give FILE.json:${spec}`);
    }
    const file = runPath(context.runDir, 'split');
    ids = await readJsonList(file, spec);
    description = `the run's ${spec} patients (${file})`;
  } else {
    const m = /^(.*\.json)(?::([^:]+))?$/.exec(spec);
    if (m) {
      const file = isAbsolute(m[1]) ? m[1] : resolve(context.baseDir, m[1]);
      ids = await readJsonList(file, m[2] ?? null);
      description = `${m[2] ? `"${m[2]}" of ` : ''}${file}`;
    } else {
      ids = spec
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      description = 'the patients given';
    }
  }
  const byId = new Map(all.map((p) => [p.id, p]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new InputError(`--patients ${spec}: not in the dataset: ${missing.join(', ')}`);
  if (ids.length === 0) throw new InputError(`--patients ${spec}: the list is empty`);
  return { patients: ids.map((id) => byId.get(id) as P), description };
}
