/**
 * The paper's Figure 3 for one patient, drawn in world orientation: baseline, follow-up, and
 * the follow-up again with the ground truth and the prediction as outlines, on one axial slice.
 *
 * Display convention (stated on the figure): **radiological**, the patient's right on the
 * image's left, anterior at the top, seen from the feet, after turning the volume to its
 * closest RAS+ axes (orientation.ts). Baseline and follow-up share ONE intensity window, so a
 * brighter spot on the follow-up is brighter in the data. Outlines use the Okabe-Ito
 * colour-blind-safe palette: ground truth just outside its voxels, prediction just inside, so
 * both stay visible where they coincide.
 */
import type { RgbaImage } from './png.ts';
import { closestCanonical, toCanonical, toCanonicalVoxel, type AxisMapping, type CanonicalVolume } from './orientation.ts';

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
  /** Voxel -> world (RAS+ mm) of the follow-up's grid, which all four share. */
  affine: readonly (readonly number[])[];
}

/** Okabe & Ito (2008): distinguishable with every common colour-vision deficiency. */
export const OVERLAY_COLOURS = {
  groundTruth: [0x56, 0xb4, 0xe9],
  prediction: [0xe6, 0x9f, 0x00],
} as const;

const hex = (c: readonly number[]) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

export interface OverlayOptions {
  /** Axial slice in canonical (superior) order, 0 = most inferior; see axialSliceThroughLargestLesion. */
  slice: number;
  /** Display pixels per mm. Default: panels at least 320 px wide. */
  pixelsPerMm?: number;
  /** Caption under the panels (e.g. the patient). */
  title?: string;
}

/** 1st and 99th percentiles of the non-zero values of all given slices: one robust FLAIR window. */
export function sharedWindow(slices: readonly Float32Array[]): [number, number] {
  const values: number[] = [];
  for (const s of slices) for (const v of s) if (v !== 0 && Number.isFinite(v)) values.push(v);
  if (values.length === 0) return [0, 1];
  values.sort((a, b) => a - b);
  const lo = values[Math.floor(0.01 * (values.length - 1))];
  const hi = values[Math.floor(0.99 * (values.length - 1))];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

function axialSlice(v: CanonicalVolume, z: number): Float32Array {
  const n = v.shape[0] * v.shape[1];
  return v.data.subarray(n * z, n * (z + 1));
}

function checkShapes(input: OverlayInput): void {
  const ref = input.followup.shape.join('x');
  for (const name of ['baseline', 'groundTruth', 'prediction'] as const) {
    const v = input[name];
    if (v && v.shape.join('x') !== ref) throw new Error(`overlay: ${name} has shape ${v.shape.join('x')}, follow-up has ${ref}`);
  }
}

/** One panel's pixel grid: which canonical voxel (x, y) each display pixel shows. */
interface PanelGrid {
  width: number;
  height: number;
  /** Voxel column (canonical x) of each display column: right of the patient on the left. */
  col: Int32Array;
  /** Voxel row (canonical y) of each display row: anterior at the top. */
  row: Int32Array;
}

function panelGrid(shape: readonly number[], spacing: readonly number[], ppm: number): PanelGrid {
  const width = Math.max(1, Math.round(shape[0] * spacing[0] * ppm));
  const height = Math.max(1, Math.round(shape[1] * spacing[1] * ppm));
  const col = new Int32Array(width);
  const row = new Int32Array(height);
  // Radiological: display column 0 is the patient's right (canonical x = X - 1).
  for (let c = 0; c < width; c++) col[c] = shape[0] - 1 - Math.min(shape[0] - 1, Math.floor((c + 0.5) / (spacing[0] * ppm)));
  for (let r = 0; r < height; r++) row[r] = shape[1] - 1 - Math.min(shape[1] - 1, Math.floor((r + 0.5) / (spacing[1] * ppm)));
  return { width, height, col, row };
}

/** Grey pixels of a slice through the window, RGBA. */
function greyPanel(slice: Float32Array, X: number, grid: PanelGrid, win: [number, number]): RgbaImage {
  const data = new Uint8Array(grid.width * grid.height * 4);
  const [lo, hi] = win;
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const v = slice[grid.col[c] + X * grid.row[r]];
      const g = Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
      const o = (r * grid.width + c) * 4;
      data[o] = data[o + 1] = data[o + 2] = g;
      data[o + 3] = 255;
    }
  }
  return { width: grid.width, height: grid.height, data };
}

