// Crafted files of issue 12 (faults 6, 8, 13, 14): headers patched byte by byte from a file our
// writer made, so each case changes exactly one field. Offsets are nifti1.h's.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encodeNifti, NiftiError, readNifti } from '../src/index.ts';
import { readImageBytes } from '../src/nifti/source.ts';
import type { Volume } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'lesionseg-crafted-'));
const root = fileURLToPath(new URL('../../../', import.meta.url));

const volume: Volume = {
  shape: [6, 5, 4],
  spacing: [1, 1, 2],
  affine: [
    [-1, 0, 0, 10],
    [0, 1, 0, -20],
    [0, 0, 2, 5],
    [0, 0, 0, 1],
  ],
  data: Float32Array.from({ length: 120 }, (_, i) => i % 11),
};
/** 352-byte header + 120 int16 voxels, sform and qform both set by our writer. */
const good = (): Buffer => Buffer.from(encodeNifti('good.nii', volume, { datatype: 'int16' }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function refusal(path: string): Promise<string> {
  const err = await readNifti(path).then(
    () => new Error(`expected ${path} to be refused`),
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(NiftiError);
  expect(err.message.startsWith(`${path}: `)).toBe(true);
  return err.message;
}

describe('crafted headers are refused with the file named (issue 12)', () => {
  it('fault 14: vox_offset 348 in a single-file .nii (the standard and nibabel need >= 352)', async () => {
    const b = good();
    b.writeFloatLE(348, 108);
    expect(await refusal(file('offset348.nii', b))).toMatch(/invalid vox_offset 348: a single-file NIfTI-1 image needs an integer >= 352/);
    expect(await refusal(file('offset348.nii.gz', gzipSync(b)))).toMatch(/invalid vox_offset 348/);
  });

  it('fault 13: a NaN in the sform in use', async () => {
    const b = good();
    expect(b.readInt16LE(254)).not.toBe(0); // sform_code set: the sform is the affine in use
    b.writeFloatLE(Number.NaN, 280 + 4); // srow_x[1]
    expect(await refusal(file('nan-sform.nii.gz', gzipSync(b)))).toMatch(/the sform \(sform_code \d\) has non-finite entries \[\[-1, NaN, 0, 10\]/);
  });

  it('fault 13: a NaN pixdim, even with a valid sform', async () => {
    const b = good();
    b.writeFloatLE(Number.NaN, 76 + 4 * 2); // pixdim[2]
    expect(await refusal(file('nan-pixdim.nii', b))).toMatch(/non-finite voxel size in pixdim \[1, NaN, 2\]/);
  });

  it('fault 13: a NaN quaternion in the qform in use', async () => {
    const b = good();
    b.writeInt16LE(0, 254); // sform_code 0: the qform is used
    b.writeFloatLE(Number.NaN, 256); // quatern_b
    expect(await refusal(file('nan-quatern.nii', b))).toMatch(/the qform \(qform_code \d\) has non-finite entries/);
  });

  it('fault 6: pixdim 0 with the qform or the pixdim affine in use', async () => {
    const q = good();
    q.writeInt16LE(0, 254);
    q.writeFloatLE(0, 76 + 4 * 1); // pixdim[1] = 0
    expect(await refusal(file('zero-qform.nii', q))).toMatch(/the qform \(qform_code \d\) gives voxel size \[0, 1, 2\] mm: each must be finite and > 0/);
    q.writeInt16LE(0, 252); // no qform either
    expect(await refusal(file('zero-base.nii', q))).toMatch(/the pixdim affine \(no sform or qform\) gives voxel size \[0, 1, 2\] mm/);
  });

  it('fault 6: a degenerate sform (a zero column) is refused', async () => {
    const b = good();
    for (const r of [0, 1, 2]) b.writeFloatLE(0, 280 + 16 * r + 4 * 2); // third column of the sform
    expect(await refusal(file('zero-sform.nii', b))).toMatch(/the sform \(sform_code \d\) gives voxel size \[1, 1, 0\] mm/);
  });

  it('fault 6: the voxel size is the affine in use, not a zero pixdim beside a valid sform', async () => {
    const b = good();
    b.writeFloatLE(0, 76 + 4 * 3); // pixdim[3] = 0, the sform still says 2 mm
    const img = await readNifti(file('zero-pixdim-sform.nii', b));
    expect(img.spacing).toEqual([1, 1, 2]);
    expect(img.header.pixdim[3]).toBe(0);
  });
});

describe('fault 8: only the announced voxel bytes are read; data after the image is an error', () => {
  it('bytes after the image of a .nii', async () => {
    const b = Buffer.concat([good(), Buffer.alloc(10)]);
    expect(await refusal(file('trailing.nii', b))).toMatch(
      /10 bytes of data after the image \(6x5x4 int16 = 240 bytes from offset 352\): the header does not describe the whole file/,
    );
  });

  it('a .nii.gz whose stream goes on after the image is stopped within one chunk', async () => {
    // 64 MiB of zeros after the image, as concatenated gzip members (one valid gzip file, read as
    // one stream by zlib, gzip(1) and Python's gzip module) so the test builds it in microseconds.
    const zeros = gzipSync(Buffer.alloc(1 << 20));
    const gz = Buffer.concat([gzipSync(good()), ...Array.from({ length: 64 }, () => zeros)]);
    const m = /at least (\d+) bytes of data after the image/.exec(await refusal(file('trailing.nii.gz', gz)));
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(0);
    expect(Number(m?.[1])).toBeLessThan(1 << 20); // stopped at the first chunk past the image
  });

  it('a 7 KB .nii.gz hiding 512 MiB of zeros is refused without inflating them (peak RSS of a fresh process)', () => {
    const zeros = gzipSync(Buffer.alloc(1 << 20));
    const gz = Buffer.concat([gzipSync(good()), ...Array.from({ length: 512 }, () => zeros)]);
    const path = file('bomb.nii.gz', gz);
    const r = spawnSync(`${root}node_modules/.bin/tsx`, [fileURLToPath(new URL('./read-peak-rss.ts', import.meta.url)), path], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { growthMiB: number; error: string | null };
    expect(out.error).toMatch(/of data after the image/);
    expect(out.growthMiB).toBeLessThan(64); // inflating it all would take >= 512 MiB
  });

  it('a file shorter than the 544-byte header probe still reads, plain and gzipped', async () => {
    const tiny: Volume = { shape: [2, 2, 2], spacing: [1, 1, 1], affine: volume.affine, data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
    const bytes = encodeNifti('tiny.nii', tiny, { datatype: 'uint8' }); // 352 + 8 bytes
    expect(bytes.length).toBe(360);
    for (const path of [file('tiny.nii', bytes), file('tiny.nii.gz', gzipSync(bytes))]) {
      expect(Array.from((await readNifti(path)).data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
    expect(await refusal(file('tiny-cut.nii.gz', gzipSync(bytes.subarray(0, 358))))).toMatch(
      /truncated voxel data: expected 8 bytes of uint8 after offset 352, found 6/,
    );
  });

  it('the same voxel bytes whatever the inflate chunk size (a header split across chunks, voxels inside the probe)', async () => {
    const bytes = good();
    const path = file('chunks.nii.gz', gzipSync(bytes));
    for (const chunkBytes of [64, 100, 352, 543, 544, 545, 1 << 16]) {
      const r = await readImageBytes(path, { chunkBytes });
      expect(Buffer.from(r.voxels).equals(bytes.subarray(352))).toBe(true);
    }
    const trailing = file('chunks-trailing.nii.gz', gzipSync(Buffer.concat([bytes, Buffer.alloc(1000)])));
    await expect(readImageBytes(trailing, { chunkBytes: 64 })).rejects.toThrow(/at least \d+ bytes of data after the image/);
  });

  it('a header announcing more than its gzip file can inflate to is refused before allocating', async () => {
    const b = good();
    for (const [k, n] of [
      [1, 2000],
      [2, 2000],
      [3, 2000],
    ])
      b.writeInt16LE(n, 40 + 2 * k);
    expect(await refusal(file('absurd.nii.gz', gzipSync(b)))).toMatch(
      /expected 16000000000 bytes of int16 after offset 352, but a \d+-byte gzip file inflates to at most \d+ bytes/,
    );
  });
});
