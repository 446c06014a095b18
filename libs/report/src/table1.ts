/**
 * A table in the style of the paper's Table 1: for patients with new lesions, mean (SEM) of
 * Dice, lesion-level F1, sensitivity and PPV; for patients without, mean (SEM) of the number
 * and volume of (false-positive) predicted lesions. Plus the training cost per iteration,
 * which the paper compares (OHEM iterations about 2x longer).
 */
import type { CohortSummary, MeanSem } from '@lesionseg/metrics';

export interface Table1Row {
  configuration: string;
  /** The cohort summary of the evaluator's results.json (`summary`). */
  summary: CohortSummary;
  /** Mean training time per iteration, ms. */
  msPerIteration?: number | null;
  iterations?: number | null;
}

export function formatMeanSem(s: MeanSem, digits = 3): string {
  if (!Number.isFinite(s.mean)) return 'n/a';
  const sem = Number.isFinite(s.sem) ? s.sem.toFixed(digits) : 'n/a';
  return `${s.mean.toFixed(digits)} (${sem})`;
}

const HEADER = [
  'configuration',
  'Dice',
  'lesion F1',
  'lesion sensitivity',
  'lesion PPV',
  'FP lesions (no new lesion)',
  'FP volume mm3 (no new lesion)',
  'ms / iteration',
  'iterations',
];

function cells(r: Table1Row): string[] {
  const w = r.summary.withNewLesions;
  const wo = r.summary.withoutNewLesions;
  return [
    r.configuration,
    formatMeanSem(w.dice),
    formatMeanSem(w.lesionF1),
    formatMeanSem(w.lesionSensitivity),
    formatMeanSem(w.lesionPpv),
    formatMeanSem(wo.nPredLesions, 2),
    formatMeanSem(wo.predLesionVolumeMm3, 1),
    r.msPerIteration === null || r.msPerIteration === undefined ? 'n/a' : r.msPerIteration.toFixed(0),
    r.iterations === null || r.iterations === undefined ? 'n/a' : String(r.iterations),
  ];
}

export function table1Markdown(rows: readonly Table1Row[]): string {
  const nWith = Math.max(0, ...rows.map((r) => r.summary.withNewLesions.nPatients));
  const nWithout = Math.max(0, ...rows.map((r) => r.summary.withoutNewLesions.nPatients));
  const lines = [
    `Mean (SEM) per patient; ${nWith} patients with new lesions, ${nWithout} without.`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).join(' | ')} |`),
  ];
  return lines.join('\n') + '\n';
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per configuration, numbers unformatted (mean, sem and n columns) for other tools. */
export function table1Csv(rows: readonly Table1Row[]): string {
  const stats: [string, (r: Table1Row) => MeanSem][] = [
    ['dice', (r) => r.summary.withNewLesions.dice],
    ['lesion_f1', (r) => r.summary.withNewLesions.lesionF1],
    ['lesion_sensitivity', (r) => r.summary.withNewLesions.lesionSensitivity],
    ['lesion_ppv', (r) => r.summary.withNewLesions.lesionPpv],
    ['fp_lesions', (r) => r.summary.withoutNewLesions.nPredLesions],
    ['fp_volume_mm3', (r) => r.summary.withoutNewLesions.predLesionVolumeMm3],
  ];
  const header = [
    'configuration',
    'patients_with_new_lesions',
    'patients_without_new_lesions',
    ...stats.flatMap(([k]) => [`${k}_mean`, `${k}_sem`, `${k}_n`]),
    'ms_per_iteration',
    'iterations',
  ];
  const body = rows.map((r) =>
    [
      r.configuration,
      r.summary.withNewLesions.nPatients,
      r.summary.withoutNewLesions.nPatients,
      ...stats.flatMap(([, get]) => {
        const s = get(r);
        return [Number.isFinite(s.mean) ? s.mean : null, Number.isFinite(s.sem) ? s.sem : null, s.n];
      }),
      r.msPerIteration ?? null,
      r.iterations ?? null,
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...body].join('\n') + '\n';
}
