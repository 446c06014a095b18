import { crc32 } from 'node:zlib';
import type { Vec3 } from '../volume.ts';
import type { GridMapping } from '../preprocess/grid.ts';

/**
 * On-disk layout of one cache entry (one patient at one working spacing), little-endian:
 *
 *   [0, 8)         magic "LSCACHE1"
 *   [8, 12)        u32 byte length H of the header JSON
 *   [12, 16)       u32 CRC-32 of the header JSON
 *   [16, 16 + H)   header JSON ({@link EntryHeader}), H < DATA_START - 16
 *   DATA_START     chunk 0, chunk 1, ... each `chunkBytes`
 *   positivesAt    u32 x nPositives: the positive voxels, linear indices on the box
 *   chunkCrcAt     u32 x nChunks: CRC-32 of every chunk
 *
 * A chunk is an edge-C cube of the cropped box (x fastest, chunk index x fastest too): the two
 * z-scored channels interleaved as float32 (8 C^3 bytes), then the mask as uint8 (C^3 bytes).
 * Chunks on the far edges are padded to full size (padValue / 0) so every chunk sits at a fixed
 * offset: a patch of edge <= C reads at most 8 chunks, each with one positioned read.
 */
export const CACHE_MAGIC = 'LSCACHE1';

/**
 * Bumped whenever preprocessing or the layout changes what an entry holds: an entry of another
 * version is stale and rebuilt. 1: trilinear + z-score (preprocessPatient), head box, 32^3 chunks.
 */
export const PREPROCESS_VERSION = 1;

export const PRELUDE_BYTES = 16;
/** Where the chunks start: room for the header, which is written last (it holds offsets known only then). */
export const DATA_START = 65536;

/** Size and modification time of one input file when the entry was built: what makes it stale. */
export interface SourceStamp {
  role: 'baseline' | 'followup' | 'groundTruth';
  path: string;
  size: number;
  mtimeMs: number;
}

export interface EntryHeader {
  version: number;
  id: string;
  /** The working spacing asked for (mm; null: the input's native grid). */
  spacingMm: number | null;
  margin: number;
  sources: SourceStamp[];
  /** The full working grid and its map to the original grid (what predict's inverse needs). */
  grid: GridMapping;
  /** The cropped head box on the full working grid: first voxel and size. */
  boxOrigin: Vec3;
  boxShape: Vec3;
  padValue: [number, number];
  chunk: number;
  /** Chunks per axis of the box. */
  chunks: Vec3;
  chunkBytes: number;
  /** Table of the chunks' CRC-32, in chunk order, and the CRC-32 of that table. */
  chunkCrcAt: number;
  chunkCrcCrc: number;
  nPositives: number;
  positivesAt: number;
  positivesCrc: number;
  /** Whole file length: a truncated or extended file is refused before any read. */
  totalBytes: number;
}

export function checksum(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

export function chunkBytesFor(chunk: number): number {
  return chunk ** 3 * 9;
}

/** Prelude + header JSON (at most DATA_START bytes). */
export function encodeHeader(h: EntryHeader): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(h));
  if (PRELUDE_BYTES + json.length > DATA_START) throw new Error(`cache header of ${json.length} bytes does not fit in ${DATA_START}`);
  const out = new Uint8Array(PRELUDE_BYTES + json.length);
  out.set(new TextEncoder().encode(CACHE_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, json.length, true);
  view.setUint32(12, checksum(json), true);
  out.set(json, PRELUDE_BYTES);
  return out;
}

/** Why an entry cannot be used: the cache rebuilds it (the message names the file). */
export class CacheEntryError extends Error {
  constructor(
    readonly file: string,
    readonly reason: 'corrupt' | 'stale',
    detail: string,
  ) {
    super(`${file}: ${reason} cache entry (${detail})`);
    this.name = 'CacheEntryError';
  }
}

/** Parse the prelude + header bytes read from the start of `file`; throws CacheEntryError when they do not check out. */
export function decodeHeader(file: string, prelude: Uint8Array, readJson: (length: number) => Uint8Array): EntryHeader {
  if (prelude.length < PRELUDE_BYTES || new TextDecoder().decode(prelude.subarray(0, 8)) !== CACHE_MAGIC) {
    throw new CacheEntryError(file, 'corrupt', 'not a lesionseg cache file: bad magic');
  }
  const view = new DataView(prelude.buffer, prelude.byteOffset, prelude.byteLength);
  const length = view.getUint32(8, true);
  if (length > 64 * 2 ** 20) throw new CacheEntryError(file, 'corrupt', `header length ${length} is absurd`);
  const json = readJson(length);
  if (json.length !== length || checksum(json) !== view.getUint32(12, true)) throw new CacheEntryError(file, 'corrupt', 'header checksum mismatch');
  let h: EntryHeader;
  try {
    h = JSON.parse(new TextDecoder().decode(json)) as EntryHeader;
  } catch (e) {
    throw new CacheEntryError(file, 'corrupt', `header is not JSON: ${(e as Error).message}`);
  }
  if (h.version !== PREPROCESS_VERSION)
    throw new CacheEntryError(file, 'stale', `preprocessing version ${h.version}, this lesionseg writes ${PREPROCESS_VERSION}`);
  return h;
}