/**
 * Draw a mask's outline `thickness` pixels wide: inside its voxels (`inside`) or just outside
 * them. A pixel is on the outline when a pixel within `thickness` steps (4-neighbours) is on
 * the other side of the mask boundary.
 */
function drawOutline(img: RgbaImage, mask: Float32Array, X: number, grid: PanelGrid, colour: readonly number[], inside: boolean, thickness: number): void {
  const inMask = new Uint8Array(grid.width * grid.height);
  for (let r = 0; r < grid.height; r++) for (let c = 0; c < grid.width; c++) inMask[r * grid.width + c] = mask[grid.col[c] + X * grid.row[r]] > 0.5 ? 1 : 0;
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const here = inMask[r * grid.width + c];
      if (here !== (inside ? 1 : 0)) continue;
      let edge = false;
      for (let t = 1; t <= thickness && !edge; t++) {
        for (const [dc, dr] of [
          [t, 0],
          [-t, 0],
          [0, t],
          [0, -t],
        ]) {
          const cc = c + dc;
          const rr = r + dr;
          // The image border counts as outside the mask.
          const other = cc < 0 || rr < 0 || cc >= grid.width || rr >= grid.height ? 0 : inMask[rr * grid.width + cc];
          if (other !== here) {
            edge = true;
            break;
          }
        }
      }
      if (!edge) continue;
      const o = (r * grid.width + c) * 4;
      img.data[o] = colour[0];
      img.data[o + 1] = colour[1];
      img.data[o + 2] = colour[2];
    }
  }
}

export interface OverlayPanels {
  /** Baseline, follow-up, follow-up with outlines: RGBA, same size. */
  panels: [RgbaImage, RgbaImage, RgbaImage];
  pixelsPerMm: number;
  window: [number, number];
  slice: number;
  slices: number;
}

/** The three panels as pixels (no text): the part the tests read back. */
export function renderOverlayPanels(input: OverlayInput, options: OverlayOptions): OverlayPanels {
  checkShapes(input);
  const m = closestCanonical(input.affine);
  const canon = (v: VolumeLike) => toCanonical(v, input.affine, m);
  const follow = canon(input.followup);
  const [X, Y, Z] = follow.shape;
  const z = options.slice;
  if (!Number.isInteger(z) || z < 0 || z >= Z) throw new Error(`overlay: axial slice ${z} is outside 0..${Z - 1}`);
  const base = canon(input.baseline);
  const ppm = options.pixelsPerMm ?? Math.max(1, Math.ceil(320 / Math.max(X * follow.spacing[0], Y * follow.spacing[1])));
  const grid = panelGrid(follow.shape, follow.spacing, ppm);
  const baseSlice = axialSlice(base, z);
  const followSlice = axialSlice(follow, z);
  const win = sharedWindow([baseSlice, followSlice]);
  // About a third of a voxel, at least 2 px: visible on small panels, thin beside big voxels.
  const thickness = Math.max(2, Math.round((ppm * Math.min(follow.spacing[0], follow.spacing[1])) / 3));
  const outlined = greyPanel(followSlice, X, grid, win);
  if (input.groundTruth) drawOutline(outlined, axialSlice(canon(input.groundTruth), z), X, grid, OVERLAY_COLOURS.groundTruth, false, thickness);
  if (input.prediction) drawOutline(outlined, axialSlice(canon(input.prediction), z), X, grid, OVERLAY_COLOURS.prediction, true, thickness);
  return { panels: [greyPanel(baseSlice, X, grid, win), greyPanel(followSlice, X, grid, win), outlined], pixelsPerMm: ppm, window: win, slice: z, slices: Z };
}

/** A scale bar of a round length (5, 10, 20 or 50 mm) about a quarter of the panel wide. */
export function scaleBarMm(panelMm: number): number {
  return [50, 20, 10, 5, 2, 1].find((mm) => mm <= panelMm / 3) ?? 1;
}

/**
 * The figure as SVG: the three panels (embedded PNGs), their titles, R/L/A/P at the edges, a
 * scale bar, the colour legend and the convention. Rasterise with svgToPng.
 */
