import type { PatchBatch, PatchKind, PatchScorer, PatchSource, Random, StatefulRandom } from '../src/index.ts';
import { Mulberry32 } from '@lesionseg/data';

/** mulberry32: a small seeded generator for tests (the app uses the data library's). (the data library's, under the name the tests use) */
export class TestRandom extends Mulberry32 implements StatefulRandom {}

export const SHAPE = [2, 2, 2] as const;
const V = 8;
const C = 2;

/**
 * Patches whose every image value is a serial number (0, 1, 2, ... in draw order), so a test can
 * tell which candidates were kept. A positive patch always holds a lesion voxel; a uniform one
 * holds one with probability `uniformLesionRate` (drawn from the same generator).
 */
export class FakeSource implements PatchSource {
  serial = 0;
  readonly requests: PatchKind[][] = [];
  constructor(private readonly uniformLesionRate = 0) {}

  sample(kinds: readonly PatchKind[], random: Random): Promise<PatchBatch> {
    this.requests.push([...kinds]);
    const n = kinds.length;
    const images = new Float32Array(n * V * C);
    const masks = new Float32Array(n * V);
    const drawnPositive = new Uint8Array(n);
    const containsLesion = new Uint8Array(n);
    kinds.forEach((kind, i) => {
      images.fill(this.serial++, i * V * C, (i + 1) * V * C);
      const lesion = kind === 'positive' || (this.uniformLesionRate > 0 && random.next() < this.uniformLesionRate);
      if (lesion) masks[i * V + 3] = 1;
      drawnPositive[i] = kind === 'positive' ? 1 : 0;
      containsLesion[i] = lesion ? 1 : 0;
    });
    return Promise.resolve({ images, masks, count: n, shape: SHAPE, channels: C, drawnPositive, containsLesion });
  }
}

/** Scores a patch by looking its serial number up in a known loss table; records chunk sizes. */
export class TableScorer implements PatchScorer {
  readonly chunks: number[] = [];
  constructor(private readonly lossOf: (serial: number) => number) {}
  scorePatches(batch: PatchBatch): Promise<Float32Array> {
    this.chunks.push(batch.count);
    const out = new Float32Array(batch.count);
    for (let i = 0; i < batch.count; i++) out[i] = this.lossOf(batch.images[i * V * C]);
    return Promise.resolve(out);
  }
}

export function serials(batch: PatchBatch): number[] {
  return Array.from({ length: batch.count }, (_, i) => batch.images[i * V * C]);
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, seed: number): number[] {
  const r = new TestRandom(seed);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
