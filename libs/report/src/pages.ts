/**
 * The two reports: one training run (RUN_DIR/report.html) and a comparison of configurations
 * (COMPARE_DIR/report.html, the paper's Figure 2 and Table 1). Both are written with their
 * figures also as separate files (SVG and PNG) and tables as Markdown and CSV, for papers.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@lesionseg/data';
import type { Evaluation } from './evaluation.ts';
import { buildReportHtml, escapeHtml, figureHtml, markdownTableHtml, preHtml, svgHtml, type ReportFigure, type ReportSection } from './html.ts';
import { renderLearningCurves } from './learning-curves.ts';
import type { RunSummary } from './run-folder.ts';
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

function perPatientHtml(evaluation: Evaluation): string {
  const head = ['patient', 'new lesions', 'Dice', 'lesion sensitivity', 'lesion PPV', 'lesion F1', 'GT lesions', 'predicted lesions'];
  const rows = evaluation.patients.map((p) => [
    p.patient,
    p.gtEmpty ? 'no' : 'yes',
    fmt(p.dice),
    fmt(p.lesionSensitivity),
    fmt(p.lesionPpv),
    fmt(p.lesionF1),
    String(p.nGtLesions),
    String(p.nPredLesions),
  ]);
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function figuresHtml(figures: readonly ReportFigure[]): string {
  return figures.length > 0 ? figures.map(figureHtml).join('\n') : '<p>No patient with new lesions to draw.</p>';
}

export interface RunReportInput {
  run: RunSummary;
  evaluation?: Evaluation | null;
  figures?: ReportFigure[];
}

/** Writes RUN_DIR/report.html, curves.svg and curves.png. Returns the report's path. */
export async function writeRunReport(outDir: string, input: RunReportInput): Promise<string> {
  const { run, evaluation } = input;
  const { svg, png } = await renderLearningCurves([{ name: run.name, points: run.curve }], { title: `Validation Dice: ${run.name}` });
  await writeFileAtomic(join(outDir, 'curves.svg'), svg);
  await writeFileAtomic(join(outDir, 'curves.png'), png);
  const sections: ReportSection[] = [
    { heading: 'Training', html: runFactsHtml([run]) },
    { heading: 'Learning curve', html: run.curve.length > 0 ? svgHtml(svg, 'learning curve') : '<p>No validation was run.</p>' },
  ];
  if (evaluation) {
    sections.push(
      { heading: 'Scores (MSSEG-2 metrics)', html: markdownTableHtml(table1Markdown([table1Row(run, evaluation)])) },
      { heading: 'Per patient', html: perPatientHtml(evaluation) },
      { heading: 'Patients', html: figuresHtml(input.figures ?? []) },
    );
  }
  sections.push({ heading: 'Configuration', html: preHtml(JSON.stringify(run.config, null, 2)) });
  const path = join(outDir, 'report.html');
  await writeFileAtomic(
    path,
    buildReportHtml({ title: `lesionseg run ${run.name}`, subtitle: `Run folder: ${run.dir}${evaluation ? `; evaluation: ${evaluation.path}` : ''}`, sections }),
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
}

/**
 * Writes COMPARE_DIR/report.html, curves.svg/png, table.md, table.csv and timing.json.
 * Returns the report's path.
 */
export async function writeCompareReport(outDir: string, input: CompareReportInput): Promise<string> {
  const runs = input.entries.map((e) => e.run);
  const { svg, png } = await renderLearningCurves(
    runs.map((r) => ({ name: r.name, points: r.curve })),
    { title: 'Validation Dice against training time (paper, Figure 2)' },
  );
  await writeFileAtomic(join(outDir, 'curves.svg'), svg);
  await writeFileAtomic(join(outDir, 'curves.png'), png);
  const rows = input.entries.filter((e) => e.evaluation).map((e) => table1Row(e.run, e.evaluation as Evaluation));
  const md = table1Markdown(rows);
  await writeFileAtomic(join(outDir, 'table.md'), md);
  await writeFileAtomic(join(outDir, 'table.csv'), table1Csv(rows));
  await writeFileAtomic(
    join(outDir, 'timing.json'),
    JSON.stringify(
      runs.map((r) => ({ configuration: r.name, iterations: r.iterations, trainingMs: r.trainingMs, msPerIteration: r.msPerIteration, bestValidationDice: r.bestDice })),
      null,
      2,
    ) + '\n',
  );
  const sections: ReportSection[] = [
    { heading: 'Learning curves', html: svgHtml(svg, 'learning curves') },
    { heading: 'Training cost', html: runFactsHtml(runs) },
    { heading: 'Held-out scores (paper, Table 1)', html: rows.length > 0 ? markdownTableHtml(md) : '<p>No configuration was evaluated.</p>' },
  ];
  if (input.figures) sections.push({ heading: `Patients${input.figuresOf ? ` (predictions of ${input.figuresOf})` : ''}`, html: figuresHtml(input.figures) });
  if (input.notes && input.notes.length > 0) sections.push({ heading: 'Notes', html: `<ul>${input.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` });
  sections.push({ heading: 'Configurations', html: runs.map((r) => `<details><summary>${escapeHtml(r.name)}</summary>${preHtml(JSON.stringify(r.config, null, 2))}</details>`).join('\n') });
  const path = join(outDir, 'report.html');
  await writeFileAtomic(path, buildReportHtml({ title: 'lesionseg comparison: OHEM vs fixed oversampling', subtitle: `Comparison folder: ${outDir}`, sections }));
  return path;
}
