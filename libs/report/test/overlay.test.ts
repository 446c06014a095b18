import { describe, expect, it } from 'vitest';
import { OVERLAY_COLOURS, renderOverlay, sliceThroughLargestLesion } from '../src/overlay.ts';
import { decodePng, encodePng } from '../src/png.ts';
import { volume } from './fixtures.ts';

const shape: [number, number, number] = [16, 12, 6];
const base = volume(shape, (x, y) => 100 + x + y);
const follow = volume(shape, (x, y) => 100 + x + y);
// GT covers x 2..5, prediction covers x 4..7, both on y 3..4 of slice 2
const gt = volume(shape, (x, y, z) => (z === 2 && y >= 3 && y <= 4 && x >= 2 && x <= 5 ? 1 : 0));
const pred = volume(shape, (x, y, z) => (z === 2 && y >= 3 && y <= 4 && x >= 4 && x <= 7 ? 1 : 0));

function pixel(img: { width: number; data: Uint8Array }, col: number, row: number): number[] {
  const o = (row * img.width + col) * 4;
  return Array.from(img.data.slice(o, o + 3));
}

describe('overlay figure', () => {
  const scale = 2;
  const gap = 4;
  const img = renderOverlay({ baseline: base, followup: follow, groundTruth: gt, prediction: pred }, { z: 2, scale, gap });
  const panel = (p: number, x: number, y: number) => pixel(img, p * (shape[0] * scale + gap) + x * scale, (shape[1] - 1 - y) * scale);

  it('has three panels of the slice, upscaled', () => {
    expect(img.width).toBe(3 * shape[0] * scale + 2 * gap);
    expect(img.height).toBe(shape[1] * scale);
  });

  it('colours ground truth only, prediction only and their overlap differently, on the third panel only', () => {
    const [gr, gg, gb] = panel(2, 2, 3);
    const [pr, pg, pb] = panel(2, 7, 4);
    const [br, bg, bb] = panel(2, 4, 3);
    expect(gg).toBeGreaterThan(gr + 50); // green
    expect(gg).toBeGreaterThan(gb + 50);
    expect(pr).toBeGreaterThan(pg + 80); // red
    expect(pr).toBeGreaterThan(pb + 80);
    expect(br).toBeGreaterThan(bb + 80); // yellow: red and green high, blue low
    expect(bg).toBeGreaterThan(bb + 80);
    for (const p of [0, 1]) {
      const [r, g, b] = panel(p, 4, 3);
      expect(r).toBe(g);
      expect(g).toBe(b);
    }
    const [r, g, b] = panel(2, 10, 8); // no lesion: grey
    expect([r, g]).toEqual([b, b]);
    expect(OVERLAY_COLOURS.groundTruth).not.toEqual(OVERLAY_COLOURS.prediction);
  });

  it('draws y upwards: brighter voxels (higher x + y) are at the top right', () => {
    const bottomLeft = panel(0, 0, 0)[0];
    const topRight = panel(0, shape[0] - 1, shape[1] - 1)[0];
    expect(topRight).toBeGreaterThan(bottomLeft);
  });

  it('round-trips through PNG', () => {
    const back = decodePng(encodePng(img));
    expect(back.width).toBe(img.width);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(img.data))).toBe(0);
  });

  it('chooses the slice through the largest lesion, inside its bounding box', () => {
    const small = { voxels: 20, centroidVoxel: [10, 10, 5], bboxMin: [8, 8, 5], bboxMax: [12, 12, 5] };
    const big = { voxels: 48, centroidVoxel: [2, 1, 2.6], bboxMin: [0, 0, 1], bboxMax: [3, 2, 4] };
    expect(sliceThroughLargestLesion([small, big], 6)).toBe(3);
    // a C-shaped lesion whose centroid lies beyond its own slices is clamped into them
    expect(sliceThroughLargestLesion([{ voxels: 9, centroidVoxel: [0, 0, 0.2], bboxMin: [0, 0, 2], bboxMax: [0, 0, 4] }], 6)).toBe(2);
    expect(sliceThroughLargestLesion([], 6)).toBe(3);
  });

  it('rejects mismatched shapes and slices out of range, naming them', () => {
    expect(() => renderOverlay({ baseline: volume([4, 4, 4], () => 0), followup: follow }, { z: 0 })).toThrow(/baseline has shape 4x4x4, follow-up has 16x12x6/);
    expect(() => renderOverlay({ baseline: base, followup: follow }, { z: 6 })).toThrow('slice 6 is outside 0..5');
  });
});
