import { describe, expect, it } from 'vitest';
import { closestCanonical } from '../src/orientation.ts';
import { axialSliceThroughLargestLesion, overlaySvg, renderOverlayPanels, scaleBarMm, sharedWindow } from '../src/overlay.ts';
import { encodePng } from '../src/png.ts';
import { volume } from './fixtures.ts';

const shape: [number, number, number] = [16, 12, 6];
const eye = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];
const base = volume(shape, (x, y) => 100 + x + y);

describe('overlay figure', () => {
  it('uses one window for both time points, from their pooled non-zero values', () => {
    const a = Float32Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    const b = Float32Array.from({ length: 100 }, (_, i) => (i === 0 ? 0 : 1000 + i));
    const [lo, hi] = sharedWindow([a, b]);
    expect(lo).toBe(2); // 1st percentile of 199 values
    expect(hi).toBe(1097);
    expect(sharedWindow([new Float32Array(4)])).toEqual([0, 1]);
  });

  it('chooses the axial slice through the largest lesion in canonical order, inside its bounding box', () => {
    const small = { voxels: 20, centroidVoxel: [10, 10, 5], bboxMin: [8, 8, 5], bboxMax: [12, 12, 5] };
    const big = { voxels: 48, centroidVoxel: [2, 1, 2.6], bboxMin: [0, 0, 1], bboxMax: [3, 2, 4] };
    expect(axialSliceThroughLargestLesion([small, big], shape, closestCanonical(eye))).toBe(3);
    // stored inferior-first reversed (z flipped): canonical slice 5 - 2.6 = 2.4 -> 2
    const flippedZ = eye.map((r, i) => (i === 2 ? [0, 0, -1, 0] : r));
    expect(axialSliceThroughLargestLesion([big], shape, closestCanonical(flippedZ))).toBe(2);
    // a C-shaped lesion whose centroid lies beyond its own slices is clamped into them
    expect(
      axialSliceThroughLargestLesion([{ voxels: 9, centroidVoxel: [0, 0, 0.2], bboxMin: [0, 0, 2], bboxMax: [0, 0, 4] }], shape, closestCanonical(eye)),
    ).toBe(2);
    expect(axialSliceThroughLargestLesion([], shape, closestCanonical(eye))).toBe(3);
  });

  it('labels the figure: orientation letters, scale bar, legend and convention', () => {
    const p = renderOverlayPanels({ baseline: base, followup: base, affine: eye }, { slice: 2, pixelsPerMm: 10 });
    expect(p.panels[0].width).toBe(160);
    const svg = overlaySvg(p, encodePng, 'patient 7');
    for (const s of ['>R<', '>L<', '>A<', '>P<', '5 mm', 'ground truth', 'prediction', 'Radiological view', 'patient 7']) expect(svg).toContain(s);
    expect(scaleBarMm(160)).toBe(50);
    expect(scaleBarMm(16)).toBe(5);
  });

  it('rejects mismatched shapes and slices out of range, naming them', () => {
    expect(() => renderOverlayPanels({ baseline: volume([4, 4, 4], () => 0), followup: base, affine: eye }, { slice: 0 })).toThrow(
      /baseline has shape 4x4x4, follow-up has 16x12x6/,
    );
    expect(() => renderOverlayPanels({ baseline: base, followup: base, affine: eye }, { slice: 6 })).toThrow('axial slice 6 is outside 0..5');
  });
});
