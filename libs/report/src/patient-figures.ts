/**
 * Figure-3-style overlays for a few evaluated patients, read from the dataset and the
 * prediction files named in results.json: the patients with new lesions whose largest lesion
 * is biggest (the clearest pictures), and the patients without new lesions with the most
 * predicted lesions (their false positives are what MSSEG-2 penalises there).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { MSSEG2_FILES, pathExists, readNifti } from '@lesionseg/data';
import type { EvaluatedPatient, Evaluation } from './evaluation.ts';
import type { ReportFigure } from './html.ts';
import { svgToPng } from './learning-curves.ts';
import { axisCodes, closestCanonical } from './orientation.ts';
import { axialSliceThroughLargestLesion, overlaySvg, renderOverlayPanels } from './overlay.ts';
import { encodePng } from './png.ts';

export interface PatientFigureOptions {
  /** How many patients with new lesions to draw (default 3). */
  count?: number;
  /** How many patients without new lesions to draw (default 1). */
  countWithout?: number;
  /** Where a patient's FLAIRs are; default: next to its ground truth (MSSEG-2 layout). */
  flairs?: (p: EvaluatedPatient) => { baseline: string; followup: string } | null;
}

export async function allExist(paths: readonly string[]): Promise<boolean> {
  return (await Promise.all(paths.map(pathExists))).every(Boolean);
}

function largestLesion(p: EvaluatedPatient): number {
  return Math.max(0, ...p.gtLesions.map((l) => l.voxels));
}

/** A file named in results.json: absolute, or relative to the folder of results.json (a moved evaluation). */
export function evaluationFile(evaluation: Evaluation, file: string): string {
  return isAbsolute(file) ? file : resolve(dirname(evaluation.path), file);
}

/** Drawable patients, best first: with new lesions by largest lesion, without by most predicted lesions. */
function ranked(evaluation: Evaluation, withLesions: boolean): EvaluatedPatient[] {
  const drawable = evaluation.patients.filter((p) => p.gtFile && p.predFile && p.gtEmpty !== withLesions);
  return withLesions
    ? drawable.sort((a, b) => largestLesion(b) - largestLesion(a) || a.patient.localeCompare(b.patient))
    : drawable.sort((a, b) => b.nPredLesions - a.nPredLesions || a.patient.localeCompare(b.patient));
}

export function pickPatients(evaluation: Evaluation, count: number, countWithout = 0): EvaluatedPatient[] {
  return [...ranked(evaluation, true).slice(0, count), ...ranked(evaluation, false).slice(0, countWithout)];
}

/** The figure of one patient: a PNG through the axial slice of its largest lesion (GT, else predicted). */
export async function patientFigure(
  p: EvaluatedPatient,
  paths: { baseline: string; followup: string; groundTruth: string; prediction: string },
): Promise<ReportFigure> {
  const [baseline, followup, groundTruth, prediction] = await Promise.all([
    readNifti(paths.baseline),
    readNifti(paths.followup),
    readNifti(paths.groundTruth),
    readNifti(paths.prediction),
  ]);
  const mapping = closestCanonical(followup.affine);
  const lesions = p.gtEmpty ? p.predLesions : p.gtLesions;
  const slice = axialSliceThroughLargestLesion(lesions, followup.shape, mapping);
  const panels = renderOverlayPanels({ baseline, followup, groundTruth, prediction, affine: followup.affine }, { slice });
  const png = svgToPng(overlaySvg(panels, encodePng, `patient ${p.patient}`), 1);
  const dice = p.dice === null || p.dice === undefined ? 'n/a' : p.dice.toFixed(3);
  const what = p.gtEmpty
    ? `no new lesion; ${p.nPredLesions} predicted (false-positive) lesion${p.nPredLesions === 1 ? '' : 's'}, slice through the largest`
    : `slice through the largest new lesion; Dice ${dice}; ${p.nGtLesions} ground-truth and ${p.nPredLesions} predicted lesions`;
  return {
    png,
    alt: `patient ${p.patient}, axial slice ${slice + 1}`,
    caption: `Patient ${p.patient}, axial slice ${slice + 1} of ${panels.slices} (stored as ${axisCodes(followup.affine)}, shown radiological): ${what}.`,
  };
}

export async function patientFigures(evaluation: Evaluation, options: PatientFigureOptions = {}): Promise<ReportFigure[]> {
  const figures: ReportFigure[] = [];
  for (const [withLesions, count] of [
    [true, options.count ?? 3],
    [false, options.countWithout ?? 1],
  ] as const) {
    let drawn = 0;
    for (const p of ranked(evaluation, withLesions)) {
      if (drawn >= count) break;
      const gtFile = evaluationFile(evaluation, p.gtFile as string);
      const paths = options.flairs?.(p) ?? { baseline: join(dirname(gtFile), MSSEG2_FILES.baseline), followup: join(dirname(gtFile), MSSEG2_FILES.followup) };
      const prediction = evaluationFile(evaluation, p.predFile as string);
      // A moved evaluation whose results.json names absolute paths: draw the next patient whose files are still there.
      if (!(await allExist([paths.baseline, paths.followup, gtFile, prediction]))) continue;
      figures.push(await patientFigure(p, { ...paths, groundTruth: gtFile, prediction }));
      drawn++;
    }
  }
  return figures;
}
