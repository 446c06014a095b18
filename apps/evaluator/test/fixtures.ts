// Tiny checkpoints and FLAIR pairs for the predict/evaluate tests: small widths and volumes so a
// prediction takes well under a second on the cpu backend.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vec3, Volume } from '@lesionseg/data';
import { generatePhantom, phantomOptions, writeNifti } from '@lesionseg/data';
import { createUNet, saveCheckpoint } from '@lesionseg/models';

/** Anisotropic voxels and an oblique affine: a mask written on any other grid would show. */
export const SPACING: Vec3 = [1.25, 1, 1.5];
export const SHAPE: Vec3 = [16, 18, 16];
export const OBLIQUE = [
  [-1.25 * Math.cos(0.2), -Math.sin(0.2), 0, 12.3],
  [1.25 * Math.sin(0.2), Math.cos(0.2), 0, -20.1],
  [0, 0, 1.5, -7.7],
  [0, 0, 0, 1],
];

export const TINY_UNET = { widths: [2, 4], groups: 1, inChannels: 2, seed: 3 };

/**
 * A run folder RUN/config.json + RUN/checkpoints/best written with the models lib (random weights,
 * EMA off). `data` is the config's data section (spacingMm, patchSize).
 */
export async function writeTinyRun(
  runDir: string,
  data: { spacingMm: number | null; patchSize: number },
  split?: { train: string[]; validation: string[] },
): Promise<void> {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(
    join(runDir, 'config.json'),
    JSON.stringify({ name: 'tiny', data: { type: 'msseg2', ...data }, validation: { type: 'dice', model: 'raw', stride: null } }),
  );
  if (split) writeFileSync(join(runDir, 'split.json'), JSON.stringify({ ...split, seed: 1 }));
  const model = createUNet(TINY_UNET);
  await saveCheckpoint(join(runDir, 'checkpoints', 'best'), { model });
  model.dispose();
}

/**
 * A checkpoint whose network outputs the same logit everywhere: every weight 0 except the head's
 * bias. GroupNorm of a constant 0 is 0 and its beta is 0, so every layer outputs 0 and the logit
 * is the bias. Preprocessing is stored in the checkpoint's plugin state (no run folder).
 */
export async function writeConstantCheckpoint(dir: string, logit: number, data: { spacingMm: number | null; patchSize: number }): Promise<void> {
  const model = createUNet(TINY_UNET);
  const zeros = new Map<string, Float32Array>();
  for (const [name, v] of model.params) zeros.set(name, new Float32Array(v.size).fill(name === 'head/bias' ? logit : 0));
  model.setWeights(zeros);
  await saveCheckpoint(dir, { model, plugins: { preprocessing: data } });
  model.dispose();
}

/** A phantom pair (and its ground truth) on the oblique grid. */
export function tinyPhantom(seed: number): { baseline: Volume; followup: Volume; groundTruth: Volume } {
  const p = generatePhantom(seed, phantomOptions('quick', { shape: SHAPE, spacing: SPACING }));
  const onGrid = (v: Volume): Volume => ({ ...v, affine: OBLIQUE.map((r) => r.slice()) });
  return { baseline: onGrid(p.baseline), followup: onGrid(p.followup), groundTruth: onGrid(p.groundTruth) };
}

/** Write patient folders in the MSSEG-2 layout. */
export async function writeTinyDataset(dir: string, ids: string[]): Promise<void> {
  for (const [k, id] of ids.entries()) {
    const p = tinyPhantom(100 + k);
    await writeNifti(join(dir, id, 'flair_time01_on_middle_space.nii.gz'), p.baseline, { datatype: 'float32' });
    await writeNifti(join(dir, id, 'flair_time02_on_middle_space.nii.gz'), p.followup, { datatype: 'float32' });
    await writeNifti(join(dir, id, 'ground_truth.nii.gz'), p.groundTruth, { datatype: 'uint8' });
  }
}
