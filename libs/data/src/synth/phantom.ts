import type { Vec3, Volume } from '../volume.ts';
import { createRng, normal, randInt } from '../random.ts';
import type { Random } from '../random.ts';
import { Anatomy, FLAIR_INTENSITY, Tissue } from './anatomy.ts';
import { waveField } from './fields.ts';
import { placeLesions } from './lesions.ts';
import type { Lesion } from './lesions.ts';
import type { PhantomOptions } from './options.ts';

/** Facts about one generated patient (written to dataset.json, handy in tests). */
export interface PhantomInfo {
  seed: number;
  newLesions: { centreMm: Vec3; radiusMm: number; voxels: number }[];
  baselineLesions: number;
  newLesionVoxels: number;
  followupShiftMm: Vec3;
  followupRotationDeg: Vec3;
}

/** A synthetic longitudinal patient on one grid (the "middle space" of MSSEG-2). */
export interface Phantom {
  baseline: Volume;
  followup: Volume;
  /** New lesions only (0/1). */
  groundTruth: Volume;
  info: PhantomInfo;
  /** Tissue class per voxel at the baseline (see `Tissue`), when asked for with `{ labels: true }`. */
  labels?: Uint8Array;
}

/** Voxel -> world affine with the head centred at the origin, x flipped (radiological, like most scanners' NIfTI). */
export function phantomAffine(shape: Vec3, spacing: Vec3): number[][] {
  return [
    [-spacing[0], 0, 0, (spacing[0] * (shape[0] - 1)) / 2],
    [0, spacing[1], 0, (-spacing[1] * (shape[1] - 1)) / 2],
    [0, 0, spacing[2], (-spacing[2] * (shape[2] - 1)) / 2],
    [0, 0, 0, 1],
  ];
}

function rotation(deg: Vec3): number[][] {
  const [a, b, c] = deg.map((d) => (d * Math.PI) / 180);
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
  // Rz * Ry * Rx
  return [
    [cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa],
    [sc * cb, sc * sb * sa + cc * ca, sc * sb * ca - cc * sa],
    [-sb, cb * sa, cb * ca],
  ];
}

function between(rng: Random, [a, b]: [number, number]): number {
  return a + randInt(rng, b - a + 1);
}

/**
 * Generate one synthetic patient. Deterministic in (seed, options). The follow-up differs from
 * the baseline by its new lesions plus nuisances a model must learn to ignore: a slight rigid
 * misalignment, a global intensity drift, a different bias field and fresh noise.
 */
