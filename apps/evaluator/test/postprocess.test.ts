// The drop-small post-processing removes exactly the predicted components the MSSEG-2 metrics
// ignore (6-connected, volume <= the limit), and the plugin is chosen by name from the container.
import { describe, expect, it } from 'vitest';
import type { Vec3, Volume } from '@lesionseg/data';
import { UnknownPluginError } from '@lesionseg/events';
import { createEvaluatorContainer, postProcessorNames, resolvePostProcessor } from '../src/container.ts';
import { DropSmallComponents } from '../src/predict/postprocess.ts';

const shape: Vec3 = [12, 10, 8];
const idx = (x: number, y: number, z: number): number => x + shape[0] * (y + shape[1] * z);
function maskOf(voxels: [number, number, number][], spacing: Vec3 = [1, 1, 1]): Volume {
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (const [x, y, z] of voxels) data[idx(x, y, z)] = 1;
  return {
    shape,
    spacing,
    affine: [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    data,
  };
}
const lineX = (x0: number, n: number, y: number, z: number): [number, number, number][] =>
  Array.from({ length: n }, (_, k) => [x0 + k, y, z] as [number, number, number]);

describe('drop-small post-processing', () => {
  // At 1 mm3 voxels the limit 3 mm3 keeps components of >= 4 voxels.
  const big = lineX(0, 4, 0, 0); // 4 mm3: kept
  const three = [...lineX(6, 2, 0, 0), [6, 1, 0]] as [number, number, number][]; // L-shape, 3 mm3: dropped
  const one: [number, number, number][] = [[10, 9, 7]]; // single voxel in a corner: dropped
  // Two 2-voxel lines touching only along an edge ((3,5,3)-(4,6,3)): 6-connectivity makes them two
  // 2 mm3 components (dropped); 26-connectivity would make one 4 mm3 lesion (kept).
  const edge = [...lineX(2, 2, 5, 3), ...lineX(4, 2, 6, 3)] as [number, number, number][];
  // A 4-voxel component spanning slices (z neighbours are face neighbours): kept.
  const column: [number, number, number][] = [
    [8, 5, 1],
    [8, 5, 2],
    [8, 5, 3],
    [8, 5, 4],
  ];

  it('keeps exactly the components larger than 3 mm3', () => {
    const input = maskOf([...big, ...three, ...one, ...edge, ...column]);
    const before = input.data.slice();
    const r = new DropSmallComponents(3).apply(input);
    expect(Buffer.compare(Buffer.from(r.mask.data.buffer), Buffer.from(maskOf([...big, ...column]).data.buffer))).toBe(0);
    expect(r.removedComponents).toBe(4);
    expect(r.removedVoxels).toBe(3 + 1 + 4);
    expect(Buffer.compare(Buffer.from(input.data.buffer), Buffer.from(before.buffer))).toBe(0); // input untouched
    expect(r.mask.affine).toEqual(input.affine);
  });

  it('counts volume in mm3, not voxels (0.25 mm3 voxels need 13)', () => {
    const spacing: Vec3 = [0.5, 0.5, 1];
    const twelve = lineX(0, 12, 0, 0); // 3 mm3: dropped
    const thirteen = lineX(0, 12, 2, 0).concat([[0, 3, 0]]); // 3.25 mm3: kept
    const r = new DropSmallComponents(3).apply(maskOf([...twelve, ...thirteen], spacing));
    expect(Buffer.compare(Buffer.from(r.mask.data.buffer), Buffer.from(maskOf(thirteen, spacing).data.buffer))).toBe(0);
    expect(r.removedComponents).toBe(1);
  });

  it('is a DI plugin chosen by name; none returns the mask unchanged; unknown names list the known ones', () => {
    const c = createEvaluatorContainer({ minLesionMm3: 0 });
    expect(postProcessorNames(c)).toEqual(['none', 'drop-small']);
    const m = maskOf([...big, ...one]);
    expect(resolvePostProcessor(c, 'none').apply(m).mask).toBe(m);
    // The limit comes from the container's settings: 0 mm3 keeps even single voxels.
    expect(resolvePostProcessor(c, 'drop-small').apply(m).removedComponents).toBe(0);
    expect(() => resolvePostProcessor(c, 'drop-tiny')).toThrow(UnknownPluginError);
    expect(() => resolvePostProcessor(c, 'drop-tiny')).toThrow(/"drop-tiny".*"none", "drop-small"/);
  });
});
