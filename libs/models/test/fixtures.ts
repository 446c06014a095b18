/** Loads the PyTorch reference fixtures written by tools/reference/torch_unet_parity.py. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../tools/reference/fixtures/models');

export interface Fixture {
  meta: Record<string, unknown> & { arrays: Record<string, { offset: number; shape: number[] }> };
  get(name: string): { data: Float32Array; shape: number[] };
}

export function loadFixture(stem: string): Fixture {
  const meta = JSON.parse(readFileSync(join(FIXTURE_DIR, `${stem}.json`), 'utf8')) as Fixture['meta'];
  const buf = readFileSync(join(FIXTURE_DIR, `${stem}.bin`));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return {
    meta,
    get(name) {
      const a = meta.arrays[name];
      if (!a) throw new Error(`fixture ${stem} has no array "${name}"`);
      const size = a.shape.reduce((x, y) => x * y, 1);
      return { data: all.subarray(a.offset, a.offset + size), shape: a.shape };
    },
  };
}

/** max |a - b| / max(max |b|, floor): an error relative to the reference's scale. */
export function relMaxError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 0): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}
