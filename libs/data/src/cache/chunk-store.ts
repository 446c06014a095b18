import type { ExtractedBatch } from '../sampling/batch.ts';
import { fillPad } from '../sampling/batch.ts';
import type { PatchSpec } from '../sampling/patches.ts';
import type { PreprocessedPatient } from '../sampling/patient.ts';
import { voxelCount } from '../volume.ts';
import type { CachedPatient } from './cached-patient.ts';
import { CacheEntry } from './entry.ts';
import { CacheEntryError } from './format.ts';
import { ByteLru } from './lru.ts';

interface Chunk {
  img: Float32Array;
  msk: Uint8Array;
  byteLength: number;
}

/**
 * Reads cached patients chunk by chunk into one LRU bounded by `memoryMiB` (whatever the number
 * of patients; a cap above the cohort keeps every chunk resident once read). Batches come out
 * in extractBatch's layout with the same values: a patch copies x-runs of its rows from the
 * chunks they cross (at most 8 for a patch no larger than a chunk).
 *
 * A chunk whose checksum fails (the file was damaged after it was opened) is never used:
 * `rebuild` (the cache's) rewrites the entry, with a warning, and the read is retried once.
 */
export class ChunkStore {
  private readonly lru: ByteLru<Chunk>;
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    memoryMiB: number,
    private readonly rebuild: (p: CachedPatient, why: CacheEntryError) => Promise<void> = (_p, why) => Promise.reject(why),
  ) {
    this.lru = new ByteLru(memoryMiB * 2 ** 20);
  }

  /** Bytes of chunks held now (what memoryMiB caps). */
  get residentBytes(): number {
    return this.lru.bytes;
  }

  private entry(p: CachedPatient): CacheEntry {
    let e = this.entries.get(p.file);
    if (!e) {
      e = CacheEntry.open(p.file);
      this.entries.set(p.file, e);
    }
    return e;
  }

  private chunk(p: CachedPatient, ci: number): Chunk {
    const key = `${p.file}\0${ci}`;
    let c = this.lru.get(key);
    if (!c) {
      const e = this.entry(p);
      const bytes = e.readChunk(ci);
      const n = e.header.chunk ** 3;
      c = { img: new Float32Array(bytes.buffer, 0, 2 * n), msk: bytes.subarray(8 * n), byteLength: bytes.byteLength };
      this.lru.set(key, c);
    }
    return c;
  }

  /** Runs `read`; on a corrupt chunk, rebuilds that patient's entry once and runs it again. */
  private async checked<T>(p: CachedPatient, read: () => T): Promise<T> {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof CacheEntryError)) throw e;
      this.forget(p);
      await this.rebuild(p, e);
      return read();
    }
  }

  private forget(p: CachedPatient): void {
    this.entries.get(p.file)?.close();
    this.entries.delete(p.file);
    this.lru.deletePrefix(`${p.file}\0`);
  }

  /** The patches of `specs` (drawn on cached patients' boxes) as one batch; `out` reuses buffers as in extractBatch. */
  async extract(specs: readonly PatchSpec<CachedPatient>[], out?: ExtractedBatch): Promise<ExtractedBatch> {
    if (specs.length === 0) throw new Error('extract: no patches');
    const size = specs[0].size;
    if (specs.some((s) => s.size !== size)) throw new Error('extract: all patches must have the same size');
    const per = size ** 3;
    const count = specs.length;
    const batch: ExtractedBatch =
      out && out.count === count && out.size === size
        ? out
        : { images: new Float32Array(count * per * 2), masks: new Float32Array(count * per), count, size, channels: 2, containsLesion: new Uint8Array(count) };
    for (let b = 0; b < count; b++) {
      const s = specs[b];
      batch.containsLesion[b] = await this.checked(s.patient, () => this.copyPatch(s, batch, b * per));
    }
    return batch;
  }

  private copyPatch(spec: PatchSpec<CachedPatient>, batch: ExtractedBatch, base: number): number {
    const { patient, origin, size } = spec;
    const [X, Y, Z] = patient.shape;
    const [x0, y0, z0] = origin;
    const { padValue } = patient;
    const e = this.entry(patient);
    const C = e.header.chunk;
    const [NX, NY] = e.header.chunks;
    const img = batch.images;
    const msk = batch.masks;
    // Patch-local ranges inside the box, per axis.
    const xs = Math.max(0, -x0);
    const xe = Math.min(size, X - x0);
    const ys = Math.max(0, -y0);
    const ye = Math.min(size, Y - y0);
    const zs = Math.max(0, -z0);
    const ze = Math.min(size, Z - z0);
    const inside = xe > xs && ye > ys && ze > zs;
    // The chunks the patch touches (at most 8 when size <= C), fetched once per patch.
    const ca = inside ? [Math.floor((x0 + xs) / C), Math.floor((y0 + ys) / C), Math.floor((z0 + zs) / C)] : [0, 0, 0];
    const cb = inside ? [Math.floor((x0 + xe - 1) / C), Math.floor((y0 + ye - 1) / C), Math.floor((z0 + ze - 1) / C)] : [-1, -1, -1];
    const nx = cb[0] - ca[0] + 1;
    const ny = cb[1] - ca[1] + 1;
    const local: Chunk[] = [];
    for (let cz = ca[2]; cz <= cb[2]; cz++)
      for (let cy = ca[1]; cy <= cb[1]; cy++) for (let cx = ca[0]; cx <= cb[0]; cx++) local.push(this.chunk(patient, cx + NX * (cy + NY * cz)));
    let lesion = 0;
    for (let pz = 0; pz < size; pz++) {
      const z = z0 + pz;
      for (let py = 0; py < size; py++) {
        const y = y0 + py;
        const row = base + size * (py + size * pz);
        if (!(inside && pz >= zs && pz < ze && py >= ys && py < ye)) {
          fillPad(img, msk, row, 0, size, padValue);
          continue;
        }
        if (xs > 0) fillPad(img, msk, row, 0, xs, padValue);
        if (xe < size) fillPad(img, msk, row, xe, size, padValue);
        const cy = Math.floor(y / C);
        const cz = Math.floor(z / C);
        const inRow = C * (y - cy * C + C * (z - cz * C)); // chunk voxel index of local (0, y, z)
        const slab = nx * (cy - ca[1] + ny * (cz - ca[2]));
        // One run per chunk the row crosses.
        for (let px = xs; px < xe;) {
          const x = x0 + px;
          const cx = Math.floor(x / C);
          const len = Math.min(xe - px, (cx + 1) * C - x);
          const c = local[slab + cx - ca[0]];
          const src = inRow + (x - cx * C);
          const d = row + px;
          img.set(c.img.subarray(2 * src, 2 * (src + len)), 2 * d);
          for (let i = 0; i < len; i++) {
            const m = c.msk[src + i];
            msk[d + i] = m;
            lesion |= m;
          }
          px += len;
        }
      }
    }
    return lesion ? 1 : 0;
  }

  /**
   * The patient's whole box as a PreprocessedPatient (validation and prediction: one patient at a
   * time). Read straight from the file, past the LRU, so it does not evict training chunks.
   */
  async volume(p: CachedPatient): Promise<PreprocessedPatient> {
    return this.checked(p, () => {
      const e = this.entry(p);
      const h = e.header;
      const [X, Y, Z] = p.shape;
      const C = h.chunk;
      const n = voxelCount(p.shape);
      const image = new Float32Array(2 * n);
      const mask = new Uint8Array(n);
      for (let cz = 0, ci = 0; cz < h.chunks[2]; cz++) {
        for (let cy = 0; cy < h.chunks[1]; cy++) {
          for (let cx = 0; cx < h.chunks[0]; cx++, ci++) {
            const bytes = e.readChunk(ci);
            const cimg = new Float32Array(bytes.buffer, 0, 2 * C ** 3);
            const cmsk = bytes.subarray(8 * C ** 3);
            const xl = Math.min(C, X - cx * C);
            for (let z = 0; z < Math.min(C, Z - cz * C); z++) {
              for (let y = 0; y < Math.min(C, Y - cy * C); y++) {
                const src = C * (y + C * z);
                const dst = cx * C + X * (cy * C + y + Y * (cz * C + z));
                image.set(cimg.subarray(2 * src, 2 * (src + xl)), 2 * dst);
                mask.set(cmsk.subarray(src, src + xl), dst);
              }
            }
          }
        }
      }
      const affine = p.grid.targetAffine.map((r) => r.slice());
      // The box's voxel 0 is the full grid's voxel boxOrigin.
      for (let r = 0; r < 3; r++) affine[r][3] += p.boxOrigin.reduce((s, o, a) => s + affine[r][a] * o, 0);
      return {
        id: p.id,
        shape: [...p.shape],
        spacing: [...p.grid.targetSpacing],
        affine,
        channels: 2,
        image,
        mask,
        positives: p.positives,
        padValue: p.padValue,
        grid: p.grid,
      };
    });
  }

  close(): void {
    for (const e of this.entries.values()) e.close();
    this.entries.clear();
  }
}
