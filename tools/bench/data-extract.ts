// Time to cut an OHEM candidate batch (128 patches of 32^3 x 2 channels, 30 % positive) from a
// 0.5 mm working-grid patient, against a plain memcpy of the same number of bytes (the floor).
//   npx tsx tools/bench/data-extract.ts [--batches 60]
import { parseArgs } from 'node:util';
import { createRng, extractBatch, positivePatch, precomputePositives, uniformPatch, workingGrid } from '@lesionseg/data';
import type { PreprocessedPatient, Vec3, ExtractedBatch } from '@lesionseg/data';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '60' } } });
const batches = Number(values.batches);
const shape: Vec3 = [320, 384, 320]; // ~39 M voxels: a 160x192x160 mm head at 0.5 mm
const n = shape[0] * shape[1] * shape[2];
const image = new Float32Array(2 * n);
for (let i = 0; i < image.length; i += 4099) image[i] = i % 7;
const mask = new Uint8Array(n);
for (let i = 0; i < n; i += 50_000) mask[i] = 1;
const affine = [
  [0.5, 0, 0, 0],
  [0, 0.5, 0, 0],
  [0, 0, 0.5, 0],
  [0, 0, 0, 1],
];
const patient: PreprocessedPatient = {
  id: 'bench',
  shape,
  spacing: [0.5, 0.5, 0.5],
  affine,
  channels: 2,
  image,
  mask,
  positives: precomputePositives(mask),
  padValue: [-1, -1],
  grid: workingGrid(shape, affine, 0.5),
};
const rng = createRng(1);
const P = 32;
const B = 128;
const times: number[] = [];
let out: ExtractedBatch | undefined;
for (let k = 0; k < batches; k++) {
  const t = performance.now();
  const specs = Array.from({ length: B }, (_, i) => (i < 0.3 * B ? positivePatch(rng, patient, P) : uniformPatch(rng, patient, P)));
  out = extractBatch(specs, out);
  times.push(performance.now() - t);
}
const copyTimes: number[] = [];
const dst = new Float32Array(B * P * P * P * 3);
for (let k = 0; k < batches; k++) {
  const t = performance.now();
  const off = (k * 7919 * 1024) % (image.length - dst.length);
  dst.set(image.subarray(off, off + dst.length));
  copyTimes.push(performance.now() - t);
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ms = median(times);
const memcpy = median(copyTimes);
console.log(
  JSON.stringify({
    batch: `${B} x ${P}^3 x 2ch + mask`,
    batches,
    medianMs: +ms.toFixed(2),
    memcpySameBytesMs: +memcpy.toFixed(2),
    ratioToMemcpy: +(ms / memcpy).toFixed(2),
    mbPerBatch: +((B * P ** 3 * 3 * 4) / 1e6).toFixed(1),
  }),
);
