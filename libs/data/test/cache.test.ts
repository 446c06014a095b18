import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CachedPatient, PatchSpec, PatientFiles, PreprocessedPatient, Vec3 } from '../src/index.ts';
import {
  buildEntry,
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

  it('two processes needing the same missing entry: one builds it, the other waits and reads it; same voxels, no temporary or lock file left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const go = join(dir, 'go');
    const script = fileURLToPath(new URL('./cache-writer.ts', import.meta.url));
    let ready = 0;
    let started: () => void = () => {};
    const bothReady = new Promise<void>((r) => (started = r));
    // 0.5 mm: 8x the voxels, so a build lasts long enough for the two to overlap.
    const child = () =>
      new Promise<{ out: { built: boolean; voxels: string; shape: number[] }; err: string }>((resolve, reject) => {
        const c = spawn(process.execPath, ['--import', 'tsx', script, data, dir, files[0].id, '0.5', go], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        c.stdout.on('data', (d) => {
          out += d;
          if (String(d).includes('ready') && ++ready === 2) started();
        });
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (code) =>
          code === 0 ? resolve({ out: JSON.parse(out.trim().split('\n').pop() ?? '') as never, err }) : reject(new Error(`writer exited ${code}: ${err}`)),
        );
      });
    const runs = Promise.all([child(), child()]);
    await bothReady;
    await writeFile(go, '');
    const [a, b] = await runs;
    // Exactly one build; the other waited on the lock (it says so) and read the same voxels.
    expect([a.out.built, b.out.built].sort()).toEqual([false, true]);
    const waiter = a.out.built ? b : a;
    expect(waiter.err).toMatch(/being built by pid \d+ on .+: waiting for it/);
    expect(a.out.voxels).toBe(b.out.voxels);
    expect(a.out.shape).toEqual(b.out.shape);
    expect(await readdir(join(dir, files[0].id))).toEqual(['s0.5-m8.lsc']);
    const r = await ensureEntry(files[0], { dir, spacingMm: 0.5, margin: 8 });
    expect(r.built).toBe(false);
    expect((await readFile(r.patient.file)).subarray(0, 8).toString()).toBe('LSCACHE1');
  }, 120_000);
});

describe("an entry's build lock", () => {
  const lockOf = (dir: string, f: PatientFiles) => `${entryPath(options(dir), f.id)}.lock`;
  const writeLock = async (dir: string, f: PatientFiles, holder: { pid: number; host: string }, mtime?: Date) => {
    const lock = lockOf(dir, f);
    await mkdir(dirname(lock), { recursive: true });
    await writeFile(lock, JSON.stringify({ ...holder, startedAt: new Date().toISOString(), token: 'x' }));
    if (mtime) await utimes(lock, mtime, mtime);
    return lock;
  };

  it('a lock whose builder died on this host is broken with a warning, and the entry built', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const lock = await writeLock(dir, files[0], { pid: dead, host: hostname() });
    const log: string[] = [];
    const r = await ensureEntry(
      files[0],
      options(dir, (t) => log.push(t)),
    );
    expect(r.built).toBe(true);
    expect(log.join('\n')).toContain(`warning: ${lock}: breaking a stale lock (its builder, pid ${dead} on ${hostname()}, is gone)`);
    expect(await readdir(dirname(lock))).toEqual([basename(r.patient.file)]);
  }, 60_000);

  it("another host's lock untouched past the timeout is broken; a live holder that never finishes is waited for, then broken", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const hourAgo = new Date(Date.now() - 3600_000);
    const lock = await writeLock(dir, files[1], { pid: 1, host: 'elsewhere.invalid' }, hourAgo);
    const log: string[] = [];
    expect(
      (
        await ensureEntry(
          files[1],
          options(dir, (t) => log.push(t)),
        )
      ).built,
    ).toBe(true);
    expect(log.join('\n')).toMatch(/breaking a stale lock \(pid 1 on elsewhere\.invalid has not touched it for 36\d\d s\)/);
    // This very process holds it (alive, on this host) and never lets go: waited on, then broken after lockStaleMs.
    await writeLock(dir, files[2], { pid: process.pid, host: hostname() });
    log.length = 0;
    const t0 = Date.now();
    expect((await ensureEntry(files[2], { ...options(dir, (t) => log.push(t)), lockStaleMs: 1500 })).built).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(log.find((l) => l.includes('waiting for it'))).toContain(`being built by pid ${process.pid}`);
    expect(log.find((l) => l.includes('breaking a stale lock'))).toMatch(/has not touched it for \d+ s/);
    expect(await readdir(dirname(lock))).toEqual(['s1-m1.lsc']);
  }, 60_000);

  it('a damaged chunk found while another process rebuilds the entry: its entry is read, not built a second time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const log: string[] = [];
    const { patients, store } = await openCohort([files[1]], { ...options(dir, (t) => log.push(t)), memoryMiB: 64 });
    const p = patients[0];
    const h = await open(p.file, 'r+');
    await h.write(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, DATA_START + 8); // chunk 0
    await h.close();
    // "Another process" (this test) holds the lock and is rebuilding: the read waits on it.
    const lock = await writeLock(dir, files[1], { pid: process.pid, host: hostname() });
    const spec: PatchSpec<CachedPatient> = { patient: p, origin: [0, 0, 0], size: 8, kind: 'uniform' };
    const got = store.extract([spec]);
    while (!log.some((l) => l.includes('waiting for it'))) await new Promise((r) => setTimeout(r, 20));
    await buildEntry(files[1], options(dir));
    const rebuilt = (await stat(p.file)).ino;
    await rm(lock);
    const batch = await got;
    expect(log.join('\n')).toContain(`${p.file}: corrupt cache entry (chunk 0 checksum mismatch): rebuilding it`);
    expect((await stat(p.file)).ino).toBe(rebuilt);
    const ref = await reference(files[1], p.boxOrigin, p.shape);
    expect(batch.images).toEqual(extractBatch([{ ...spec, patient: ref }]).images);
    store.close();
  }, 60_000);

  it('a build that fails leaves no lock behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lesionseg-cache-dir-'));
    const bad = join(dir, 'not-a-nifti.nii.gz');
    await writeFile(bad, 'not a NIfTI file');
    const broken: PatientFiles = { ...files[0], baseline: bad };
    await expect(ensureEntry(broken, options(dir))).rejects.toThrow(/not-a-nifti/);
    await expect(stat(lockOf(dir, broken))).rejects.toMatchObject({ code: 'ENOENT' });
    // And the next try is not blocked: it builds from the real files.
    expect((await ensureEntry(files[0], options(dir))).built).toBe(true);
  }, 60_000);
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
