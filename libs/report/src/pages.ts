/**
 * The two reports: one training run (RUN_DIR/report.html) and a comparison of configurations
 * (COMPARE_DIR/report.html, the paper's Figure 2 and Table 1). Both are written with their
 * figures also as separate files (SVG and PNG) and tables as Markdown and CSV, for papers.
 */
import { join } from 'node:path';
import { RUN_FILES, writeFileAtomic } from '@lesionseg/data';
import type { Evaluation } from './evaluation.ts';
import { buildReportHtml, escapeHtml, figureHtml, markdownTableHtml, preHtml, svgHtml, type ReportFigure, type ReportSection } from './html.ts';
import { lesionRows } from './lesion-table.ts';
import { renderLearningCurves, renderSpecToSvg, svgToPng } from './learning-curves.ts';
import { provenanceHtml, runProvenance } from './provenance-html.ts';
import { trainingCurvesSpec } from './training-curves.ts';
import type { ViewerLink } from './viewer.ts';
import type { RunSummary } from './run-folder.ts';
import { groupBySeed, seedCurvesSpec, seedTable1Row } from './seed-summary.ts';
import { table1Csv, table1Markdown, type Table1Row } from './table1.ts';

function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function table1Row(run: RunSummary, evaluation: Evaluation): Table1Row {
  return { configuration: run.name, summary: evaluation.summary, msPerIteration: run.msPerIteration, iterations: run.iterations };
}

