import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { phantomOptions, readNifti, writeNifti, writeSyntheticDataset } from '@lesionseg/data';
import { scorePatient } from '@lesionseg/metrics';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEvaluation } from '../src/evaluation.ts';
import { decodePng } from '../src/png.ts';
import { writePatientViewers } from '../src/viewer.ts';
import { chromiumAvailable, CHROMIUM, openPage, WEBGL_ARGS } from './browser.ts';

const haveBrowser = chromiumAvailable();
if (!haveBrowser && process.env.CI !== 'true') console.warn(`viewer browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** One phantom patient, a prediction that misses one lesion and adds a false one, its results.json. */
let runDir: string;
let lesionMm: number[][];
beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'viewer-'));
  const data = join(root, 'data');
  const { ids } = await writeSyntheticDataset(data, {
    patients: 1,
    seed: 11,
    phantom: phantomOptions('quick', { shape: [48, 48, 40], noNewLesionProbability: 0, newLesions: [2, 3], newLesionRadiusMm: [2.5, 3] }),
  });
  const gtFile = join(data, ids[0], 'ground_truth.nii.gz');
  const gt = await readNifti(gtFile);
  const score0 = scorePatient(gt, gt);
  const keep = score0.gtLesions[0];
  const pred = new Float32Array(gt.data.length);
  const [X, Y] = gt.shape;
  // keep only the largest lesion (the other is missed), add a false positive cube
  for (let i = 0; i < gt.data.length; i++) {
    const x = i % X,
      y = Math.floor(i / X) % Y,
      z = Math.floor(i / (X * Y));
    const inKeep =
      gt.data[i] > 0 &&
      x >= keep.bboxMin[0] &&
      x <= keep.bboxMax[0] &&
      y >= keep.bboxMin[1] &&
      y <= keep.bboxMax[1] &&
      z >= keep.bboxMin[2] &&
      z <= keep.bboxMax[2];
    pred[i] = inKeep || (x >= 6 && x < 9 && y >= 20 && y < 23 && z >= 16 && z < 19) ? 1 : 0;
  }
  runDir = join(root, 'run');
  const predFile = join(runDir, 'evaluation', 'predictions', `${ids[0]}.nii.gz`);
  await mkdir(join(runDir, 'evaluation', 'predictions'), { recursive: true });
  await writeNifti(predFile, { ...gt, data: pred }, { datatype: 'uint8' });
  const score = scorePatient(gt, { ...gt, data: pred });
  lesionMm = [...score.gtLesions, ...score.predLesions].map((l) => l.centroidWorld as number[]);
  const doc = {
    params: {},
    patients: [{ patient: ids[0], ...score, gtFile, predFile: 'predictions/' + `${ids[0]}.nii.gz` }],
    summary: { withNewLesions: {}, withoutNewLesions: {} },
  };
  const resultsPath = join(runDir, 'evaluation', 'results.json');
  await writeFile(resultsPath, JSON.stringify(doc));
}, 60_000);

describe.skipIf(!haveBrowser && process.env.CI !== 'true')('the NiiVue patient viewer in a real browser', () => {
  it('loads offline with no console error or failed request, draws, and jumps to a clicked lesion', async () => {
    const evaluation = parseEvaluation(
      await (await import('node:fs/promises')).readFile(join(runDir, 'evaluation', 'results.json'), 'utf8'),
      join(runDir, 'evaluation', 'results.json'),
    );
    const links = await writePatientViewers(runDir, evaluation);
    expect(links).toHaveLength(1);
    const opened = await openPage(pathToFileURL(join(runDir, links[0].href)).href, WEBGL_ARGS);
    try {
      const { page } = opened;
      await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
      expect(await page.getAttribute('body', 'data-ready')).toBe('true');
      // the lesion list marks the missed ground-truth lesion and the false positive
      const statuses = await page.$$eval('tr[data-status]', (rows) => rows.map((r) => `${r.getAttribute('data-side')}:${r.getAttribute('data-status')}`));
      expect(statuses).toEqual(['gt:detected', 'gt:missed', 'pred:true positive', 'pred:false positive']);
      // ground truth and prediction are label maps drawn as contours (NiiVue's atlas outline), not filled
      const masks = await page.evaluate(() =>
        (
          window as unknown as {
            lesionsegViews: { opts: { atlasOutline: number }; volumes: { hdr: { intent_code: number }; colormapLabel: { lut: ArrayLike<number> } | null }[] }[];
          }
        ).lesionsegViews.map((nv) => ({
          atlasOutline: nv.opts.atlasOutline,
          layers: nv.volumes
            .slice(1)
            .map((v) => ({ intent: v.hdr.intent_code, alphas: v.colormapLabel ? Array.from(v.colormapLabel.lut).filter((_, i) => i % 4 === 3) : null })),
        })),
      );
      expect(masks).toEqual([0, 1].map(() => ({ atlasOutline: 1, layers: [0, 1].map(() => ({ intent: 1002, alphas: [0, 0] })) })));
      const box = await page.locator('#canvas-followup').boundingBox();
      if (!box) throw new Error('no canvas box');
      const shot = async () => decodePng(await page.screenshot({ clip: box }));
      const before = await shot();
      const grey = new Set<number>();
      for (let i = 0; i < before.data.length; i += 4 * 7) grey.add(before.data[i]);
      expect(grey.size).toBeGreaterThan(20); // an image, not a blank canvas
      const crosshair = (k: number) =>
        page.evaluate(
          (i) =>
            Array.from(
              (window as unknown as { lesionsegViews: { frac2mm(f: unknown): ArrayLike<number>; scene: { crosshairPos: unknown } }[] }).lesionsegViews[
                i
              ].frac2mm((window as unknown as { lesionsegViews: { scene: { crosshairPos: unknown } }[] }).lesionsegViews[i].scene.crosshairPos),
            ).slice(0, 3),
          k,
        );
      await page.locator('button[data-mm]').nth(3).click(); // the false positive
      for (const k of [0, 1]) {
        const mm = await crosshair(k);
        for (let a = 0; a < 3; a++) expect(Math.abs(mm[a] - lesionMm[3][a])).toBeLessThan(1.5);
      }
      const after = await shot();
      expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(false);
      await page.screenshot({ path: join(import.meta.dirname, '..', 'test-output', 'viewer-screenshot.png'), fullPage: true });
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.failedRequests).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 120_000);
});
