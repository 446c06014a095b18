/**
 * The paper's Figure 3 for one patient: baseline and follow-up axial slices side by side, and
 * the follow-up again with the ground truth (green) and the predicted new lesions (red; yellow
 * where they overlap) drawn over it, through the largest lesion.
 *
 * Display convention: voxel x to the right and voxel y upwards (for an RAS-oriented volume
 * this is the neurological view: the patient's right on the image's right).
 */
import type { RgbaImage } from './png.ts';

export interface VolumeLike {
  shape: [number, number, number];
  /** x fastest: index = x + X * (y + Y * z). */
  data: ArrayLike<number>;
}

export interface OverlayInput {
  baseline: VolumeLike;
  followup: VolumeLike;
  groundTruth?: VolumeLike | null;
  prediction?: VolumeLike | null;
}

export const OVERLAY_COLOURS = {
  groundTruth: [40, 200, 60],
  prediction: [235, 40, 40],
  both: [255, 215, 0],
} as const;

/** 1st and 99th percentiles of a slice's non-zero values: robust display window for FLAIR. */
function window(values: Float32Array): [number, number] {
  const nonZero = values.filter((v) => v !== 0 && Number.isFinite(v)).sort();
  if (nonZero.length === 0) return [0, 1];
  const lo = nonZero[Math.floor(0.01 * (nonZero.length - 1))];
  const hi = nonZero[Math.floor(0.99 * (nonZero.length - 1))];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

function sliceOf(v: VolumeLike, z: number): Float32Array {
  const [X, Y] = v.shape;
  const out = new Float32Array(X * Y);
  const offset = X * Y * z;
  for (let i = 0; i < X * Y; i++) out[i] = v.data[offset + i];
  return out;
}

function checkShapes(input: OverlayInput): void {
  const ref = input.followup.shape.join('x');
  for (const [name, v] of Object.entries(input)) {
    if (v && (v as VolumeLike).shape.join('x') !== ref) {
      throw new Error(`overlay: ${name} has shape ${(v as VolumeLike).shape.join('x')}, follow-up has ${ref}`);
    }
  }
}

export interface OverlayOptions {
  /** Axial slice index; default: chosen by the caller (see chooseSlice). */
  z: number;
  /** Integer upscaling so small phantoms stay visible. Default: panels at least 256 px. */
  scale?: number;
  /** Gap in pixels between panels. */
  gap?: number;
}

/** Render the three panels into one RGBA image. */
export function renderOverlay(input: OverlayInput, options: OverlayOptions): RgbaImage {
  checkShapes(input);
  const [X, Y, Z] = input.followup.shape;
  const z = options.z;
  if (!Number.isInteger(z) || z < 0 || z >= Z) throw new Error(`overlay: slice ${z} is outside 0..${Z - 1}`);
  const scale = options.scale ?? Math.max(1, Math.ceil(256 / Math.max(X, Y)));
  const gap = options.gap ?? 4;
  const pw = X * scale;
  const ph = Y * scale;
  const width = 3 * pw + 2 * gap;
  const image: RgbaImage = { width, height: ph, data: new Uint8Array(width * ph * 4) };
  image.data.fill(255);

  const base = sliceOf(input.baseline, z);
  const follow = sliceOf(input.followup, z);
  const gt = input.groundTruth ? sliceOf(input.groundTruth, z) : null;
  const pred = input.prediction ? sliceOf(input.prediction, z) : null;
  const panels: { slice: Float32Array; win: [number, number]; overlay: boolean }[] = [
    { slice: base, win: window(base), overlay: false },
    { slice: follow, win: window(follow), overlay: false },
    { slice: follow, win: window(follow), overlay: true },
  ];

  panels.forEach((panel, p) => {
    const [lo, hi] = panel.win;
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = x + X * y;
        const g = Math.round(255 * Math.min(1, Math.max(0, (panel.slice[i] - lo) / (hi - lo))));
        let rgb: readonly number[] = [g, g, g];
        if (panel.overlay) {
          const inGt = gt !== null && gt[i] > 0.5;
          const inPred = pred !== null && pred[i] > 0.5;
          const colour = inGt && inPred ? OVERLAY_COLOURS.both : inGt ? OVERLAY_COLOURS.groundTruth : inPred ? OVERLAY_COLOURS.prediction : null;
          // Blend so the anatomy under the lesion stays visible.
          if (colour) rgb = colour.map((c, k) => Math.round(0.35 * rgb[k] + 0.65 * c));
        }
        const row0 = (Y - 1 - y) * scale; // y upwards
        const col0 = p * (pw + gap) + x * scale;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const o = ((row0 + dy) * width + col0 + dx) * 4;
            image.data[o] = rgb[0];
            image.data[o + 1] = rgb[1];
            image.data[o + 2] = rgb[2];
            image.data[o + 3] = 255;
          }
        }
      }
    }
  });
  return image;
}

/** What overlays need of a lesion report (`LesionReport` of @lesionseg/metrics fits). */
export interface LesionLocation {
  voxels: number;
  centroidVoxel: readonly number[];
  bboxMin: readonly number[];
  bboxMax: readonly number[];
}

/**
 * The axial slice through the largest lesion: its centroid's z, kept inside its bounding box
 * (a curved lesion's centroid can sit outside it). With no lesion, the middle slice.
 */
export function sliceThroughLargestLesion(lesions: readonly LesionLocation[], depth: number): number {
  if (lesions.length === 0) return Math.floor(depth / 2);
  const largest = lesions.reduce((a, b) => (b.voxels > a.voxels ? b : a));
  const z = Math.round(largest.centroidVoxel[2]);
  return Math.min(largest.bboxMax[2], Math.max(largest.bboxMin[2], z));
}
