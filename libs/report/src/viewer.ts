/**
 * Writes OUT/viewer/<patient>.html (one interactive NiiVue viewer per evaluated patient) and
 * OUT/viewer/niivue.umd.js (NiiVue's own bundle, copied from node_modules), so the viewers
 * work offline from the run folder and move with it.
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encodeNifti, MSSEG2_FILES, readNifti, RUN_FILES, writeFileAtomic, type NiftiImage } from '@lesionseg/data';
import type { EvaluatedPatient, Evaluation } from './evaluation.ts';
import { lesionRows } from './lesion-table.ts';
import { sharedWindow } from './overlay.ts';
import { allExist, evaluationFile } from './patient-figures.ts';
import { viewerPageHtml } from './viewer-page.ts';

/** NiiVue's UMD bundle (defines window.niivue): the package's exports do not list it, so found from its entry point. */
export function niivueBundlePath(): string {
  const entry = fileURLToPath(import.meta.resolve('@niivue/niivue'));
  return join(dirname(entry), '..', '..', 'dist', 'niivue.umd.js');
}

/** A file-name-safe form of a patient id. */
export function viewerFileName(patient: string): string {
  return `${patient.replace(/[^A-Za-z0-9._-]/g, '_')}.html`;
}

/** At most ~2 M evenly spaced values of a volume: enough for percentiles, fast on full-size scans. */
function sample(data: Float32Array): Float32Array {
  const step = Math.max(1, Math.ceil(data.length / 2_000_000));
  if (step === 1) return data;
  const out = new Float32Array(Math.ceil(data.length / step));
  for (let i = 0, k = 0; i < data.length; i += step, k++) out[k] = data[i];
  return out;
}

/** NIfTI-1 header: intent_code (int16) at byte 68; NIFTI_INTENT_LABEL marks a label map. */
const INTENT_CODE_OFFSET = 68;
const NIFTI_INTENT_LABEL = 1002;

/**
 * A mask as the viewer draws it: a uint8 label map (0/1, intent NIFTI_INTENT_LABEL) on the mask's
 * own grid, gzipped. NiiVue draws label maps through its atlas shader, the only path of NiiVue
 * 0.69 that outlines an overlay in the overlay's colour (atlasOutline); other overlays are filled.
 */
export function labelMapBytes(mask: NiftiImage, path: string): Buffer {
  const binary = Float32Array.from(mask.data, (v) => (v > 0.5 ? 1 : 0));
  const bytes = encodeNifti(path, { ...mask, data: binary }, { datatype: 'uint8', template: mask });
  new DataView(bytes.buffer, bytes.byteOffset).setInt16(INTENT_CODE_OFFSET, NIFTI_INTENT_LABEL, true);
  return gzipSync(bytes, { level: 6 });
}

function world(affine: readonly (readonly number[])[], v: readonly number[]): number[] {
  return [0, 1, 2].map((i) => affine[i][0] * v[0] + affine[i][1] * v[1] + affine[i][2] * v[2] + affine[i][3]);
}

export interface ViewerLink {
  patient: string;
  /** Relative to outDir. */
  href: string;
}

export interface ViewerOptions {
  /** Which patients (default: every patient with files). */
  patients?: readonly string[];
  /** Where a patient's FLAIRs are; default: next to its ground truth (MSSEG-2 layout). */
  flairs?: (p: EvaluatedPatient) => { baseline: string; followup: string } | null;
  /** The report the viewers link back to, in outDir (default report.html). */
  report?: string;
}

export async function writePatientViewers(outDir: string, evaluation: Evaluation, options: ViewerOptions = {}): Promise<ViewerLink[]> {
  const dir = join(outDir, RUN_FILES.viewer);
  await mkdir(dir, { recursive: true });
  const bundle = join(dir, 'niivue.umd.js');
  const source = niivueBundlePath();
  const [a, b] = await Promise.all([stat(source), stat(bundle).catch(() => null)]);
  if (!b || b.size !== a.size) await copyFile(source, bundle);
  const links: ViewerLink[] = [];
  const wanted = options.patients ? new Set(options.patients) : null;
  for (const p of evaluation.patients) {
    if (!p.gtFile || !p.predFile || (wanted && !wanted.has(p.patient))) continue;
    const gtFile = evaluationFile(evaluation, p.gtFile);
    const predFile = evaluationFile(evaluation, p.predFile);
    const flairs = options.flairs?.(p) ?? { baseline: join(dirname(gtFile), MSSEG2_FILES.baseline), followup: join(dirname(gtFile), MSSEG2_FILES.followup) };
    if (!(await allExist([flairs.baseline, flairs.followup, gtFile, predFile]))) continue; // files moved away: no viewer rather than no report
    const [baseline, followup, gt, pred] = await Promise.all([flairs.baseline, flairs.followup, gtFile, predFile].map((f) => readNifti(f)));
    const [bBytes, fBytes] = await Promise.all([flairs.baseline, flairs.followup].map((f) => readFile(f)));
    const gz = (f: string) => (f.endsWith('.gz') ? '.nii.gz' : '.nii');
    const lesions = lesionRows(p).map((l) => ({ ...l, centroidWorld: l.centroidWorld ?? world(followup.affine, l.centroidVoxel) }));
    const file = viewerFileName(p.patient);
    const html = viewerPageHtml({
      patient: p.patient,
      baseline: { name: `baseline${gz(flairs.baseline)}`, bytes: bBytes },
      followup: { name: `followup${gz(flairs.followup)}`, bytes: fBytes },
      groundTruth: { name: 'ground_truth.nii.gz', bytes: labelMapBytes(gt, gtFile) },
      prediction: { name: 'prediction.nii.gz', bytes: labelMapBytes(pred, predFile) },
      window: sharedWindow([sample(baseline.data), sample(followup.data)]),
      lesions,
      niivueScript: 'niivue.umd.js',
      reportHref: relative(dir, join(outDir, options.report ?? RUN_FILES.report)),
      subtitle: p.gtEmpty
        ? 'No new lesion in the ground truth: every predicted lesion is a false positive.'
        : `Dice ${p.dice === null ? 'n/a' : p.dice.toFixed(3)}.`,
    });
    await writeFileAtomic(join(dir, file), html);
    links.push({ patient: p.patient, href: `viewer/${file}` });
  }
  return links;
}
