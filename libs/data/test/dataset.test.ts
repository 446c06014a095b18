import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DatasetError,
  listPatients,
  loadPatient,
  lesionVoxelCount,
  phantomOptions,
  readManifest,
  splitPatients,
  syntheticPatient,
  writeNifti,
  writeSyntheticDataset,
  MSSEG2_FILES,
  patientVolumes,
  preprocessPatient,
  readNifti,
  predictionToOriginalMask,
} from '../src/index.ts';
import type { GridMapping, NiftiImage } from '../src/index.ts';

/** A working-grid prediction written as a uint8 mask on the original grid with the FLAIR's header (what the evaluator does). */
async function writePrediction(path: string, prob: Float32Array, g: GridMapping, originalFlair: NiftiImage): Promise<void> {
  await writeNifti(path, predictionToOriginalMask(prob, g), { datatype: 'uint8', template: originalFlair, description: 'lesionseg new-lesion mask' });
}

const phantom = phantomOptions('quick', { shape: [32, 32, 28], newLesions: [1, 2], noNewLesionProbability: 0 });

describe('synthetic dataset on disk, read back by the MSSEG-2 loader', () => {
  const root = mkdtempSync(join(tmpdir(), 'lesionseg-ds-'));
  const out = join(root, 'synth');

  it('writes the MSSEG-2 layout that listPatients/loadPatient read back unchanged', async () => {
    const seen: string[] = [];
    const { ids } = await writeSyntheticDataset(out, { patients: 2, seed: 3, phantom, onProgress: (d, n, id) => seen.push(`${d}/${n} ${id}`) });
    expect(seen).toEqual(['1/2 synth-001', '2/2 synth-002']);
    const files = await listPatients(out);
    expect(files.map((f) => f.id)).toEqual(ids);
    const p = await loadPatient(files[1]);
    const mem = syntheticPatient(3, 1, phantom);
    expect(p.baseline.datatype).toBe('int16');
    expect(p.groundTruth?.datatype).toBe('uint8');
    expect(Buffer.compare(Buffer.from(p.followup.data.buffer), Buffer.from(mem.followup.data.buffer))).toBe(0);
    expect(lesionVoxelCount(p)).toBe(mem.info.newLesionVoxels);
    expect(p.baseline.affine).toEqual(mem.baseline.affine);
    const manifest = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as { seed: number; patients: { id: string }[] };
    expect(manifest.seed).toBe(3);
    expect(manifest.patients.map((x) => x.id)).toEqual(ids);
  });

  it('writes a prediction back on the original grid with the FLAIR header (uint8, same affine and codes)', async () => {
    const files = await listPatients(out);
    const p = await loadPatient(files[0]);
    const pre = preprocessPatient(patientVolumes(p));
    const path = join(root, 'pred', 'synth-001.nii.gz');
    await writePrediction(path, Float32Array.from(pre.mask), pre.grid, p.baseline);
    const back = await readNifti(path);
    expect(back.datatype).toBe('uint8');
    expect(back.affine).toEqual(p.baseline.affine);
    expect(back.header.qformCode).toBe(p.baseline.header.qformCode);
    expect(back.header.srow).toEqual(p.baseline.header.srow);
    expect(Array.from(back.data)).toEqual(Array.from(p.groundTruth?.data ?? []));
  });

  it('accepts an all-zero ground truth, and rejects a mask on another grid naming the patient', async () => {
    const files = await listPatients(out);
    const p = await loadPatient(files[0]);
    const bad = join(root, 'bad');
    mkdirSync(join(bad, 'p9'), { recursive: true });
    copyFileSync(files[0].baseline, join(bad, 'p9', MSSEG2_FILES.baseline));
    copyFileSync(files[0].followup, join(bad, 'p9', MSSEG2_FILES.followup));
    await writeNifti(join(bad, 'p9', MSSEG2_FILES.groundTruth), { ...p.baseline, data: new Float32Array(p.baseline.data.length) }, { datatype: 'uint8' });
    const [ok] = await listPatients(bad);
    expect(lesionVoxelCount(await loadPatient(ok))).toBe(0);
    const shifted = p.baseline.affine.map((r) => r.slice());
    shifted[0][3] += 0.5;
    await writeNifti(join(bad, 'p9', MSSEG2_FILES.groundTruth), { ...p.baseline, affine: shifted }, { datatype: 'int16' });
    await expect(loadPatient(ok)).rejects.toThrow(/patient p9: .*ground_truth\.nii\.gz affine differs .* by up to 0\.500 mm/);
    const small = { ...p.baseline, shape: [32, 32, 27] as [number, number, number], data: p.baseline.data.subarray(0, 32 * 32 * 27) };
    await writeNifti(join(bad, 'p9', MSSEG2_FILES.groundTruth), small, { datatype: 'int16' });
    await expect(loadPatient(ok)).rejects.toThrow(/patient p9: .* has shape \[32, 32, 27\] but .* has \[32, 32, 28\]/);
  });

  it('reports missing files and empty folders by name', async () => {
    const bad = join(root, 'missing');
    mkdirSync(join(bad, 'p1'), { recursive: true });
    writeFileSync(join(bad, 'p1', MSSEG2_FILES.baseline), '');
    await expect(listPatients(bad)).rejects.toThrow(/patient p1 .*missing flair_time02_on_middle_space\.nii\.gz/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(listPatients(empty)).rejects.toThrow(DatasetError);
    await expect(listPatients(join(root, 'nowhere'))).rejects.toThrow(/no such dataset folder or manifest/);
  });

  it('reads JSON and CSV manifests with paths relative to the manifest', async () => {
    const files = await listPatients(out);
    const rel = (p: string): string => p.slice(root.length + 1);
    writeFileSync(
      join(root, 'm.json'),
      JSON.stringify({
        patients: files.map((f) => ({ id: `j${f.id}`, baseline: rel(f.baseline), followup: rel(f.followup), ground_truth: rel(f.groundTruth ?? '') })),
      }),
    );
    const j = await readManifest(join(root, 'm.json'));
    expect(j.map((f) => f.baseline)).toEqual(files.map((f) => f.baseline));
    expect(j[0].id).toBe('jsynth-001');
    const csv = [
      '# two patients',
      'id,flair_time01,flair_time02,ground_truth',
      ...files.map((f) => `${f.id},${rel(f.baseline)},${f.followup},${rel(f.groundTruth ?? '')}`),
    ].join('\n');
    writeFileSync(join(root, 'm.csv'), csv);
    const c = await listPatients(join(root, 'm.csv'));
    expect(c.map((f) => f.groundTruth)).toEqual(files.map((f) => f.groundTruth));
    writeFileSync(join(root, 'dup.csv'), 'id,baseline,followup,ground_truth\na,x,y,z\na,x,y,z\n');
    await expect(readManifest(join(root, 'dup.csv'))).rejects.toThrow(/dup\.csv: patient entry 2: duplicate id a/);
    writeFileSync(join(root, 'nogt.csv'), 'id,baseline,followup\na,x,y\n');
    await expect(readManifest(join(root, 'nogt.csv'))).rejects.toThrow(/entry 1 \(a\): missing groundTruth/);
    expect((await readManifest(join(root, 'nogt.csv'), { requireGroundTruth: false }))[0].groundTruth).toBeUndefined();
  });
});

describe('splitPatients', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `p${String(i).padStart(2, '0')}`);

  it('is seeded, independent of listing order, disjoint and complete', () => {
    const a = splitPatients(ids, { seed: 1 });
    expect(splitPatients([...ids].reverse(), { seed: 1 })).toEqual(a);
    expect(a.validation.length).toBe(4);
    expect(new Set([...a.train, ...a.validation]).size).toBe(20);
    expect(splitPatients(ids, { seed: 2 }).validation).not.toEqual(a.validation);
  });

  it('stratifies so that both sets get patients with and without lesions', () => {
    const strata = Object.fromEntries(ids.map((id, i) => [id, i < 5 ? 'none' : 'lesions']));
    for (let seed = 0; seed < 10; seed++) {
      const s = splitPatients(ids, { seed, validationFraction: 0.2, strata });
      expect(s.validation.filter((id) => strata[id] === 'none').length).toBe(1);
      expect(s.validation.filter((id) => strata[id] === 'lesions').length).toBe(3);
    }
  });
});
