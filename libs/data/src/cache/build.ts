import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Vec3 } from '../volume.ts';
import type { PreprocessedPatient } from '../sampling/patient.ts';
import { headBox } from './box.ts';
import { checksum, chunkBytesFor, DATA_START, encodeHeader, PREPROCESS_VERSION, type EntryHeader, type SourceStamp } from './format.ts';

export interface BuildOptions {
  spacingMm: number | null;
  /** Voxels kept around the head box (one patch). */
  margin: number;
  /** Chunk edge in voxels (default 32: a 32^3 patch reads at most 8 chunks). */
  chunk?: number;
}

/**
 * Writes a preprocessed patient (full working grid, as preprocessPatient returns it) as a cache
 * entry at `file`: cropped to the head box, chunked, every chunk checksummed. The bytes go to a
 * temporary file in the same folder that is renamed over `file` once complete and flushed, so a
 * reader sees the old entry or the new one, never half of one; two processes building the same
 * entry each rename a complete file of the same content (preprocessing is deterministic).
 */
export async function writeEntry(file: string, p: PreprocessedPatient, sources: SourceStamp[], o: BuildOptions): Promise<EntryHeader> {
  const chunk = o.chunk ?? 32;
  const box = headBox(p.image, p.shape, o.margin);
  const chunks = box.shape.map((n) => Math.ceil(n / chunk)) as Vec3;
  const nChunks = chunks[0] * chunks[1] * chunks[2];
  const chunkBytes = chunkBytesFor(chunk);
  const positives = boxPositives(p, box.origin, box.shape);
  const positivesAt = DATA_START + nChunks * chunkBytes;
  const chunkCrcAt = positivesAt + positives.byteLength;
  const crcs = new Uint32Array(nChunks);
  await mkdir(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    const buf = new Uint8Array(chunkBytes);
    for (let cz = 0, ci = 0; cz < chunks[2]; cz++) {
      for (let cy = 0; cy < chunks[1]; cy++) {
        for (let cx = 0; cx < chunks[0]; cx++, ci++) {
          fillChunk(buf, p, box.origin, box.shape, [cx * chunk, cy * chunk, cz * chunk], chunk);
          crcs[ci] = checksum(buf);
          await fh.write(buf, 0, chunkBytes, DATA_START + ci * chunkBytes);
        }
      }
    }
    const posBytes = new Uint8Array(positives.buffer, positives.byteOffset, positives.byteLength);
    await fh.write(posBytes, 0, posBytes.length, positivesAt);
    const crcBytes = new Uint8Array(crcs.buffer);
    await fh.write(crcBytes, 0, crcBytes.length, chunkCrcAt);
    const header: EntryHeader = {
      version: PREPROCESS_VERSION,
      id: p.id,
      spacingMm: o.spacingMm,
      margin: o.margin,
      sources,
      grid: p.grid,
      boxOrigin: box.origin,
      boxShape: box.shape,
      padValue: p.padValue,
      chunk,
      chunks,
      chunkBytes,
      nPositives: positives.length,
      positivesAt,
      positivesCrc: checksum(posBytes),
      chunkCrcAt,
      chunkCrcCrc: checksum(crcBytes),
      totalBytes: chunkCrcAt + crcBytes.length,
    };
    const head = encodeHeader(header);
    await fh.write(head, 0, head.length, 0);
    await fh.sync();
    await fh.close();
    await rename(tmp, file);
    return header;
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw new Error(`${file}: cannot write the cache entry (${(e as Error).message})`, { cause: e });
  }
}

/** Positive voxels of the full grid as linear indices on the box (ascending, as the full list is). */
function boxPositives(p: PreprocessedPatient, origin: Vec3, shape: Vec3): Uint32Array {
  const [X, Y] = p.shape;
  const out = new Uint32Array(p.positives.length);
  let k = 0;
  for (const i of p.positives) {
    const x = (i % X) - origin[0];
    const y = (Math.floor(i / X) % Y) - origin[1];
    const z = Math.floor(i / (X * Y)) - origin[2];
    // A lesion outside the box would be in the air: kept out, as its voxels are not stored.
    if (x < 0 || y < 0 || z < 0 || x >= shape[0] || y >= shape[1] || z >= shape[2]) continue;
    out[k++] = x + shape[0] * (y + shape[1] * z);
  }
  return out.subarray(0, k);
}

/** One chunk (box voxels from `at`, edge `c`): 2-channel float32 then uint8 mask; padding past the box. */
function fillChunk(buf: Uint8Array, p: PreprocessedPatient, origin: Vec3, box: Vec3, at: Vec3, c: number): void {
  const img = new Float32Array(buf.buffer, 0, 2 * c ** 3);
  const msk = buf.subarray(8 * c ** 3);
  const [X, Y] = p.shape;
  const [pad0, pad1] = p.padValue;
  for (let z = 0, j = 0; z < c; z++) {
    for (let y = 0; y < c; y++) {
      for (let x = 0; x < c; x++, j++) {
        const bx = at[0] + x;
        const by = at[1] + y;
        const bz = at[2] + z;
        if (bx >= box[0] || by >= box[1] || bz >= box[2]) {
          img[2 * j] = pad0;
          img[2 * j + 1] = pad1;
          msk[j] = 0;
          continue;
        }
        const i = origin[0] + bx + X * (origin[1] + by + Y * (origin[2] + bz));
        img[2 * j] = p.image[2 * i];
        img[2 * j + 1] = p.image[2 * i + 1];
        msk[j] = p.mask[i];
      }
    }
  }
}
