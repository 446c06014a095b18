// Reading a .nii.gz: the streaming reader (readNifti: header first, then exactly the voxel bytes,
// 256 KiB inflate chunks) against inflating the whole file into one buffer first (the reader before
// issue 12, kept here as parseNifti over zlib.gunzip), alternating order, median of 7.
//   npx tsx tools/bench/data-read.ts
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { generatePhantom, parseNifti, phantomOptions, readNifti, writeNifti } from '@lesionseg/data';

const gunzipAsync = promisify(gunzip);
const p = generatePhantom(1, phantomOptions('realistic'));
const path = join(mkdtempSync(join(tmpdir(), 'bench-read-')), 'flair.nii.gz');
await writeNifti(path, p.baseline, { datatype: 'int16' });
const times: Record<'stream' | 'whole', number[]> = { stream: [], whole: [] };
for (let k = 0; k < 7; k++) {
  for (const mode of k % 2 ? (['stream', 'whole'] as const) : (['whole', 'stream'] as const)) {
    const t = performance.now();
    if (mode === 'stream') await readNifti(path);
    else parseNifti(path, await gunzipAsync(await readFile(path)));
    times[mode].push(performance.now() - t);
  }
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
const [s, w] = [median(times.stream), median(times.whole)];
console.log(`${p.baseline.shape.join('x')} int16: stream ${s.toFixed(1)} ms, whole-buffer ${w.toFixed(1)} ms (median of 7), ratio ${(s / w).toFixed(2)}`);
