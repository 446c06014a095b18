import { checkBinaryMask, listPatients, readNifti, phantomOptions, splitPatients, writeSyntheticDataset, type PatientFiles } from '@lesionseg/data';
import { UserError } from '@lesionseg/events';

/** What the trainer keeps of a dataset: its patients' files and which have new lesions. */
export interface DatasetIndex {
  files: Map<string, PatientFiles>;
  ids: string[];
}

export async function indexDataset(source: string): Promise<DatasetIndex> {
  const files = await listPatients(source, { requireGroundTruth: true });
  return { files: new Map(files.map((f) => [f.id, f])), ids: files.map((f) => f.id).sort() };
}

/**
 * A seeded split by patient (the data library's), stratified by "has new lesions" so that both
 * sets get patients with and without new lesions. Reading the masks costs one pass over the
 * ground truths (only them: the FLAIRs are read and checked when the cache entry is built).
 */
export async function splitDataset(
  index: DatasetIndex,
  validationFraction: number,
  seed: number,
): Promise<{ train: string[]; validation: string[]; seed: number }> {
  const strata: Record<string, string> = {};
  for (const id of index.ids) {
    const file = required(index, id).groundTruth as string;
    const gt = await readNifti(file);
    checkBinaryMask(gt, `patient ${id}: ground-truth mask`);
    let n = 0;
    for (const v of gt.data) if (v > 0.5) n++;
    strata[id] = n > 0 ? 'lesions' : 'none';
  }
  const s = splitPatients(index.ids, { seed, validationFraction, strata });
  return { train: s.train, validation: s.validation, seed: s.seed };
}

function required(index: DatasetIndex, id: string): PatientFiles {
  const f = index.files.get(id);
  if (!f) throw new UserError(`patient ${id} (from split.json) is not in the dataset any more`);
  return f;
}

/** The seed of the embedded default dataset: fixed, so every fresh clone trains on the same phantoms. */
export const DEFAULT_DATASET_SEED = 2021;

/** Writes the synthetic phantoms (the data library's `quick` preset) in the MSSEG-2 layout. */
export async function generatePhantoms(dir: string, patients: number, size: number, log: (t: string) => void): Promise<void> {
  await writeSyntheticDataset(dir, {
    patients,
    seed: DEFAULT_DATASET_SEED,
    phantom: phantomOptions('quick', { shape: [size, size, size] }),
    onProgress: (done, total, id) => log(`phantom ${id} (${done}/${total})`),
  });
}
