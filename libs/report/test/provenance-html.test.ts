import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../src/evaluation.ts';
import { provenanceHtml, runProvenance } from '../src/provenance-html.ts';
import type { RunSummary } from '../src/run-folder.ts';

/** results.json's provenance as evaluator:evaluate writes it (shape of a real run's, shortened). */
const provenance = {
  tool: { name: 'lesionseg', version: '0.1.0', commit: 'c7a4890' },
  files: [
    { patient: 'p1', gt: '/data/p1/ground_truth.nii.gz', gtSha256: 'aa11', pred: '/run/evaluation/predictions/p1.nii.gz', predSha256: 'bb22' },
    { patient: 'p2', gt: '/data/p2/ground_truth.nii.gz', gtSha256: 'cc33', pred: '/run/evaluation/predictions/p2.nii.gz', predSha256: 'dd44' },
  ],
  prediction: {
    backend: 'wasm',
    checkpoints: [{ path: '/run/checkpoints/best', weights: 'ema', sha256: 'ee55' }],
    tta: false,
    inputs: [{ patient: 'p1', flair1: '/data/p1/flair_time01.nii.gz', flair1Sha256: 'ff66', flair2: '/data/p1/flair_time02.nii.gz', flair2Sha256: '0077' }],
  },
};

describe("the report's provenance", () => {
  it('shows results.json provenance as one row per field and per-patient files as a table, not JSON blobs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provenance-'));
    const run = { dir, provenance: null, backend: 'wasm', startedAt: null, endedAt: null, validationModel: 'ema' } as unknown as RunSummary;
    const evaluation = { path: join(dir, 'evaluation', 'results.json'), patients: [], summary: {}, provenance } as unknown as Evaluation;
    const rows = await runProvenance(run, evaluation, new Date('2026-01-01T00:00:00Z'));
    const row = (what: string) => rows.find((r) => r.what === what);
    expect(row('evaluation: tool')?.value).toBe('lesionseg 0.1.0 (commit c7a4890)');
    expect(row('evaluation: prediction \u00b7 checkpoints \u00b7 weights')?.value).toBe('ema');
    expect(row('evaluation: prediction \u00b7 tta')?.value).toBe('false');
    expect(row('evaluation: files')?.files).toEqual([
      { patient: 'p1', role: 'gt', path: '/data/p1/ground_truth.nii.gz', sha256: 'aa11' },
      { patient: 'p1', role: 'pred', path: '/run/evaluation/predictions/p1.nii.gz', sha256: 'bb22' },
      { patient: 'p2', role: 'gt', path: '/data/p2/ground_truth.nii.gz', sha256: 'cc33' },
      { patient: 'p2', role: 'pred', path: '/run/evaluation/predictions/p2.nii.gz', sha256: 'dd44' },
    ]);
    expect(row('evaluation: prediction \u00b7 inputs')?.files?.map((f) => f.role)).toEqual(['flair1', 'flair2']);
    const html = provenanceHtml(rows);
    expect(html).toContain('<td>p2</td><td>pred</td><td><code>/run/evaluation/predictions/p2.nii.gz</code></td><td><code>dd44</code></td>');
    expect(html).not.toContain('{&quot;'); // no JSON object left in a cell
    expect(html).not.toContain('{"');
  });
});
