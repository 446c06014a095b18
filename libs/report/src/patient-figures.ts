/**
 * Figure-3-style overlays for a few evaluated patients: the patients with new lesions whose
 * largest ground-truth lesion is biggest (the clearest pictures), read from the dataset and the
 * prediction files named in results.json.
 */
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MSSEG2_FILES, readNifti } from '@lesionseg/data';
import type { EvaluatedPatient, Evaluation } from './evaluation.ts';
import type { ReportFigure } from './html.ts';
import { renderOverlay, sliceThroughLargestLesion } from './overlay.ts';
import { encodePng } from './png.ts';

export interface PatientFigureOptions {
  /** How many patients to draw. */
  count?: number;
  /** Where a patient's FLAIRs are; default: next to its ground truth (MSSEG-2 layout). */
  flairs?: (p: EvaluatedPatient) => { baseline: string; followup: string } | null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function largestLesion(p: EvaluatedPatient): number {
  return Math.max(0, ...p.gtLesions.map((l) => l.voxels));
}

export function pickPatients(evaluation: Evaluation, count: number): EvaluatedPatient[] {
  return evaluation.patients
    .filter((p) => !p.gtEmpty && p.gtFile && p.predFile)
    .sort((a, b) => largestLesion(b) - largestLesion(a) || a.patient.localeCompare(b.patient))
    .slice(0, count);
}

export async function patientFigures(evaluation: Evaluation, options: PatientFigureOptions = {}): Promise<ReportFigure[]> {
  const figures: ReportFigure[] = [];
  for (const p of pickPatients(evaluation, options.count ?? 3)) {
    const paths =
      options.flairs?.(p) ??
      ({ baseline: join(dirname(p.gtFile as string), MSSEG2_FILES.baseline), followup: join(dirname(p.gtFile as string), MSSEG2_FILES.followup) } as const);
    if (!(await exists(paths.baseline)) || !(await exists(paths.followup))) continue;
    const [baseline, followup, groundTruth, prediction] = await Promise.all([
      readNifti(paths.baseline),
      readNifti(paths.followup),
      readNifti(p.gtFile as string),
      readNifti(p.predFile as string),
    ]);
    const z = sliceThroughLargestLesion(p.gtLesions, followup.shape[2]);
    const png = encodePng(renderOverlay({ baseline, followup, groundTruth, prediction }, { z }));
    const dice = p.dice === null ? 'n/a' : p.dice.toFixed(3);
    figures.push({
      png,
      alt: `patient ${p.patient}, slice ${z}`,
      caption: `Patient ${p.patient}, axial slice ${z} through the largest new lesion: baseline, follow-up, follow-up with ground truth (green), prediction (red), both (yellow). Dice ${dice}; ${p.nGtLesions} ground-truth and ${p.nPredLesions} predicted lesions.`,
    });
  }
  return figures;
}
