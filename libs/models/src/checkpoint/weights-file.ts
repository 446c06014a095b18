/**
 * Weight sets in the standard tfjs format: `<stem>.json` holding a `weightsManifest`
 * (`[{ paths: ['<stem>.weights.bin'], weights: [{ name, shape, dtype: 'float32' }] }]`) and the
 * binary with the float32 values back to back in manifest order (what `tf.io.encodeWeights`
 * produces and `tf.io.decodeWeights` / `tf.loadGraphModel`-style loaders read).
 * Written and read on the host: no tensors, no tfjs needed.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface WeightEntry {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Write bytes and fsync, so that a rename after it never exposes a half-written file. */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeWeightSet(dir: string, stem: string, entries: readonly WeightEntry[], extra: Record<string, unknown> = {}): Promise<void> {
  const total = entries.reduce((n, e) => n + e.values.length, 0);
  const bin = new Float32Array(total);
  let offset = 0;
  const weights = entries.map((e) => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (size !== e.values.length) throw new Error(`weight "${e.name}": shape ${e.shape.join('x')} does not hold ${e.values.length} values`);
    bin.set(e.values, offset);
    offset += size;
    return { name: e.name, shape: e.shape, dtype: 'float32' };
  });
  const binName = `${stem}.weights.bin`;
  await writeFileSynced(join(dir, binName), new Uint8Array(bin.buffer));
  const manifest = { ...extra, weightsManifest: [{ paths: [binName], weights }] };
  await writeFileSynced(join(dir, `${stem}.json`), JSON.stringify(manifest, null, 1) + '\n');
}

export interface WeightSet {
  json: Record<string, unknown>;
  weights: Map<string, WeightEntry>;
}

export async function readWeightSet(dir: string, stem: string): Promise<WeightSet> {
  const jsonPath = join(dir, `${stem}.json`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${jsonPath}: cannot read weights manifest (${(error as Error).message})`);
  }
  const groups = json.weightsManifest as { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] | undefined;
  if (!Array.isArray(groups)) throw new Error(`${jsonPath}: no "weightsManifest"`);
  const weights = new Map<string, WeightEntry>();
  for (const g of groups) {
    const chunks = await Promise.all(g.paths.map((p) => readFile(join(dir, p))));
    const buf = Buffer.concat(chunks);
    const expected = g.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    if (buf.byteLength !== expected) {
      throw new Error(`${join(dir, g.paths.join(','))}: ${buf.byteLength} bytes, the manifest in ${jsonPath} needs ${expected}`);
    }
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    let offset = 0;
    for (const w of g.weights) {
      if (w.dtype !== 'float32') throw new Error(`${jsonPath}: weight "${w.name}" has dtype ${w.dtype}; only float32 is supported`);
      const size = w.shape.reduce((a, b) => a * b, 1);
      weights.set(w.name, { name: w.name, shape: w.shape, values: all.slice(offset, offset + size) });
      offset += size;
    }
  }
  return { json, weights };
}