function runFactsHtml(runs: readonly RunSummary[]): string {
  const head = ['configuration', 'iterations', 'training time', 'ms / iteration', 'relative to fastest', 'best validation Dice'];
  const fastest = Math.min(...runs.map((r) => r.msPerIteration ?? Number.POSITIVE_INFINITY));
  const rows = runs.map((r) => [
    r.name,
    String(r.iterations),
    minutes(r.trainingMs),
    fmt(r.msPerIteration, 0),
    r.msPerIteration !== null && Number.isFinite(fastest) ? `${(r.msPerIteration / fastest).toFixed(2)}x` : 'n/a',
    fmt(r.bestDice),
  ]);
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function perPatientHtml(evaluation: Evaluation, viewers: ReadonlyMap<string, string>): string {
  const head = [
    'patient',
    'new lesions',
    'Dice',
    'lesion sensitivity',
    'lesion PPV',
    'lesion F1',
    'GT lesions',
    'predicted lesions',
    'GT volume mm\u00b3',
    'predicted volume mm\u00b3',
    'viewer',
  ];
  const rows = evaluation.patients.map((p) => {
    const cells = [
      p.patient,
      p.gtEmpty ? 'no' : 'yes',
      fmt(p.dice),
      fmt(p.lesionSensitivity),
      fmt(p.lesionPpv),
      fmt(p.lesionF1),
      String(p.nGtLesions),
      String(p.nPredLesions),
      fmt(p.gtLesionVolumeMm3, 1),
      fmt(p.predLesionVolumeMm3, 1),
    ].map((c) => `<td>${escapeHtml(c)}</td>`);
    const href = viewers.get(p.patient);
    cells.push(`<td>${href ? `<a href="${escapeHtml(href)}">open</a>` : '-'}</td>`);
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<p>Volumes are of the lesions kept by the size filter (&gt; 3 mm\u00b3). The viewer opens the patient in NiiVue (interactive, offline).</p><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Per patient, every lesion: size, detected or not and why (collapsed, one block per patient). */
function perLesionHtml(evaluation: Evaluation): string {
  return evaluation.patients
    .map((p) => {
      const rows = lesionRows(p);
      const missed = rows.filter((r) => r.side === 'gt' && !r.matched).length;
      const fps = rows.filter((r) => r.side === 'pred' && !r.matched).length;
      const summary = `${escapeHtml(p.patient)}: ${p.nGtLesions} ground-truth lesion${p.nGtLesions === 1 ? '' : 's'} (${missed} missed), ${p.nPredLesions} predicted (${fps} false positive${fps === 1 ? '' : 's'})`;
      const body =
        rows.length === 0
          ? '<p>No lesion in the ground truth or the prediction.</p>'
          : `<table><thead><tr><th>lesion</th><th class="text">status</th><th class="text">why</th><th>volume mm\u00b3</th><th>voxels</th><th>covered</th><th>centre (voxel)</th></tr></thead><tbody>${rows
              .map(
                (r) =>
                  `<tr class="${r.matched ? 'ok' : 'bad'}"><td>${r.side === 'gt' ? 'ground truth' : 'prediction'} ${r.label}</td><td class="text">${r.matched ? '\u2713' : '\u2717'} ${escapeHtml(r.status)}</td><td class="text">${escapeHtml(r.why)}</td><td>${r.volumeMm3.toFixed(1)}</td><td>${r.voxels}</td><td>${r.coveredFraction === null ? 'n/a' : `${(100 * r.coveredFraction).toFixed(0)}%`}</td><td>${r.centroidVoxel.map((v) => v.toFixed(1)).join(', ')}</td></tr>`,
              )
              .join('')}</tbody></table>`;
      return `<details><summary>${summary}</summary>${body}</details>`;
    })
    .join('\n');
}

function figuresHtml(figures: readonly ReportFigure[]): string {
  return figures.length > 0 ? figures.map(figureHtml).join('\n') : '<p>No patient to draw (no prediction files found).</p>';
}

/** Config as a collapsed block: it is long and rarely what a reader looks at first. */
function configHtml(name: string, config: unknown): string {
  return `<details><summary>${escapeHtml(name)} (click to show)</summary>${preHtml(JSON.stringify(config, null, 2))}</details>`;
}

export interface RunReportInput {
  run: RunSummary;
  evaluation?: Evaluation | null;
  figures?: ReportFigure[];
  /** Interactive viewers written by writePatientViewers (links relative to the run folder). */
  viewers?: readonly ViewerLink[];
  now?: Date;
}

/** Writes RUN_DIR/report.html, curves.svg/png and training-curves.svg/png. Returns the report's path. */
export async function writeRunReport(outDir: string, input: RunReportInput): Promise<string> {
  const { run, evaluation } = input;
  const { svg, png } = await renderLearningCurves([{ name: run.name, points: run.curve }], { title: `Validation Dice: ${run.name}` });
  await writeFileAtomic(join(outDir, 'curves.svg'), svg);
  await writeFileAtomic(join(outDir, 'curves.png'), png);
  const training = await renderSpecToSvg(trainingCurvesSpec({ steps: run.steps, validation: run.curve, title: `Training curves: ${run.name}` }));
  await writeFileAtomic(join(outDir, 'training-curves.svg'), training);
  await writeFileAtomic(join(outDir, 'training-curves.png'), svgToPng(training));
  const viewers = new Map((input.viewers ?? []).map((v) => [v.patient, v.href]));
  const curvesNote =
    '<p>Training loss per step (light) and smoothed (exponential moving average, dark); validation Dice on the right axis; below, training speed and the learning rate (log scale, right). The trainer validates by Dice only, so there is no validation loss. The numbers are in <code>metrics.csv</code> (one row per step).</p>';
  const sections: ReportSection[] = [
    { heading: 'Training', html: runFactsHtml([run]) },
    { heading: 'Training curves', html: run.steps.length > 0 ? svgHtml(training, 'training curves') + curvesNote : '<p>No training step was logged.</p>' },
  ];
  if (evaluation) {
    sections.push(
      { heading: 'Scores (MSSEG-2 metrics)', html: markdownTableHtml(table1Markdown([table1Row(run, evaluation)])) },
      { heading: 'Per patient', html: perPatientHtml(evaluation, viewers) },
      { heading: 'Per lesion', html: perLesionHtml(evaluation) },
      { heading: 'Patients', html: figuresHtml(input.figures ?? []) },
    );
  }
  sections.push({ heading: 'Provenance', html: provenanceHtml(await runProvenance(run, evaluation, input.now)) });
  sections.push({ heading: 'Configuration', html: configHtml(RUN_FILES.config, run.config) });
  const path = join(outDir, RUN_FILES.report);
  await writeFileAtomic(
    path,
    buildReportHtml({
      title: `lesionseg run ${run.name}`,
      subtitle: `Run folder: ${run.dir}${evaluation ? `; evaluation: ${evaluation.path}` : ''}`,
      sections,
    }),
  );
  return path;
}

export interface CompareEntry {
  run: RunSummary;
  evaluation: Evaluation | null;
}

export interface CompareReportInput {
  entries: CompareEntry[];
  /** Overlays of the best configuration's predictions. */
  figures?: ReportFigure[];
  figuresOf?: string;
  notes?: string[];
  /**
   * With several seeds per configuration: the configuration of a run. The curves then show
   * each configuration's mean over seeds (band: lowest to highest seed), table.md/csv the mean
   * (SEM) over seeds, and table-per-seed.md/csv one row per run.
   */
  configurationOf?: (runName: string) => string;
  /**
   * Whose scores the tables hold, for their headings: held-out test patients or each run's own
   * validation patients (a user comparing with the paper's Table 1 must know which). Default:
   * "held-out patients".
   */
  scoredOn?: string;
}

/**
 * Writes COMPARE_DIR/report.html, curves.svg/png, table.md, table.csv and timing.json.
 * Returns the report's path.
 */
export async function writeCompareReport(outDir: string, input: CompareReportInput): Promise<string> {
  const runs = input.entries.map((e) => e.run);
  const scoredOn = input.scoredOn ?? 'held-out patients';
  const title = 'Validation Dice against training time (paper, Figure 2)';
  const groups = input.configurationOf ? groupBySeed(input.entries, input.configurationOf) : null;
  let svg: string;
  let png: Buffer;
  if (groups) {
    svg = await renderSpecToSvg(seedCurvesSpec(groups, `${title}: mean over seeds, band from lowest to highest`));
    png = svgToPng(svg);
  } else {
    ({ svg, png } = await renderLearningCurves(
      runs.map((r) => ({ name: r.name, points: r.curve })),
      { title },
    ));
  }
  await writeFileAtomic(join(outDir, 'curves.svg'), svg);
  await writeFileAtomic(join(outDir, 'curves.png'), png);
  const perRun = input.entries.filter((e) => e.evaluation).map((e) => table1Row(e.run, e.evaluation as Evaluation));
  const rows = groups ? groups.flatMap((g) => seedTable1Row(g) ?? []) : perRun;
  const md = groups ? `Mean (SEM) over seeds of each seed's per-patient mean.\n\n${table1Markdown(rows)}` : table1Markdown(rows);
  if (groups) {
    await writeFileAtomic(join(outDir, 'table-per-seed.md'), table1Markdown(perRun));
    await writeFileAtomic(join(outDir, 'table-per-seed.csv'), table1Csv(perRun));
  }
  await writeFileAtomic(join(outDir, 'table.md'), md);
  await writeFileAtomic(join(outDir, 'table.csv'), table1Csv(rows));
  await writeFileAtomic(
    join(outDir, 'timing.json'),
    JSON.stringify(
      runs.map((r) => ({
        configuration: r.name,
        iterations: r.iterations,
        trainingMs: r.trainingMs,
        msPerIteration: r.msPerIteration,
        bestValidationDice: r.bestDice,
      })),
      null,
      2,
    ) + '\n',
  );
  const sections: ReportSection[] = [
    { heading: 'Learning curves', html: svgHtml(svg, 'learning curves') },
    { heading: 'Training cost', html: runFactsHtml(runs) },
    { heading: `Scores on ${scoredOn} (paper, Table 1)`, html: rows.length > 0 ? markdownTableHtml(md) : '<p>No configuration was evaluated.</p>' },
  ];
  if (groups && perRun.length > 0) sections.push({ heading: `Scores on ${scoredOn}, per seed`, html: markdownTableHtml(table1Markdown(perRun)) });
  if (input.figures) sections.push({ heading: `Patients${input.figuresOf ? ` (predictions of ${input.figuresOf})` : ''}`, html: figuresHtml(input.figures) });
  if (input.notes && input.notes.length > 0)
    sections.push({ heading: 'Notes', html: `<ul>${input.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` });
  sections.push({ heading: 'Configurations', html: runs.map((r) => configHtml(r.name, r.config)).join('\n') });
  const path = join(outDir, 'report.html');
  await writeFileAtomic(
    path,
    buildReportHtml({ title: 'lesionseg comparison: OHEM vs fixed oversampling', subtitle: `Comparison folder: ${outDir}`, sections }),
  );
  return path;
}
