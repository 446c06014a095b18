import { join } from 'node:path';
import { writeNifti } from '../nifti/write.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { createRng } from '../random.ts';
import { MSSEG2_FILES } from '../dataset/layout.ts';
import { generatePhantom } from './phantom.ts';
import type { Phantom, PhantomInfo } from './phantom.ts';
import type { PhantomOptions } from './options.ts';
import type { PatientVolumes } from '../preprocess/preprocess.ts';

/** Options of {@link writeSyntheticDataset}. */
export interface SyntheticDatasetOptions {
  patients: number;
  seed: number;
  phantom: PhantomOptions;
  /** Patient folder names are `${prefix}${index, 3 digits}` (default "synth-"). */
  prefix?: string;
  /** Called after each patient is written. */
  onProgress?: (done: number, total: number, id: string) => void;
}

/**
 * The seed of patient `index` of a dataset: the index-th draw of a generator seeded with the
 * dataset seed, so patient k is the same whether 5 or 50 patients are generated.
 */
export function patientSeed(datasetSeed: number, index: number): number {
  const rng = createRng(datasetSeed);
  let s = 0;
  for (let i = 0; i <= index; i++) s = rng.nextUint32();
  return s;
}

/** Generate patient `index` of a synthetic dataset in memory (what the trainer can use without touching disk). */
export function syntheticPatient(datasetSeed: number, index: number, phantom: PhantomOptions): Phantom {
  return generatePhantom(patientSeed(datasetSeed, index), phantom);
}

/**
 * Patients `0..count-1` of a synthetic dataset, in memory, as `preprocessPatient` inputs (ids
 * `synth-001`...; the same patients `writeSyntheticDataset` writes for this seed). For the
 * trainer's embedded default data: no files needed.
 */
export function syntheticPatients(datasetSeed: number, count: number, phantom: PhantomOptions, prefix = 'synth-'): PatientVolumes[] {
  return Array.from({ length: count }, (_, k) => {
    const p = syntheticPatient(datasetSeed, k, phantom);
    return { id: `${prefix}${String(k + 1).padStart(3, '0')}`, baseline: p.baseline, followup: p.followup, mask: p.groundTruth };
  });
}

/**
 * Write a synthetic dataset in the exact MSSEG-2 layout: `<out>/<id>/flair_time01_on_middle_space.nii.gz`,
 * `flair_time02_on_middle_space.nii.gz` (int16) and `ground_truth.nii.gz` (uint8), plus
 * `<out>/dataset.json` recording the seed, the options and each patient's lesions.
 * Every file is written atomically; dataset.json last, so its presence means "complete".
 */
export async function writeSyntheticDataset(out: string, o: SyntheticDatasetOptions): Promise<{ ids: string[]; info: PhantomInfo[] }> {
  if (!(Number.isInteger(o.patients) && o.patients >= 1)) throw new Error(`patients must be an integer >= 1, got ${o.patients}`);
  const prefix = o.prefix ?? 'synth-';
  const ids: string[] = [];
  const info: PhantomInfo[] = [];
  for (let k = 0; k < o.patients; k++) {
    const id = `${prefix}${String(k + 1).padStart(3, '0')}`;
    const p = syntheticPatient(o.seed, k, o.phantom);
    const dir = join(out, id);
    const description = `lesionseg synthetic phantom seed ${p.info.seed}`;
    await writeNifti(join(dir, MSSEG2_FILES.baseline), p.baseline, { datatype: 'int16', description: `${description} time01` });
    await writeNifti(join(dir, MSSEG2_FILES.followup), p.followup, { datatype: 'int16', description: `${description} time02` });
    await writeNifti(join(dir, MSSEG2_FILES.groundTruth), p.groundTruth, { datatype: 'uint8', description: `${description} new lesions` });
    ids.push(id);
    info.push(p.info);
    o.onProgress?.(k + 1, o.patients, id);
  }
  const manifest = {
    generator: '@lesionseg/data synthetic phantoms',
    seed: o.seed,
    patients: ids.map((id, k) => ({ id, ...info[k] })),
    options: o.phantom,
  };
  await writeFileAtomic(join(out, 'dataset.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { ids, info };
}