export function generatePhantom(seed: number, o: PhantomOptions, extra: { labels?: boolean } = {}): Phantom {
  const rng = createRng(seed);
  const extent = o.shape.map((n, a) => n * o.spacing[a]) as Vec3;
  const anatomy = new Anatomy(rng, extent);
  const old = placeLesions(rng, anatomy, {
    count: between(rng, o.baselineLesions),
    radiusMm: o.baselineLesionRadiusMm,
    contrast: o.lesionContrast,
    periventricular: o.periventricular,
    avoid: [],
  });
  const hasNew = rng.next() >= o.noNewLesionProbability;
  const fresh = hasNew
    ? placeLesions(rng, anatomy, {
        count: between(rng, o.newLesions),
        radiusMm: o.newLesionRadiusMm,
        contrast: o.lesionContrast,
        periventricular: o.periventricular,
        avoid: old,
      })
    : [];
  const shift = [normal(rng), normal(rng), normal(rng)].map((v) => v * o.misalignmentMm) as Vec3;
  const rotDeg = [normal(rng), normal(rng), normal(rng)].map((v) => v * o.misalignmentDeg) as Vec3;
  const rot = rotation(rotDeg);
  const drift = 1 + normal(rng) * o.drift;
  const biasShared = waveField(rng, 3, 120, 300);
  const biasBase = waveField(rng, 3, 100, 250);
  const biasFollow = waveField(rng, 3, 100, 250);
  const noiseRng = createRng(rng.nextUint32());

  const affine = phantomAffine(o.shape, o.spacing);
  const [X, Y, Z] = o.shape;
  const n = X * Y * Z;
  const baseline = new Float32Array(n);
  const followup = new Float32Array(n);
  const truth = new Float32Array(n);
  const newVoxels = new Array<number>(fresh.length).fill(0);
  const labels = extra.labels ? new Uint8Array(n) : undefined;
  // Thick slices: average several sub-samples along the thick axes (partial volume).
  const minSp = Math.min(...o.spacing);
  const sub = o.spacing.map((s) => Math.min(4, Math.max(1, Math.round(s / minSp))));
  const offsets = sub.map((k) => Array.from({ length: k }, (_, i) => (i + 0.5) / k - 0.5));
  const samples = sub[0] * sub[1] * sub[2];
  const wm = FLAIR_INTENSITY[Tissue.Wm];
  const sigma = o.noise * wm;

  const valueAt = (p: Vec3, lesions: readonly Lesion[], bias: number, onLesion?: (k: number, m: number) => void): number => {
    const tissue = anatomy.tissueAt(p);
    let v = FLAIR_INTENSITY[tissue];
    if (tissue === Tissue.Air) return 0;
    v *= 1 + 0.04 * anatomy.texture(p);
    if (tissue === Tissue.Wm || tissue === Tissue.Gm || tissue === Tissue.DeepGm) {
      let m = 0;
      let c = 0;
      for (let k = 0; k < lesions.length; k++) {
        const mk = lesions[k].membership(p);
        if (mk > 0) onLesion?.(k, mk);
        if (mk > m) {
          m = mk;
          c = lesions[k].contrast;
        }
      }
      if (m > 0) v = v * (1 - m) + wm * c * m;
    }
    return v * bias;
  };

  const all = [...old, ...fresh];
  const p: Vec3 = [0, 0, 0];
  const q: Vec3 = [0, 0, 0];
  let newMax = 0;
  let newWhich = -1;
  const onNew = (k: number, m: number): void => {
    if (k >= old.length && m > newMax) {
      newMax = m;
      newWhich = k - old.length;
    }
  };
  let i = 0;
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, i++) {
        let b = 0;
        let f = 0;
        let t = 0;
        let hit = -1; // which new lesion covers this voxel (for per-lesion voxel counts)
        for (const dz of offsets[2]) {
          for (const dy of offsets[1]) {
            for (const dx of offsets[0]) {
              const vx = x + dx;
              const vy = y + dy;
              const vz = z + dz;
              p[0] = affine[0][0] * vx + affine[0][3];
              p[1] = affine[1][1] * vy + affine[1][3];
              p[2] = affine[2][2] * vz + affine[2][3];
              const shared = biasShared(p);
              b += valueAt(p, old, 1 + o.biasField * (shared + 0.3 * biasBase(p)));
              // The follow-up sees the head through the residual rigid misalignment.
              for (let r = 0; r < 3; r++) q[r] = rot[r][0] * p[0] + rot[r][1] * p[1] + rot[r][2] * p[2] + shift[r];
              newMax = 0;
              newWhich = -1;
              f += valueAt(q, all, 1 + o.biasField * (shared + 0.3 * biasFollow(p)), onNew);
              if (newMax >= 0.5) {
                t += 1;
                hit = newWhich;
              }
            }
          }
        }
        if (labels) {
          p[0] = affine[0][0] * x + affine[0][3];
          p[1] = affine[1][1] * y + affine[1][3];
          p[2] = affine[2][2] * z + affine[2][3];
          labels[i] = anatomy.tissueAt(p);
        }
        baseline[i] = b / samples;
        followup[i] = (f / samples) * drift;
        truth[i] = t / samples >= 0.5 ? 1 : 0;
        if (truth[i] === 1 && hit >= 0) newVoxels[hit]++;
      }
    }
  }
  // Rician noise (magnitude of a complex signal with Gaussian noise on both parts), then scale.
  const rician = (data: Float32Array): void => {
    for (let k = 0; k < n; k++) {
      const u = 1 - noiseRng.next();
      const w = 2 * Math.PI * noiseRng.next();
      const r = Math.sqrt(-2 * Math.log(u)) * sigma;
      data[k] = Math.round(Math.hypot(data[k] + r * Math.cos(w), r * Math.sin(w)) * o.intensityScale);
    }
  };
  rician(baseline);
  rician(followup);

  const volume = (data: Float32Array): Volume => ({ shape: [X, Y, Z], spacing: [...o.spacing], affine: affine.map((r) => r.slice()), data });
  let total = 0;
  for (let k = 0; k < n; k++) total += truth[k];
  return {
    baseline: volume(baseline),
    followup: volume(followup),
    groundTruth: volume(truth),
    info: {
      seed,
      newLesions: fresh.map((l, k) => ({ centreMm: l.centre.map((c) => +c.toFixed(2)) as Vec3, radiusMm: +l.radiusMm.toFixed(2), voxels: newVoxels[k] })),
      baselineLesions: old.length,
      newLesionVoxels: total,
      followupShiftMm: shift.map((v) => +v.toFixed(3)) as Vec3,
      followupRotationDeg: rotDeg.map((v) => +v.toFixed(3)) as Vec3,
    },
    labels,
  };
}
