import { spawn } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, stat, truncate, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CachedPatient, PatchSpec, PatientFiles, PreprocessedPatient, Vec3 } from '../src/index.ts';
import {
  ChunkStore,
  createRng,
  ensureEntry,
  entryPath,
  extractBatch,
  listPatients,
  loadPatient,
  openCohort,
  patientVolumes,
  phantomOptions,
  precomputePositives,
  preprocessPatient,
  samplePatch,
  writeSyntheticDataset,
} from '../src/index.ts';
import { DATA_START } from '../src/cache/format.ts';

let data: string;
let files: PatientFiles[];
const SPACING = 1;
// The phantoms' head fills the field of view to within 1-2 voxels: a 1-voxel margin makes the crop visible.
const MARGIN = 1;

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'lesionseg-cache-'));
  // 40^3 at 1 mm inside a 48^3 field of view: air around the head, so the box is a real crop.
  await writeSyntheticDataset(data, { patients: 3, seed: 5, phantom: phantomOptions('quick', { shape: [48, 44, 40], noNewLesionProbability: 0 }) });
  files = await listPatients(data, { requireGroundTruth: true });
}, 60_000);

/** The full-grid preprocessed patient cropped to a box: what the cache must hold, computed without it. */
async function reference(f: PatientFiles, origin: Vec3, shape: Vec3): Promise<PreprocessedPatient> {
  const full = preprocessPatient(patientVolumes(await loadPatient(f)), { spacing: SPACING });
  const [X, Y] = full.shape;
  const n = shape[0] * shape[1] * shape[2];
  const image = new Float32Array(2 * n);
  const mask = new Uint8Array(n);
  for (let z = 0, j = 0; z < shape[2]; z++) {
    for (let y = 0; y < shape[1]; y++) {
      for (let x = 0; x < shape[0]; x++, j++) {
        const i = origin[0] + x + X * (origin[1] + y + Y * (origin[2] + z));
        image[2 * j] = full.image[2 * i];
        image[2 * j + 1] = full.image[2 * i + 1];
        mask[j] = full.mask[i];
      }
    }
  }
  const positives = precomputePositives(mask);
  return { ...full, shape, image, mask, positives };
}

function options(dir: string, log?: (t: string) => void) {
  return { dir, spacingMm: SPACING, margin: MARGIN, chunk: 16, log };
}

