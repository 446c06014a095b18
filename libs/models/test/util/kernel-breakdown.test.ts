import { describe, expect, it } from 'vitest';
import { kernelBreakdown } from '../../src/util/kernel-breakdown.ts';

describe('kernelBreakdown', () => {
  it('sums time and calls per kernel, largest first; an untimed kernel counts 0 ms', () => {
    const { rows, totalMs } = kernelBreakdown([
      { name: 'Conv3D', kernelTimeMs: 3 },
      { name: 'Add', kernelTimeMs: 1 },
      { name: 'Conv3D', kernelTimeMs: 4 },
      { name: 'Reshape', kernelTimeMs: { error: 'not timed' } },
    ]);
    expect(totalMs).toBe(8);
    expect(rows).toEqual([
      { name: 'Conv3D', ms: 7, calls: 2, share: 7 / 8 },
      { name: 'Add', ms: 1, calls: 1, share: 1 / 8 },
      { name: 'Reshape', ms: 0, calls: 1, share: 0 },
    ]);
  });
});
