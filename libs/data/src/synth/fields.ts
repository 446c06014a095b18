import type { Vec3 } from '../volume.ts';
import type { Random } from '../random.ts';
import { uniform } from '../random.ts';

/**
 * A smooth random scalar field in mm space: a sum of plane waves with random directions,
 * wavelengths and phases, normalised to roughly [-1, 1]. Cheap (a few sines per point) and
 * seeded, which is all a phantom needs for folds, texture and bias fields.
 */
export interface WaveField {
  (p: Vec3): number;
  /** Approximate distance in mm from p to the field's zero level set (|f| / |grad f|). */
  distanceToZero(p: Vec3): number;
}

export function waveField(rng: Random, waves: number, minWavelengthMm: number, maxWavelengthMm: number): WaveField {
  const kx = new Float64Array(waves);
  const ky = new Float64Array(waves);
  const kz = new Float64Array(waves);
  const ph = new Float64Array(waves);
  for (let i = 0; i < waves; i++) {
    // Uniform direction on the sphere.
    const u = uniform(rng, -1, 1);
    const t = uniform(rng, 0, 2 * Math.PI);
    const s = Math.sqrt(1 - u * u);
    const k = (2 * Math.PI) / uniform(rng, minWavelengthMm, maxWavelengthMm);
    kx[i] = k * s * Math.cos(t);
    ky[i] = k * s * Math.sin(t);
    kz[i] = k * u;
    ph[i] = uniform(rng, 0, 2 * Math.PI);
  }
  const norm = 1 / Math.sqrt(waves / 2); // sum of n unit sines has std sqrt(n/2)
  const field = (p: Vec3): number => {
    let v = 0;
    for (let i = 0; i < waves; i++) v += Math.sin(kx[i] * p[0] + ky[i] * p[1] + kz[i] * p[2] + ph[i]);
    return v * norm * 0.5;
  };
  field.distanceToZero = (p: Vec3): number => {
    let v = 0;
    let gx = 0;
    let gy = 0;
    let gz = 0;
    for (let i = 0; i < waves; i++) {
      const a = kx[i] * p[0] + ky[i] * p[1] + kz[i] * p[2] + ph[i];
      v += Math.sin(a);
      const c = Math.cos(a);
      gx += c * kx[i];
      gy += c * ky[i];
      gz += c * kz[i];
    }
    return Math.abs(v) / (Math.hypot(gx, gy, gz) + 1e-9);
  };
  return field;
}
