import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readNifti, NiftiError } from '../src/index.ts';
import { fixture } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'lesionseg-bad-'));
const good = readFileSync(fixture('dtype_int16.nii')); // 352-byte header + 7*6*5*2 bytes

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function failure(path: string): Promise<NiftiError> {
  const err = await readNifti(path).then(
    () => {
      throw new Error(`expected ${path} to fail`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NiftiError);
  expect((err as NiftiError).path).toBe(path);
  expect((err as NiftiError).message.startsWith(`${path}: `)).toBe(true);
  return err as NiftiError;
}

describe('readNifti on bad input names the file and the problem', () => {
  it('missing file', async () => {
    expect((await failure(join(dir, 'nope.nii.gz'))).message).toMatch(/cannot read file .*ENOENT/);
  });

  it('empty file', async () => {
    expect((await failure(file('empty.nii', ''))).message).toMatch(/file is empty/);
  });

  it('not a NIfTI file (text)', async () => {
    const text = 'patient,flair\n'.repeat(40);
    expect((await failure(file('notes.nii', text))).message).toMatch(/not a NIfTI file: header size field/);
  });

  it('too short to hold a header', async () => {
    expect((await failure(file('tiny.nii', good.subarray(0, 100)))).message).toMatch(/shorter than a NIfTI-1 header/);
  });

  it('truncated voxel data', async () => {
    const e = await failure(file('cut.nii', good.subarray(0, good.length - 10)));
    expect(e.message).toMatch(/truncated voxel data: expected 420 bytes of int16 after offset 352, found 410/);
  });

  it('truncated gzip stream', async () => {
    const gz = gzipSync(good);
    expect((await failure(file('cut.nii.gz', gz.subarray(0, gz.length - 20)))).message).toMatch(/corrupt or truncated gzip/);
  });

  it('corrupt gzip stream', async () => {
    const gz = Buffer.from(gzipSync(good));
    for (let i = 20; i < 60; i++) gz[i] ^= 0xa5;
    expect((await failure(file('bad.nii.gz', gz))).message).toMatch(/corrupt or truncated gzip/);
  });

  it('bad magic', async () => {
    const b = Buffer.from(good);
    b.write('xyz\0', 344, 'latin1');
    expect((await failure(file('magic.nii', b))).message).toMatch(/bad magic "xyz"/);
  });

  it('unsupported datatype', async () => {
    const b = Buffer.from(good);
    b.writeInt16LE(32, 70); // complex64
    expect((await failure(file('complex.nii', b))).message).toMatch(/unsupported datatype code 32/);
  });

  it('header/image pair', async () => {
    const b = Buffer.from(good);
    b.write('ni1\0', 344, 'latin1');
    expect((await failure(file('pair.hdr.nii', b))).message).toMatch(/\.hdr\/\.img pair/);
  });
});