describe('preprocessed cache entries', () => {
  it('a miss builds the entry, a hit reads it back with the same voxels, cropped to the head plus the margin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const first = await ensureEntry(files[0], options(dir));
    expect(first.built).toBe(true);
    const again = await ensureEntry(files[0], options(dir));
    expect(again.built).toBe(false);
    const p = again.patient;
    // The head box plus the margin is smaller than the field of view.
    expect(p.shape[0] * p.shape[1] * p.shape[2]).toBeLessThan(48 * 44 * 40);
    expect(p.grid.targetShape).toEqual([48, 44, 40]);
    const ref = await reference(files[0], p.boxOrigin, p.shape);
    const store = new ChunkStore(64);
    const v = await store.volume(p);
    expect(v.image).toEqual(ref.image);
    expect(v.mask).toEqual(ref.mask);
    expect(Array.from(p.positives)).toEqual(Array.from(ref.positives));
    expect(p.positives.length).toBeGreaterThan(0);
    // The box keeps every lesion and every head voxel: nothing outside it is above the threshold.
    const full = preprocessPatient(patientVolumes(await loadPatient(files[0])), { spacing: SPACING });
    expect(ref.positives.length).toBe(full.positives.length);
    // Its affine places box voxel 0 at full-grid voxel boxOrigin.
    const o = p.boxOrigin;
    for (let r = 0; r < 3; r++)
      expect(v.affine[r][3]).toBeCloseTo(
        full.affine[r].slice(0, 3).reduce((s, a, k) => s + a * o[k], full.affine[r][3]),
        9,
      );
    store.close();
  }, 60_000);

  it('an input file changed since (mtime) makes the entry stale: rebuilt with a warning naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    await ensureEntry(files[1], options(dir));
    const later = new Date(Date.now() + 5000);
    await utimes(files[1].followup, later, later);
    const log: string[] = [];
    const r = await ensureEntry(
      files[1],
      options(dir, (t) => log.push(t)),
    );
    expect(r.built).toBe(true);
    expect(log.join('\n')).toMatch(/stale cache entry/);
    expect(log.join('\n')).toContain(files[1].followup);
    expect((await ensureEntry(files[1], options(dir))).built).toBe(false);
  }, 60_000);

  it('a corrupt header or a truncated file is rebuilt with a warning naming the file, never read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const { patient } = await ensureEntry(files[2], options(dir));
    const h = await open(patient.file, 'r+');
    await h.write(Buffer.from('X'), 0, 1, 40); // inside the header JSON
    await h.close();
    const log: string[] = [];
    expect(
      (
        await ensureEntry(
          files[2],
          options(dir, (t) => log.push(t)),
        )
      ).built,
    ).toBe(true);
    expect(log[0]).toContain(`${patient.file}: corrupt cache entry (header checksum mismatch)`);
    await truncate(patient.file, (await stat(patient.file)).size - 1);
    log.length = 0;
    expect(
      (
        await ensureEntry(
          files[2],
          options(dir, (t) => log.push(t)),
        )
      ).built,
    ).toBe(true);
    expect(log[0]).toMatch(/corrupt cache entry \(\d+ bytes, the header says \d+\)/);
  }, 60_000);

  it('a chunk damaged after opening fails its checksum: the entry is rebuilt with a warning and the batch has the true voxels', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const log: string[] = [];
    const { patients, store } = await openCohort([files[0]], { ...options(dir, (t) => log.push(t)), memoryMiB: 64 });
    const p = patients[0];
    const ref = await reference(files[0], p.boxOrigin, p.shape);
    const h = await open(p.file, 'r+');
    await h.write(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, DATA_START + 8); // chunk 0
    await h.close();
    const spec: PatchSpec<CachedPatient> = { patient: p, origin: [0, 0, 0], size: 8, kind: 'uniform' };
    const got = await store.extract([spec]);
    expect(log.join('\n')).toContain(`${p.file}: corrupt cache entry (chunk 0 checksum mismatch): rebuilding it`);
    const want = extractBatch([{ ...spec, patient: ref }]);
    expect(got.images).toEqual(want.images);
    store.close();
  }, 60_000);

  it('two processes filling the same entry at once both succeed and leave one complete entry, no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const script = fileURLToPath(new URL('./cache-writer.ts', import.meta.url));
    const child = () =>
      new Promise<string>((resolve, reject) => {
        const c = spawn(process.execPath, ['--import', 'tsx', script, data, dir, files[0].id], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`writer exited ${code}: ${err}`))));
      });
    const [a, b] = await Promise.all([child(), child()]);
    expect(a).toBe(b);
    const entryDir = join(dir, files[0].id);
    expect(await readdir(entryDir)).toEqual(['s1-m8.lsc']);
    const r = await ensureEntry(files[0], { dir, spacingMm: 1, margin: 8 });
    expect(r.built).toBe(false);
    expect(r.patient.file).toBe(entryPath({ dir, spacingMm: 1, margin: 8 }, files[0].id));
    // Readable end to end (every chunk checks out).
    const store = new ChunkStore(16);
    const v = await store.volume(r.patient);
    expect(v.image.length).toBe(2 * r.patient.shape[0] * r.patient.shape[1] * r.patient.shape[2]);
    store.close();
    expect((await readFile(r.patient.file)).subarray(0, 8).toString()).toBe('LSCACHE1');
  }, 120_000);
});

describe('patches read through the chunk store', () => {
  it('are the in-memory patches bit for bit, with any memory cap (evicting or resident)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const { patients } = await openCohort(files, { ...options(dir), memoryMiB: 1 });
    const refs = await Promise.all(patients.map((p, k) => reference(files[k], p.boxOrigin, p.shape)));
    for (const memoryMiB of [1, 512]) {
      const store = new ChunkStore(memoryMiB);
      const rng = createRng(11);
      for (let step = 0; step < 4; step++) {
        // Patch 20 > chunk 16: patches cross up to 8 chunks and run past the box (padding).
        const specs = Array.from({ length: 6 }, (_, k) => samplePatch(rng, patients, k % 2 ? 'positive' : 'uniform', 20));
        const got = await store.extract(specs);
        const want = extractBatch(specs.map((s) => ({ ...s, patient: refs[patients.indexOf(s.patient)] })));
        expect(got.images).toEqual(want.images);
        expect(got.masks).toEqual(want.masks);
        expect(got.containsLesion).toEqual(want.containsLesion);
      }
      // 1 MiB holds 28 chunks of 16^3 (36 KiB each), fewer than the cohort's: chunks were evicted, the cap held.
      expect(store.residentBytes).toBeLessThanOrEqual(memoryMiB * 2 ** 20);
      store.close();
    }
  }, 60_000);
});
