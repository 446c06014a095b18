// libstdc++ std::sort emulation against the spec's test vectors (section 6), which were produced
// by GCC 12's std::sort.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { libstdcxxSort } from '../src/index.ts';
import { libstdcxxHeapSort } from '../src/std-sort.ts';
import { rng } from './masks.ts';

function order(overlaps: number[]): number[] {
  const labels = Int32Array.from(overlaps, (_, k) => k + 1);
  libstdcxxSort(labels, (a, b) => overlaps[a - 1] > overlaps[b - 1]);
  return Array.from(labels);
}

describe('libstdcxxSort', () => {
  it.each([
    ['0,4,0,4,4,0,0,4,0,0,4,0,0,0,4,0,0,0,4,0', '2 19 15 11 8 5 4 6 7 9 10 12 13 14 3 16 17 18 1 20'],
    [Array(17).fill(4).join(','), '9 17 16 15 14 13 12 11 10 1 8 7 6 5 4 3 2'],
    [[...Array(17).fill(4), 16].join(','), '18 10 17 16 15 14 13 12 11 1 9 8 7 6 5 4 3 2'],
    [
      '3,1,4,1,5,9,2,6,5,3,5,8,9,7,9,3,2,3,8,4,6,2,6,4,3,3,8,3,2,7,9,5',
      '31 6 15 13 27 19 12 30 14 23 21 8 32 11 9 5 20 3 24 10 16 1 18 25 26 28 29 17 22 7 4 2',
    ],
  ])('overlaps %s', (ov, expected) => {
    expect(order(ov.split(',').map(Number)).join(' ')).toBe(expected);
  });

  it('is stable for <= 16 elements and always sorts (random keys, incl. the heap-sort fallback)', () => {
    const r = rng(7);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(r() * 200);
      const keys = Array.from({ length: n }, () => Math.floor(r() * (t % 3 === 0 ? 3 : 50)));
      const out = order(keys);
      expect([...out].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, k) => k + 1));
      for (let k = 1; k < n; k++) expect(keys[out[k - 1] - 1]).toBeGreaterThanOrEqual(keys[out[k] - 1]);
      if (n <= 16) expect(out).toEqual([...out].sort((a, b) => keys[b - 1] - keys[a - 1] || a - b));
    }
  });
});

// Orders produced by GCC 12's std::sort and std::partial_sort on many tied keys
// (tools/reference/score_stdsort_reference.py compiles and runs them).
const gcc = JSON.parse(readFileSync(new URL('../../../tools/reference/fixtures/metrics/stdsort_cases.json', import.meta.url), 'utf8')) as {
  cases: { keys: number[]; sort: number[]; heap: number[] }[];
};

describe('libstdc++ emulation against GCC 12', () => {
  it('covers sizes beyond 16 with ties', () => {
    expect(gcc.cases.filter((c) => c.keys.length > 16).length).toBeGreaterThan(100);
  });
  it.each(gcc.cases.map((c, k) => [k, c] as const))('case %i: std::sort and the heap-sort fallback', (_k, c) => {
    expect(order(c.keys)).toEqual(c.sort);
    const labels = Int32Array.from(c.keys, (_, k) => k + 1);
    libstdcxxHeapSort(labels, (a, b) => c.keys[a - 1] > c.keys[b - 1]);
    expect(Array.from(labels)).toEqual(c.heap);
  });
});
