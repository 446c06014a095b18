import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { NiftiError } from './errors.ts';
import { HEADER_PROBE_BYTES, imageLayout } from './layout.ts';
import type { ImageLayout } from './layout.ts';

/**
 * deflate cannot expand data more than 1032:1 (zlib's limit: a 258-byte match in ~2 bits), so a
 * header announcing more bytes than `1032 * compressed size` describes a truncated file: it is
 * refused before anything that size is allocated.
 */
export const MAX_INFLATE_RATIO = 1032;

/**
 * Decompressed bytes per chunk. zlib's default 16 KiB made streaming ~1.5x slower than inflating
 * the whole file at once; with 256 KiB it is on par or faster (tools/bench/data-read.ts).
 */
const INFLATE_CHUNK_BYTES = 1 << 18;

/** A file's header layout and exactly its voxel bytes (a private buffer: callers may swap it in place). */
export interface ImageBytes {
  layout: ImageLayout;
  voxels: Uint8Array;
}

/**
 * Read a `.nii` or `.nii.gz` file's header and exactly the voxel bytes it announces, never more:
 * a gzip stream is inflated chunk by chunk, the header parsed from its first bytes, and inflation
 * stops at the first byte past the image. Policy on data after the image (uncompressed or in the
 * stream): an error, because it means the header does not describe the file (edited dimensions or
 * datatype, or something appended); nibabel would read a prefix of it silently.
 */
export async function readImageBytes(path: string, options: { chunkBytes?: number } = {}): Promise<ImageBytes> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new NiftiError(path, `cannot read file (${(e as Error).message})`, { cause: e });
  }
  let size: number;
  let magic: Buffer;
  try {
    size = (await handle.stat()).size;
    if (size === 0) throw new NiftiError(path, 'file is empty');
    magic = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
    await handle.read(magic, 0, magic.length, 0);
    if (!(magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b)) {
      const layout = imageLayout(path, magic);
      checkLength(path, layout, size);
      const voxels = new Uint8Array(Buffer.allocUnsafeSlow(layout.nbytes).buffer, 0, layout.nbytes);
      await handle.read(voxels, 0, layout.nbytes, layout.offset);
      return { layout, voxels };
    }
  } catch (e) {
    if (e instanceof NiftiError) throw e;
    throw new NiftiError(path, `cannot read file (${(e as Error).message})`, { cause: e });
  } finally {
    await handle.close();
  }
  return inflateImage(path, size, options.chunkBytes ?? INFLATE_CHUNK_BYTES);
}

/** Throws unless an uncompressed file of `size` bytes holds exactly the header's image. */
export function checkLength(path: string, layout: ImageLayout, size: number): void {
  const end = layout.offset + layout.nbytes;
  if (size < end) throw truncated(path, layout, size);
  if (size > end) throw trailingData(path, layout, `${size - end} bytes`);
}

function truncated(path: string, layout: ImageLayout, length: number): NiftiError {
  return new NiftiError(
    path,
    `truncated voxel data: expected ${layout.nbytes} bytes of ${layout.datatype} after offset ${layout.offset}, found ${Math.max(0, length - layout.offset)}`,
  );
}

function trailingData(path: string, layout: ImageLayout, amount: string): NiftiError {
  return new NiftiError(
    path,
    `${amount} of data after the image (${layout.shape.join('x')} ${layout.datatype} = ${layout.nbytes} bytes from offset ${layout.offset}): ` +
      'the header does not describe the whole file (edited dimensions or datatype, or data appended); refusing to guess',
  );
}

/** The streaming half of {@link readImageBytes}: `compressedSize` bounds what the header may announce. */
async function inflateImage(path: string, compressedSize: number, chunkBytes: number): Promise<ImageBytes> {
  const head = Buffer.alloc(HEADER_PROBE_BYTES);
  let headFill = 0;
  let layout: ImageLayout | null = null;
  let voxels: Uint8Array | null = null;
  let position = 0; // decompressed bytes seen so far
  let trailing = false;
  let refused: NiftiError | null = null; // a header problem found mid-stream
  // Copy the part of `buf` (starting at decompressed position `bufStart`) that falls inside the
  // image's bytes [offset, offset + nbytes).
  const keep = (l: ImageLayout, into: Uint8Array, buf: Uint8Array, bufStart: number): void => {
    const from = Math.max(l.offset, bufStart);
    const to = Math.min(l.offset + l.nbytes, bufStart + buf.length);
    if (to > from) into.set(buf.subarray(from - bufStart, to - bufStart), from - l.offset);
  };
  const take = (chunk: Buffer): void => {
    let rest: Uint8Array = chunk;
    let restStart = position;
    position += chunk.length;
    if (!layout) {
      const n = Math.min(chunk.length, HEADER_PROBE_BYTES - headFill);
      chunk.copy(head, headFill, 0, n);
      headFill += n;
      if (headFill < HEADER_PROBE_BYTES) return;
      layout = planned(path, head, compressedSize);
      voxels = new Uint8Array(Buffer.allocUnsafeSlow(layout.nbytes).buffer, 0, layout.nbytes);
      keep(layout, voxels, head, 0); // voxels already inside the probe (vox_offset < 544)
      rest = chunk.subarray(n);
      restStart += n;
    }
    keep(layout, voxels as unknown as Uint8Array, rest, restStart);
    if (position > layout.offset + layout.nbytes) trailing = true;
  };
  try {
    await pipeline(createReadStream(path), createGunzip({ chunkSize: chunkBytes }), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        try {
          take(chunk);
        } catch (e) {
          if (!(e instanceof NiftiError)) throw e;
          refused = e;
        }
        if (trailing || refused) return; // stop inflating: the rest is not read at all
      }
    });
  } catch (e) {
    // Returning early from the consumer aborts the pipeline: expected when we stopped on purpose.
    if (refused) throw refused;
    if (!trailing) throw new NiftiError(path, `corrupt or truncated gzip data (${(e as Error).message})`, { cause: e });
  }
  if (refused) throw refused;
  if (!layout) {
    // A stream shorter than the probe: the whole decompressed file is in `head`.
    const small = planned(path, head.subarray(0, headFill), compressedSize);
    checkLength(path, small, headFill);
    return { layout: small, voxels: Uint8Array.from(head.subarray(small.offset, small.offset + small.nbytes)) };
  }
  const found: ImageLayout = layout;
  if (trailing) throw trailingData(path, found, `at least ${position - found.offset - found.nbytes} bytes`);
  if (position < found.offset + found.nbytes) throw truncated(path, found, position);
  return { layout: found, voxels: voxels as unknown as Uint8Array };
}

/** The header's layout, refused when no gzip stream of this size could inflate to it. */
function planned(path: string, head: Uint8Array, compressedSize: number): ImageLayout {
  const layout = imageLayout(path, head);
  const most = MAX_INFLATE_RATIO * compressedSize;
  if (layout.offset + layout.nbytes > most) {
    throw new NiftiError(
      path,
      `truncated voxel data: expected ${layout.nbytes} bytes of ${layout.datatype} after offset ${layout.offset}, ` +
        `but a ${compressedSize}-byte gzip file inflates to at most ${most} bytes`,
    );
  }
  return layout;
}
