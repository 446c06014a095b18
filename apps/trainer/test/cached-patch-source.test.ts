/**
 * Patches read through the preprocessed cache: the same seed gives the same patches, bit for
 * bit, with the background worker (and its look-ahead) on or off and whatever the memory cap.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackgroundExtractor, createRng, listPatients, openCohort, phantomOptions, writeSyntheticDataset, type PatchExtractor } from '@lesionseg/data';
import type { PatchKind } from '@lesionseg/strategies';
import { DataPatchSource } from '../src/adapters/patch-source.ts';

describe('patch source over the cache', () => {
  it('same seed, same patches with the worker on or off and a 16 MiB or 512 MiB cap; OHEM-like calls are served from the look-ahead', async () => {
    const data = mkdtempSync(join(tmpdir(), 'lesionseg-cps-'));
    await writeSyntheticDataset(data, { patients: 3, seed: 4, phantom: phantomOptions('quick', { shape: [40, 36, 32], noNewLesionProbability: 0 }) });
    const files = await listPatients(data);
    const cache = { dir: join(data, 'cache'), spacingMm: 1, margin: 8, chunk: 16 };
    const run = async (worker: boolean, memoryMiB: number) => {
      const { patients, store } = await openCohort(files, { ...cache, memoryMiB });
      const extractor: PatchExtractor = worker ? new BackgroundExtractor(patients, files, { ...cache, memoryMiB }) : store;
      const source = new DataPatchSource(patients, 12, (s) => extractor.extract(s), worker);
      const rng = createRng(21);
      const out: Buffer[] = [];
      const ohem: PatchKind[] = ['positive', 'positive', 'uniform', 'uniform', 'uniform'];
      for (let step = 0; step < 6; step++) {
        // Steps 0-3: fixed kinds and no draw in between (OHEM); then kinds drawn by the
        // "strategy" from the same generator (oversampling): the look-ahead must miss, not lie.
        const kinds: PatchKind[] = step < 4 ? ohem : Array.from({ length: 5 }, () => (rng.next() < 0.5 ? 'positive' : 'uniform'));
        const b = await source.sample(kinds, rng);
        out.push(
          Buffer.from(b.images.buffer, b.images.byteOffset, b.images.byteLength),
          Buffer.from(b.masks.buffer),
          Buffer.from(b.drawnPositive),
          Buffer.from(b.containsLesion),
        );
      }
      await extractor.close();
      store.close();
      return { bytes: Buffer.concat(out), state: rng.getState(), stats: source.lookaheadStats };
    };
    const plain = await run(false, 512);
    const background = await run(true, 512);
    const capped = await run(true, 16);
    expect(background.bytes.equals(plain.bytes)).toBe(true);
    expect(capped.bytes.equals(plain.bytes)).toBe(true);
    expect(background.state).toEqual(plain.state);
    // Call 2 shows the gap (no draw between calls) and prepares call 3; calls 3 and 4 hit; the
    // look-ahead made after call 4 assumed OHEM kinds again and misses.
    expect(background.stats.hits).toBe(2);
    expect(background.stats.misses).toBeGreaterThanOrEqual(1);
    expect(plain.stats).toEqual({ hits: 0, misses: 0 });
  }, 120_000);
});
