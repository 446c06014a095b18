import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildReportHtml, figureHtml, markdownTableHtml, preHtml, svgHtml } from '../src/html.ts';
import { renderLearningCurves, svgToPng } from '../src/learning-curves.ts';
import { overlaySvg, renderOverlayPanels } from '../src/overlay.ts';
import { encodePng } from '../src/png.ts';
import { table1Markdown } from '../src/table1.ts';
import { writeFileAtomic } from '@lesionseg/data';
import { checkPage, chromiumAvailable, CHROMIUM } from './browser.ts';
import { row, volume } from './fixtures.ts';

// The browser check needs Debian's chromium (.ci/run installs it). On a developer machine
// without it the test is skipped with a message; under CI=true its absence is a failure.
const haveBrowser = chromiumAvailable();
if (!haveBrowser && process.env.CI !== 'true') console.warn(`report browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!haveBrowser && process.env.CI !== 'true')('the HTML report in a real browser', () => {
  it('loads with no console error or network request and shows every figure', async () => {
    const shape: [number, number, number] = [24, 24, 4];
    const flair = volume(shape, (x, y) => 50 + ((x - 12) ** 2 + (y - 12) ** 2 < 80 ? 100 : 0));
    const gt = volume(shape, (x, y, z) => (z === 1 && Math.abs(x - 10) < 3 && Math.abs(y - 12) < 3 ? 1 : 0));
    const eye = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0)));
    const overlay = svgToPng(
      overlaySvg(renderOverlayPanels({ baseline: flair, followup: flair, groundTruth: gt, prediction: gt, affine: eye }, { slice: 1 }), encodePng),
      1,
    );
    const { svg, png } = await renderLearningCurves([{ name: 'quick', points: [0, 1, 2].map((k) => ({ elapsedMs: k * 30_000, dice: k * 0.3 })) }]);
    const html = buildReportHtml({
      title: 'lesionseg run report <test>',
      sections: [
        { heading: 'Configuration', html: preHtml(JSON.stringify({ strategy: { type: 'ohem', decay: 0.9 } }, null, 2)) },
        { heading: 'Learning curve', html: svgHtml(svg, 'learning curve') + figureHtml({ caption: 'PNG', png, alt: 'learning curve png' }) },
        { heading: 'Table 1', html: markdownTableHtml(table1Markdown([row('quick', 0.6)])) },
        { heading: 'Patients', html: figureHtml({ caption: 'patient 001', png: overlay, alt: 'overlay 001' }) },
      ],
    });
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const file = join(dir, 'report.html');
    await writeFileAtomic(file, html);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // self-contained
    const artefacts = join(import.meta.dirname, '..', 'test-output');
    await mkdir(artefacts, { recursive: true });
    const shot = join(artefacts, 'report-screenshot.png');
    const page = await checkPage(pathToFileURL(file).href, shot);
    expect(page.consoleErrors).toEqual([]);
    expect(page.failedRequests).toEqual([]);
    expect(page.headings).toEqual(['lesionseg run report <test>', 'Configuration', 'Learning curve', 'Table 1', 'Patients']);
    expect(page.images).toHaveLength(2);
    for (const img of page.images) {
      expect(img.complete).toBe(true);
      expect(img.naturalWidth).toBeGreaterThan(0);
    }
    expect(page.svgBoxes).toHaveLength(1);
    expect(page.svgBoxes[0].width).toBeGreaterThan(200);
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    expect((await readFile(shot)).subarray(1, 4).toString()).toBe('PNG');
  });
});
