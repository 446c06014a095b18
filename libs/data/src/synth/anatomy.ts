import type { Vec3 } from '../volume.ts';
import type { Random } from '../random.ts';
import { uniform } from '../random.ts';
import { waveField } from './fields.ts';
import type { WaveField } from './fields.ts';

/** Tissue classes of the phantom head. */
export const Tissue = { Air: 0, Scalp: 1, Skull: 2, Csf: 3, Gm: 4, Wm: 5, DeepGm: 6, Ventricle: 7 } as const;
export type Tissue = (typeof Tissue)[keyof typeof Tissue];

/**
 * FLAIR-like mean intensities (arbitrary units, white matter = 0.72): CSF is suppressed (dark),
 * grey matter is brighter than white matter, scalp fat is bright, bone dark.
 */
export const FLAIR_INTENSITY: Record<Tissue, number> = {
  [Tissue.Air]: 0,
  [Tissue.Scalp]: 0.55,
  [Tissue.Skull]: 0.05,
  [Tissue.Csf]: 0.1,
  [Tissue.Gm]: 1.0,
  [Tissue.Wm]: 0.72,
  [Tissue.DeepGm]: 0.86,
  [Tissue.Ventricle]: 0.08,
};

interface Ellipsoid {
  c: Vec3;
  r: Vec3;
}

const inEllipsoid = (p: Vec3, e: Ellipsoid): number => {
  const dx = (p[0] - e.c[0]) / e.r[0];
  const dy = (p[1] - e.c[1]) / e.r[1];
  const dz = (p[2] - e.c[2]) / e.r[2];
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
};

/**
 * A procedural head in mm coordinates centred on 0 (x left-right, y posterior-anterior,
 * z inferior-superior): scalp, skull, subarachnoid CSF, folded cortex with sulci, white matter,
 * deep grey nuclei and two lateral ventricles. Sizes scale with the field of view, so a 64 mm
 * phantom is a small but complete brain.
 */
export class Anatomy {
  readonly brain: Vec3;
  readonly ventricles: Ellipsoid[];
  private readonly head: Vec3;
  private readonly deepGm: Ellipsoid[];
  private readonly cortexMm: number;
  private readonly sulcusDepthMm: number;
  private readonly folds: WaveField;
  private readonly gmWm: WaveField;
  private readonly sulci: WaveField;
  readonly texture: WaveField;

  constructor(rng: Random, extentMm: Vec3) {
    const jitter = (): number => uniform(rng, 0.95, 1.05);
    this.head = extentMm.map((e) => 0.46 * e * jitter()) as Vec3;
    this.brain = this.head.map((h) => 0.82 * h) as Vec3;
    const [bx, by, bz] = this.brain;
    const scale = Math.min(bx, by, bz);
    this.cortexMm = Math.max(1.5, 0.045 * scale);
    this.sulcusDepthMm = 0.2 * scale;
    const vx = 0.11 * bx;
    this.ventricles = [-1, 1].map((side) => ({
      c: [side * vx * jitter(), 0.05 * by * jitter(), 0.1 * bz * jitter()] as Vec3,
      r: [0.08 * bx * jitter(), 0.36 * by * jitter(), 0.17 * bz * jitter()] as Vec3,
    }));
    this.deepGm = [-1, 1].map((side) => ({
      c: [side * 0.2 * bx, -0.08 * by, -0.08 * bz] as Vec3,
      r: [0.1 * bx, 0.16 * by, 0.12 * bz] as Vec3,
    }));
    this.folds = waveField(rng, 8, 0.25 * scale, 0.6 * scale);
    this.gmWm = waveField(rng, 8, 0.15 * scale, 0.4 * scale);
    this.sulci = waveField(rng, 10, 0.35 * scale, 0.55 * scale);
    this.texture = waveField(rng, 8, 6, 25);
  }

  /** The tissue at point p (mm). */
  tissueAt(p: Vec3): Tissue {
    const rh = Math.hypot(p[0] / this.head[0], p[1] / this.head[1], p[2] / this.head[2]);
    if (rh > 1) return Tissue.Air;
    if (rh > 0.94) return Tissue.Scalp;
    if (rh > 0.87) return Tissue.Skull;
    const rb = Math.hypot(p[0] / this.brain[0], p[1] / this.brain[1], p[2] / this.brain[2]);
    const surface = 1 + 0.035 * this.folds(p);
    if (rb > surface) return Tissue.Csf;
    const depthMm = (surface - rb) * Math.min(this.brain[0], this.brain[1], this.brain[2]);
    // Inter-hemispheric fissure: a thin CSF sheet on the midline, deeper near the top.
    if (Math.abs(p[0]) < 0.8 && p[2] > -0.2 * this.brain[2] && depthMm < 0.22 * Math.min(this.brain[0], this.brain[2])) return Tissue.Csf;
    for (const v of this.ventricles) if (inEllipsoid(p, v) < 1) return Tissue.Ventricle;
    for (const d of this.deepGm) if (inEllipsoid(p, d) < 1) return Tissue.DeepGm;
    // Cortex: an outer ribbon plus grey matter lining sulci, which are sheets (the zero set of a
    // smooth random field) cutting `sulcusDepthMm` into the brain; WM gyri fill the rest.
    const ribbon = this.cortexMm * (1 + 0.3 * this.gmWm(p));
    if (depthMm < ribbon) return Tissue.Gm;
    if (depthMm < this.sulcusDepthMm + ribbon) {
      const d = this.sulci.distanceToZero(p);
      if (depthMm < this.sulcusDepthMm && d < 0.6) return Tissue.Csf;
      if (d < 0.6 + ribbon) return Tissue.Gm;
    }
    return Tissue.Wm;
  }

  /** Normalised distance from a ventricle (0 on its surface, ~ mm / 1 outside). */
  ventricleDistanceMm(p: Vec3): number {
    let best = Infinity;
    for (const v of this.ventricles) {
      const d = inEllipsoid(p, v);
      best = Math.min(best, (d - 1) * Math.min(v.r[0], v.r[1], v.r[2]));
    }
    return best;
  }
}