export function overlaySvg(p: OverlayPanels, encode: (img: RgbaImage) => Buffer, title = ''): string {
  const { width: w, height: h } = p.panels[0];
  const m = 18; // margin for the orientation letters
  const gap = 12;
  const top = 16;
  const panelW = w + 2 * m;
  const totalW = 3 * panelW + 2 * gap;
  const legendY = top + h + 2 * m + 8;
  const totalH = legendY + 46;
  const text = (x: number, y: number, s: string, extra = '') => `<text x="${x}" y="${y}" ${extra}>${s}</text>`;
  const names = ['baseline', 'follow-up', 'follow-up + outlines'];
  const parts: string[] = [];
  p.panels.forEach((img, k) => {
    const x0 = k * (panelW + gap) + m;
    const y0 = top + m;
    parts.push(text(x0 + w / 2, 13, names[k], 'text-anchor="middle" font-weight="bold"'));
    parts.push(
      `<image x="${x0}" y="${y0}" width="${w}" height="${h}" image-rendering="optimizeSpeed" href="data:image/png;base64,${encode(img).toString('base64')}"/>`,
    );
    parts.push(text(x0 - m / 2, y0 + h / 2 + 4, 'R', 'text-anchor="middle"'));
    parts.push(text(x0 + w + m / 2, y0 + h / 2 + 4, 'L', 'text-anchor="middle"'));
    parts.push(text(x0 + w / 2, y0 - 4, 'A', 'text-anchor="middle"'));
    parts.push(text(x0 + w / 2, y0 + h + 13, 'P', 'text-anchor="middle"'));
  });
  const barMm = scaleBarMm(w / p.pixelsPerMm);
  const barPx = barMm * p.pixelsPerMm;
  const bx = 2 * (panelW + gap) + m + w - barPx - 6;
  const by = top + m + h - 8;
  parts.push(`<rect x="${bx}" y="${by}" width="${barPx}" height="4" fill="#ffffff" stroke="#000000" stroke-width="0.5"/>`);
  parts.push(text(bx + barPx / 2, by - 4, `${barMm} mm`, 'text-anchor="middle" fill="#ffffff" font-size="11"'));
  const gt = hex(OVERLAY_COLOURS.groundTruth);
  const pr = hex(OVERLAY_COLOURS.prediction);
  parts.push(`<rect x="${m}" y="${legendY}" width="22" height="10" fill="none" stroke="${gt}" stroke-width="3"/>`);
  parts.push(text(m + 28, legendY + 10, 'ground truth (outline outside its voxels)'));
  parts.push(`<rect x="${m + 300}" y="${legendY}" width="22" height="10" fill="none" stroke="${pr}" stroke-width="3"/>`);
  parts.push(text(m + 328, legendY + 10, 'prediction (outline inside its voxels)'));
  const conv = `Radiological view (patient's right on the left), axial slice ${p.slice + 1} of ${p.slices} from inferior; one window [${p.window[0].toPrecision(4)}, ${p.window[1].toPrecision(4)}] for both time points.`;
  parts.push(text(m, legendY + 30, conv, 'font-size="11" fill="#444444"'));
  if (title) parts.push(text(totalW - m, legendY + 10, title, 'text-anchor="end" font-weight="bold"'));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="DejaVu Sans, sans-serif" font-size="12"><rect width="100%" height="100%" fill="#ffffff"/>${parts.join('')}</svg>`;
}

/** What overlays need of a lesion report (`LesionReport` of @lesionseg/metrics fits). */
export interface LesionLocation {
  voxels: number;
  centroidVoxel: readonly number[];
  bboxMin: readonly number[];
  bboxMax: readonly number[];
}

/**
 * The axial slice (canonical, inferior to superior) through the largest lesion: its centroid,
 * kept inside its bounding box (a curved lesion's centroid can sit outside it). With no
 * lesion, the middle slice.
 */
export function axialSliceThroughLargestLesion(lesions: readonly LesionLocation[], shape: readonly number[], mapping: AxisMapping): number {
  const depth = shape[mapping.axis[2]];
  if (lesions.length === 0) return Math.floor(depth / 2);
  const largest = lesions.reduce((a, b) => (b.voxels > a.voxels ? b : a));
  const c = toCanonicalVoxel(mapping, shape, largest.centroidVoxel)[2];
  const a = toCanonicalVoxel(mapping, shape, largest.bboxMin)[2];
  const b = toCanonicalVoxel(mapping, shape, largest.bboxMax)[2];
  // Rounded on a micro-voxel grid first: the same centroid stored flipped may differ in the last bit.
  return Math.min(Math.max(a, b), Math.max(Math.min(a, b), Math.round(Math.round(c * 1e6) / 1e6)));
}
