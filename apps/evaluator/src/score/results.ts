import type { CohortSummary, MeanSem, PatientScore, ScoreParams } from '@lesionseg/metrics';
import type { ScoreProvenance } from './provenance.ts';

/** One row of results.json `patients`: the patient id and files, then the metrics. */
export type PatientResult = { patient: string; gtFile: string; predFile: string } & PatientScore;

/** The results.json document. Field names are a contract: users and other tools parse them. */
export interface ScoreResults {
  params: ScoreParams & { connectivity: 6; ignoreGeometry: boolean; gt: string; pred: string; semantics: string };
  /** Tool version and commit, date, the masks' checksums (and how they were predicted, from evaluate). */
  provenance?: ScoreProvenance;
  patients: PatientResult[];
  summary: CohortSummary;
}

/** Stable key order: the scores users read first, then counts, then the per-lesion lists. */
export function patientResult(patient: string, gtFile: string, predFile: string, s: PatientScore): PatientResult {
  const {
    gtEmpty,
    dice,
    lesionSensitivity,
    lesionPpv,
    lesionF1,
    nGtLesions,
    nPredLesions,
    tpGt,
    tpPred,
    predLesionVolumeMm3,
    gtLesions,
    predLesions,
    ...rest
  } = s;
  return {
    patient,
    gtEmpty,
    dice,
    lesionSensitivity,
    lesionPpv,
    lesionF1,
    nGtLesions,
    nPredLesions,
    tpGt,
    tpPred,
    predLesionVolumeMm3,
    ...rest,
    gtFile,
    predFile,
    gtLesions,
    predLesions,
  };
}

/** JSON text; NaN (sensitivity without any GT lesion above the size limit, SEM of n < 2) becomes null. */
export function resultsJson(r: ScoreResults): string {
  return `${layout(r, 0)}\n`;
}

/**
 * Indented down to the lesion lists, one compact line per lesion and per mean/SEM record below
 * that: a cohort of hundreds of lesions stays readable and diffable.
 */
function layout(v: unknown, depth: number): string {
  if (depth >= 4 || (depth === 3 && !Array.isArray(v)) || v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const pad = ' '.repeat(depth + 1);
  const end = ' '.repeat(depth);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => pad + layout(x, depth + 1)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${layout(x, depth + 1)}`).join(',\n')}\n${end}}`;
}

const CSV_COLUMNS = [
  'patient',
  'gtEmpty',
  'dice',
  'lesionSensitivity',
  'lesionPpv',
  'lesionF1',
  'nGtLesions',
  'nPredLesions',
  'tpGt',
  'tpPred',
  'predLesionVolumeMm3',
  'gtLesionVolumeMm3',
  'gtSmallComponents',
  'predSmallComponents',
  'gtFile',
  'predFile',
] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per patient; empty cells where results.json has null. */
export function resultsCsv(r: ScoreResults): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const p of r.patients) lines.push(CSV_COLUMNS.map((c) => csvCell(p[c])).join(','));
  return `${lines.join('\n')}\n`;
}

const LESION_COLUMNS = [
  'patient',
  'mask',
  'label',
  'voxels',
  'volumeMm3',
  'centroidX',
  'centroidY',
  'centroidZ',
  'worldX',
  'worldY',
  'worldZ',
  'matched',
  'reason',
  'coveredFraction',
  'rejectedBy',
  'overlapsWith',
] as const;

/**
 * One row per lesion of every patient, GT ("gt": matched = detected) and prediction ("pred":
 * matched = true positive): the "which lesion did it miss, and where" table.
 */
export function lesionsCsv(r: ScoreResults): string {
  const lines: string[] = [LESION_COLUMNS.join(',')];
  for (const p of r.patients) {
    for (const [mask, list] of [
      ['gt', p.gtLesions],
      ['pred', p.predLesions],
    ] as const) {
      for (const l of list) {
        const w = l.centroidWorld ?? [null, null, null];
        const row = [
          p.patient,
          mask,
          l.label,
          l.voxels,
          l.volumeMm3,
          ...l.centroidVoxel,
          ...w,
          l.matched,
          l.reason,
          l.coveredFraction,
          l.rejectedBy,
          l.overlaps.map((o) => `${o.label}:${o.voxels}`).join(' '),
        ];
        lines.push(row.map(csvCell).join(','));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const f = (v: number | null, digits = 4): string => (v === null || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

function msRow(name: string, m: MeanSem, digits = 4): string {
  const nan = m.nNaN > 0 ? ` (${m.nNaN} NaN excluded)` : '';
  return `| ${name} | ${f(m.mean, digits)} | ${f(m.sem, digits)} | ${m.n}${nan} |`;
}

/** Markdown: the paper's Table 1 layout (mean and SEM per group), then one row per patient. */
export function resultsMarkdown(r: ScoreResults): string {
  const { withNewLesions: w, withoutNewLesions: wo } = r.summary;
  const p = r.params;
  const out = [
    `# MSSEG-2 scores`,
    '',
    `Anima animaSegPerfAnalyzer rules: 6-connectivity, lesions > ${p.minLesionMm3} mm3, alpha ${p.alpha}, coverage ${p.coverage}, max outside ${p.maxOutside}.`,
    '',
    `## Patients with new lesions (${w.nPatients})`,
    '',
    '| metric | mean | SEM | n |',
    '| --- | --- | --- | --- |',
    msRow('Dice', w.dice),
    msRow('Lesion sensitivity', w.lesionSensitivity),
    msRow('Lesion PPV', w.lesionPpv),
    msRow('Lesion F1', w.lesionF1),
    '',
    `## Patients without new lesions (${wo.nPatients})`,
    '',
    '| metric | mean | SEM | n |',
    '| --- | --- | --- | --- |',
    msRow('Predicted lesions', wo.nPredLesions, 3),
    msRow('Predicted lesion volume (mm3)', wo.predLesionVolumeMm3, 3),
    '',
    '## Per patient',
    '',
    '| patient | Dice | SensL | PPVL | F1 | GT lesions | predicted lesions | detected GT | TP predicted | predicted volume (mm3) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.patients.map(
      (q) =>
        `| ${q.patient} | ${f(q.dice)} | ${f(q.lesionSensitivity)} | ${f(q.lesionPpv)} | ${f(q.lesionF1)} | ${q.nGtLesions} | ${q.nPredLesions} | ${q.gtEmpty ? '-' : q.tpGt} | ${q.gtEmpty ? '-' : q.tpPred} | ${q.predLesionVolumeMm3.toFixed(3)} |`,
    ),
    '',
  ];
  return out.join('\n');
}
