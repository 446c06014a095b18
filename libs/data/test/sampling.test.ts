import { describe, expect, it } from 'vitest';
import type { PatchSpec, PreprocessedPatient } from '../src/index.ts';
import { createRng, extractBatch, positivePatch, samplePatch, uniformPatch, precomputePositives } from '../src/index.ts';
import { tinyPatient } from './helpers.ts';

/** Independent per-voxel reference of one patch: [z][y][x][c] with bounds checks. */
function naivePatch(spec: PatchSpec): { img: number[]; msk: number[] } {
  const { patient: p, origin, size } = spec;
  const [X, Y, Z] = p.shape;
  const img: number[] = [];
  const msk: number[] = [];
  for (let z = 0; z < size; z++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const [vx, vy, vz] = [origin[0] + x, origin[1] + y, origin[2] + z];
        const inside = vx >= 0 && vx < X && vy >= 0 && vy < Y && vz >= 0 && vz < Z;
        const i = vx + X * (vy + Y * vz);
        img.push(inside ? p.image[2 * i] : p.padValue[0], inside ? p.image[2 * i + 1] : p.padValue[1]);
        msk.push(inside ? p.mask[i] : 0);
      }
    }
  }
  return { img, msk };
}

describe('precomputePositives', () => {
  it('lists the indices above 0.5 in ascending order', () => {
    expect(Array.from(precomputePositives(new Float32Array([0, 1, 0.4, 0.6, 0, 1])))).toEqual([1, 3, 5]);
    expect(precomputePositives(new Uint8Array(10)).length).toBe(0);
  });
});

describe('patch draws', () => {
  const patient = tinyPatient(
    [20, 18, 16],
    [
      [1, 2, 3],
      [10, 9, 8],
      [19, 17, 15],
    ],
  );

  it('positive patches always contain a lesion voxel, at varying positions, padded at borders', () => {
    const rng = createRng(3);
    const positions = new Set<string>();
    let outside = 0;
    for (let k = 0; k < 300; k++) {
      const s = positivePatch(rng, patient, 8);
      const lesion = [...patient.positives].map((i) => [i % 20, Math.floor(i / 20) % 18, Math.floor(i / 360)]);
      const inPatch = lesion.filter((v) => v.every((c, a) => c >= s.origin[a] && c < s.origin[a] + 8));
      expect(inPatch.length).toBeGreaterThan(0);
      positions.add(inPatch[0].map((c, a) => c - s.origin[a]).join(','));
      if (s.origin.some((o, a) => o < 0 || o + 8 > patient.shape[a])) outside++;
    }
    expect(positions.size).toBeGreaterThan(100); // not always the centre
    expect(outside).toBeGreaterThan(0); // border lesions give padded patches, not skipped ones
  });

  it('uniform patches stay inside axes longer than the patch and cover them', () => {
    const rng = createRng(4);
    const seen = new Set<number>();
    for (let k = 0; k < 500; k++) {
      const s = uniformPatch(rng, patient, 8);
      s.origin.forEach((o, a) => expect(o >= 0 && o + 8 <= patient.shape[a]).toBe(true));
      seen.add(s.origin[0]);
    }
    expect(seen.size).toBe(20 - 8 + 1);
    const small = tinyPatient([4, 30, 30], []);
    const s = uniformPatch(rng, small, 8);
    expect(s.origin[0] <= 0 && s.origin[0] + 8 >= 4).toBe(true);
  });

  it('samplePatch draws positives only from patients with lesions and fails clearly without any', () => {
    const empty = tinyPatient([10, 10, 10], [], 2);
    const rng = createRng(5);
    for (let k = 0; k < 20; k++) expect(samplePatch(rng, [empty, patient], 'positive', 4).patient).toBe(patient);
    expect(() => samplePatch(rng, [empty], 'positive', 4)).toThrow(/no patient has a new lesion/);
    expect(() => positivePatch(rng, empty, 4)).toThrow(/tiny-2 has no new-lesion voxel/);
  });

  it('replays the same patches after restoring the generator state', () => {
    const rng = createRng(11);
    const state = rng.state();
    const a = Array.from({ length: 10 }, () => samplePatch(rng, [patient], 'positive', 8).origin);
    rng.setState(state);
    expect(Array.from({ length: 10 }, () => samplePatch(rng, [patient], 'positive', 8).origin)).toEqual(a);
  });
});

describe('extractBatch', () => {
  it('matches a per-voxel reference in [batch, z, y, x, channel] layout, padding outside', () => {
    const patient: PreprocessedPatient = tinyPatient(
      [11, 9, 7],
      [
        [0, 0, 0],
        [5, 4, 3],
        [10, 8, 6],
      ],
    );
    const rng = createRng(8);
    const specs: PatchSpec[] = [
      { patient, origin: [-3, -2, -4], size: 6, kind: 'uniform' },
      { patient, origin: [8, 6, 4], size: 6, kind: 'uniform' },
      { patient, origin: [20, 0, 0], size: 6, kind: 'uniform' }, // entirely outside
      ...Array.from({ length: 5 }, () => positivePatch(rng, patient, 6)),
      ...Array.from({ length: 5 }, () => uniformPatch(rng, patient, 6)),
    ];
    const batch = extractBatch(specs);
    expect(batch.images.length).toBe(specs.length * 216 * 2);
    expect(batch.masks.length).toBe(specs.length * 216);
    specs.forEach((s, b) => {
      const want = naivePatch(s);
      expect(Array.from(batch.images.subarray(b * 432, (b + 1) * 432))).toEqual(want.img.map(Math.fround));
      expect(Array.from(batch.masks.subarray(b * 216, (b + 1) * 216))).toEqual(want.msk);
      expect(batch.containsLesion[b]).toBe(want.msk.some((m) => m > 0) ? 1 : 0);
    });
    expect(batch.containsLesion[0]).toBe(1);
    expect(batch.containsLesion[2]).toBe(0);
    // Reusing the buffers gives the same result and the same object.
    const again = extractBatch(specs, batch);
    expect(again.images).toBe(batch.images);
    expect(Array.from(again.masks.subarray(216, 432))).toEqual(naivePatch(specs[1]).msk);
  });
});
