import type { Vec3 } from '../volume.ts';
import type { Random } from '../random.ts';
import { randInt, uniform, normal } from '../random.ts';
import type { Anatomy } from './anatomy.ts';
import { Tissue } from './anatomy.ts';
import { waveField } from './fields.ts';
import type { WaveField } from './fields.ts';

/**
 * One MS lesion: a union of 1-4 overlapping ellipsoidal lobes with a bumpy surface, so shapes
 * are irregular rather than spheres. `membership(p)` is 1 inside, 0 outside, with a soft edge
 * about 0.6 mm wide (partial volume).
 */
export class Lesion {
  readonly lobes: { c: Vec3; r: Vec3 }[];
  readonly centre: Vec3;
  readonly radiusMm: number;
  /** Intensity relative to white matter (FLAIR hyperintensity). */
  readonly contrast: number;
  private readonly surface: WaveField;
  private readonly bboxMin: Vec3;
  private readonly bboxMax: Vec3;

  constructor(rng: Random, centre: Vec3, radiusMm: number, contrast: number) {
    this.centre = centre;
    this.radiusMm = radiusMm;
    this.contrast = contrast;
    const lobes = 1 + randInt(rng, radiusMm >= 1.5 ? 4 : 2);
    this.lobes = [];
    for (let i = 0; i < lobes; i++) {
      const off = i === 0 ? [0, 0, 0] : [normal(rng), normal(rng), normal(rng)].map((v) => 0.45 * radiusMm * v);
      const size = i === 0 ? 1 : uniform(rng, 0.5, 0.85);
      this.lobes.push({
        c: [centre[0] + off[0], centre[1] + off[1], centre[2] + off[2]],
        r: [0, 1, 2].map(() => radiusMm * size * uniform(rng, 0.7, 1.3)) as Vec3,
      });
    }
    this.surface = waveField(rng, 6, Math.max(1.5, radiusMm), Math.max(3, 3 * radiusMm));
    const reach = 3 * radiusMm + 2;
    this.bboxMin = centre.map((c) => c - reach) as Vec3;
    this.bboxMax = centre.map((c) => c + reach) as Vec3;
  }

  /** 0..1: how much of point p is lesion. */
  membership(p: Vec3): number {
    if (p[0] < this.bboxMin[0] || p[1] < this.bboxMin[1] || p[2] < this.bboxMin[2]) return 0;
    if (p[0] > this.bboxMax[0] || p[1] > this.bboxMax[1] || p[2] > this.bboxMax[2]) return 0;
    let best = Infinity;
    for (const l of this.lobes) {
      const dx = (p[0] - l.c[0]) / l.r[0];
      const dy = (p[1] - l.c[1]) / l.r[1];
      const dz = (p[2] - l.c[2]) / l.r[2];
      best = Math.min(best, Math.sqrt(dx * dx + dy * dy + dz * dz));
    }
    if (best > 1.6) return 0;
    const d = (best - 1 - 0.18 * this.surface(p)) * this.radiusMm; // signed mm from the bumpy surface
    return Math.min(1, Math.max(0, 0.5 - d / 0.6));
  }
}

/** Options of {@link placeLesions}. */
export interface LesionPlacement {
  count: number;
  radiusMm: [number, number];
  contrast: [number, number];
  /** Fraction placed next to a ventricle (MS lesions are mostly periventricular). */
  periventricular: number;
  /** Lesions to keep clear of (new lesions must not touch old ones). */
  avoid: readonly Lesion[];
}

/**
 * Place lesions in white matter: periventricular ones just outside a ventricle surface, the
 * others anywhere in deep white matter; each lesion's centre and six points at its radius must
 * be white matter and it must keep 1 mm from other lesions. Radii are log-uniform, so volumes
 * span "a few mm3 to a few hundred". Gives up on a lesion after 300 tries (tiny phantoms).
 */
export function placeLesions(rng: Random, anatomy: Anatomy, o: LesionPlacement): Lesion[] {
  const out: Lesion[] = [];
  const [bx, by, bz] = anatomy.brain;
  for (let k = 0; k < o.count; k++) {
    const radius = Math.exp(uniform(rng, Math.log(o.radiusMm[0]), Math.log(o.radiusMm[1])));
    const contrast = uniform(rng, o.contrast[0], o.contrast[1]);
    const peri = rng.next() < o.periventricular;
    for (let attempt = 0; attempt < 300; attempt++) {
      let c: Vec3;
      if (peri) {
        const v = anatomy.ventricles[randInt(rng, anatomy.ventricles.length)];
        // A random direction from the ventricle centre, pushed past its surface by radius + 1-5 mm.
        const dir = [normal(rng), normal(rng), normal(rng)];
        const n = Math.hypot(dir[0], dir[1], dir[2]) || 1;
        const onSurface = dir.map((d, a) => (d / n) * v.r[a]);
        const len = Math.hypot(onSurface[0], onSurface[1], onSurface[2]);
        const push = (radius + uniform(rng, 1, 5)) / len;
        c = [0, 1, 2].map((a) => v.c[a] + onSurface[a] * (1 + push)) as Vec3;
      } else {
        c = [uniform(rng, -0.7, 0.7) * bx, uniform(rng, -0.7, 0.7) * by, uniform(rng, -0.6, 0.7) * bz];
      }
      const probes: Vec3[] = [c];
      for (let a = 0; a < 3; a++) {
        for (const s of [-1, 1]) {
          const q: Vec3 = [c[0], c[1], c[2]];
          q[a] += s * radius;
          probes.push(q);
        }
      }
      if (!probes.every((q) => anatomy.tissueAt(q) === Tissue.Wm)) continue;
      const clear = [...out, ...o.avoid].every((l) => Math.hypot(l.centre[0] - c[0], l.centre[1] - c[1], l.centre[2] - c[2]) > 1.6 * (l.radiusMm + radius) + 1);
      if (!clear) continue;
      out.push(new Lesion(rng, c, radius, contrast));
      break;
    }
  }
  return out;
}
