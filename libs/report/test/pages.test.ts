import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { phantomOptions, readNifti, writeNifti, writeSyntheticDataset } from '@lesionseg/data';
import { scorePatient, summarizeCohort } from '@lesionseg/metrics';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEvaluation } from '../src/evaluation.ts';
import { writeCompareReport, writeRunReport } from '../src/pages.ts';
import { OVERLAY_COLOURS } from '../src/overlay.ts';
import { patientFigures } from '../src/patient-figures.ts';
import { decodePng } from '../src/png.ts';
import { readRunFolder } from '../src/run-folder.ts';
import { checkPage, chromiumAvailable } from './browser.ts';

/**
 * A tiny end-to-end world: three phantom patients, "predictions" that are the ground truth
 * shifted by one voxel, a results.json made with the metrics library (the score command's
 * document shape), and two run folders with event logs.
 */
let root: string;
let resultsPath: string;

async function runFolder(name: string, msPerStep: number, dices: number[]): Promise<string> {
  const dir = join(root, 'runs', name);
  await mkdir(dir, { recursive: true });
  const lines: object[] = [{ type: 'trainStart', iteration: 0, elapsedMs: 0 }];
  dices.forEach((dice, k) => {
    const it = (k + 1) * 10;
    lines.push({ type: 'stepDone', iteration: it, elapsedMs: it * msPerStep, loss: 0.5, lr: 1e-3 });
    lines.push({ type: 'validationDone', iteration: it, elapsedMs: it * msPerStep, dice });
  });
  await writeFile(join(dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  await writeFile(join(dir, 'config.json'), JSON.stringify({ name, strategy: { type: name.startsWith('ohem') ? 'ohem' : 'oversample' } }));
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'report-pages-'));
  const data = join(root, 'data');
  const { ids } = await writeSyntheticDataset(data, {
    patients: 3,
    seed: 5,
    phantom: phantomOptions('quick', { shape: [48, 48, 40], noNewLesionProbability: 0, newLesions: [1, 2], newLesionRadiusMm: [2.5, 3] }),
  });
  const patients = [];
  for (const id of ids) {
    const gtFile = join(data, id, 'ground_truth.nii.gz');
    const gt = await readNifti(gtFile);
    const shifted = new Float32Array(gt.data.length);
    for (let i = 1; i < gt.data.length; i++) shifted[i] = gt.data[i - 1];
    const predFile = join(root, 'pred', `${id}.nii.gz`);
    await writeNifti(predFile, { ...gt, data: shifted }, { datatype: 'uint8' });
    const s = scorePatient(gt, { ...gt, data: shifted });
    patients.push({ patient: id, ...s, gtFile, predFile });
  }
  // A patient without new lesions (empty ground truth beside the first patient's FLAIRs) whose
  // prediction is the first patient's lesions: all false positives. Files relative to results.json.
  const first = patients[0];
  const emptyGt = await readNifti(first.gtFile);
  const emptyFile = join(data, ids[0], 'ground_truth_empty.nii.gz');
  await writeNifti(emptyFile, { ...emptyGt, data: new Float32Array(emptyGt.data.length) }, { datatype: 'uint8' });
  const fp = await readNifti(first.predFile);
  patients.push({
    patient: 'no-new',
    ...scorePatient({ ...emptyGt, data: new Float32Array(emptyGt.data.length) }, fp),
    gtFile: join('..', 'data', ids[0], 'ground_truth_empty.nii.gz'),
    predFile: join('..', 'pred', `${ids[0]}.nii.gz`),
  });
  // A patient whose prediction file is gone (a moved evaluation with absolute paths): skipped, not fatal.
  patients.push({ ...patients[0], patient: 'gone', predFile: join(root, 'elsewhere', 'x.nii.gz') });
  resultsPath = join(root, 'evaluation', 'results.json');
  await mkdir(join(root, 'evaluation'), { recursive: true });
  await writeFile(
    join(root, 'evaluation', 'evaluation.json'),
    JSON.stringify({
      checkpoint: join(root, 'runs', 'ohem-m0.9', 'checkpoints', 'best'),
      weights: 'ema',
      backend: 'wasm',
      threshold: 0.5,
      postprocess: { description: 'no post-processing' },
    }),
  );
  // NaN -> null, as the score command writes it
  await writeFile(
    resultsPath,
    JSON.stringify({ params: {}, patients, summary: summarizeCohort(patients) }, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? null : v)),
  );
}, 60_000);

