import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CacheEntryError, checksum, DATA_START, decodeHeader, PRELUDE_BYTES, type EntryHeader } from './format.ts';

/**
 * An open cache entry: header, positives and checksum table checked at open; each chunk read
 * with one positioned `fs` read and checked against its CRC-32 before it is used. Reads are
 * synchronous on purpose: they run in the patch worker (or between steps) and a 288 KiB read
 * from the page cache costs less than a promise round trip.
 */
export class CacheEntry {
  private constructor(
    readonly file: string,
    private fd: number,
    readonly header: EntryHeader,
    private readonly crcs: Uint32Array,
    readonly positives: Uint32Array,
  ) {}

  /** Opens and checks `file`; throws CacheEntryError (corrupt) for anything that does not check out, or the fs error when it cannot be read. */
  static open(file: string): CacheEntry {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const prelude = read(fd, 0, PRELUDE_BYTES);
      const h = decodeHeader(file, prelude, (n) => read(fd, PRELUDE_BYTES, n));
      if (size !== h.totalBytes) throw new CacheEntryError(file, 'corrupt', `${size} bytes, the header says ${h.totalBytes}`);
      const nChunks = h.chunks[0] * h.chunks[1] * h.chunks[2];
      const crcBytes = read(fd, h.chunkCrcAt, 4 * nChunks);
      if (checksum(crcBytes) !== h.chunkCrcCrc) throw new CacheEntryError(file, 'corrupt', 'chunk checksum table mismatch');
      const posBytes = read(fd, h.positivesAt, 4 * h.nPositives);
      if (checksum(posBytes) !== h.positivesCrc) throw new CacheEntryError(file, 'corrupt', 'positive-voxel list checksum mismatch');
      return new CacheEntry(file, fd, h, new Uint32Array(crcBytes.buffer, 0, nChunks), new Uint32Array(posBytes.buffer, 0, h.nPositives));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  get chunkCount(): number {
    return this.crcs.length;
  }

  /** Chunk `ci` (chunk index, x fastest), checked; throws CacheEntryError when its bytes do not match their checksum. */
  readChunk(ci: number): Uint8Array {
    const h = this.header;
    const bytes = read(this.fd, DATA_START + ci * h.chunkBytes, h.chunkBytes);
    if (bytes.length !== h.chunkBytes) throw new CacheEntryError(this.file, 'corrupt', `chunk ${ci} is cut short`);
    if (checksum(bytes) !== this.crcs[ci]) throw new CacheEntryError(this.file, 'corrupt', `chunk ${ci} checksum mismatch`);
    return bytes;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

function read(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? out : out.subarray(0, done);
}