describe('report pages', () => {
  it('reads results.json back into a cohort summary with NaN for nulls', async () => {
    const e = await readEvaluation(resultsPath);
    expect(e.patients).toHaveLength(5);
    expect(e.summary.withNewLesions.nPatients).toBe(4);
    expect(e.summary.withoutNewLesions.nPatients).toBe(1);
    expect(e.summary.withNewLesions.dice.mean).toBeGreaterThan(0.2);
    expect(e.summary.withNewLesions.dice.mean).toBeLessThan(1);
    await expect(readEvaluation(join(root, 'nope.json'))).rejects.toThrow(/nope\.json: cannot read results \(ENOENT\)/);
  });

  it('draws one overlay per patient with new lesions, through a slice that holds ground truth', async () => {
    const e = await readEvaluation(resultsPath);
    const figures = await patientFigures(e, { count: 5, countWithout: 1 });
    expect(figures.map((f) => f.alt.split(',')[0])).not.toContain('patient gone');
    expect(figures).toHaveLength(4);
    expect(figures[3].caption).toMatch(/^Patient no-new, .*no new lesion; \d+ predicted \(false-positive\) lesions?, slice through the largest/);
    for (const f of figures.slice(0, 2)) {
      const img = decodePng(f.png);
      expect(img.width).toBeGreaterThan(3 * 48);
      const [r, g, b] = OVERLAY_COLOURS.groundTruth;
      let outline = 0;
      // above the legend (the last 46 rows), which has a swatch of that colour
      for (let i = 0; i < (img.height - 46) * img.width * 4; i += 4)
        if (Math.abs(img.data[i] - r) + Math.abs(img.data[i + 1] - g) + Math.abs(img.data[i + 2] - b) < 12) outline++;
      expect(outline).toBeGreaterThan(10); // ground truth visible on the chosen slice
      expect(f.caption).toMatch(/Patient synth-\d+, axial slice \d+ of 40 \(stored as LAS, shown radiological\): slice through the largest new lesion/);
    }
  });

  it('writes a run report and a comparison report with curves, tables and figures', async () => {
    const e = await readEvaluation(resultsPath);
    const a = await readRunFolder(await runFolder('ohem-m0.9', 200, [0.1, 0.4, 0.6]));
    const b = await readRunFolder(await runFolder('oversample-p0.5', 100, [0.2, 0.5, 0.7, 0.72]));
    const figures = await patientFigures(e, { count: 1 });
    const viewers = [{ patient: 'no-new', href: 'viewer/no-new.html' }];
    const runReport = await writeRunReport(a.dir, { run: a, evaluation: e, figures, viewers });
    const runHtml = await readFile(runReport, 'utf8');
    for (const h of ['Training', 'Training curves', 'Scores (MSSEG-2 metrics)', 'Per patient', 'Per lesion', 'Patients', 'Provenance', 'Configuration'])
      expect(runHtml).toContain(`<h2>${h}</h2>`);
    expect(runHtml).toContain('synth-');
    expect(runHtml).toContain('<a href="viewer/no-new.html">open</a>');
    expect(runHtml).toMatch(/<details><summary>config.json \(click to show\)<\/summary><pre>/); // collapsed
    expect(runHtml).toMatch(/<summary>no-new: 0 ground-truth lesions \(0 missed\), \d+ predicted \(\d+ false positives?\)<\/summary>/);
    expect(runHtml).toContain('the patient has no new lesion: every predicted lesion is a false positive');
    expect(runHtml).toContain('<code>checkpoints/best (relative to the run folder), ema weights</code>');
    expect(runHtml).toMatch(/sha256 events.jsonl<\/th><td><code>[0-9a-f]{64}<\/code>/);
    expect(runHtml).toContain('training loss');
    expect(await readFile(join(a.dir, 'training-curves.png'))).toHaveProperty('length', expect.any(Number));
    const compareDir = join(root, 'compare');
    await mkdir(compareDir, { recursive: true });
    const report = await writeCompareReport(compareDir, {
      entries: [
        { run: a, evaluation: e },
        { run: b, evaluation: e },
      ],
      figures,
      figuresOf: 'ohem-m0.9',
      scoredOn: 'each run’s validation patients',
    });
    const md = await readFile(join(compareDir, 'table.md'), 'utf8');
    expect(md.split('\n').filter((l) => l.startsWith('| ohem') || l.startsWith('| oversample'))).toHaveLength(2);
    const timing = JSON.parse(await readFile(join(compareDir, 'timing.json'), 'utf8')) as { configuration: string; msPerIteration: number }[];
    expect(timing.map((t) => [t.configuration, t.msPerIteration])).toEqual([
      ['ohem-m0.9', 200],
      ['oversample-p0.5', 100],
    ]);
    const html = await readFile(report, 'utf8');
    expect(html).toContain('2.00x'); // OHEM twice as slow per iteration in this fixture
    expect(html).toContain('<h2>Scores on each run’s validation patients (paper, Table 1)</h2>'); // not called held-out
    if (!chromiumAvailable()) return;
    const page = await checkPage(pathToFileURL(report).href, join(import.meta.dirname, '..', 'test-output', 'compare-report.png'));
    expect(page.consoleErrors).toEqual([]);
    expect(page.images.length).toBe(2); // one patient with new lesions, one without
    expect(page.images[0].naturalWidth).toBeGreaterThan(0);
    expect(page.svgBoxes).toHaveLength(1);
  });
});
