// loadPredictor: which checkpoint a run folder means, which weights are used, where the
// preprocessing comes from.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/index.ts';
import { saveCheckpoint } from '../../src/checkpoint/checkpoint.ts';
import { Ema } from '../../src/ema/ema.ts';
import { createUNet, type UNet } from '../../src/unet/unet.ts';
import { loadPredictor, PredictorError } from '../../src/pipeline/predictor.ts';

let root: string;
const log = (): void => {};
const first = async (m: UNet): Promise<number> => (await m.getWeights()).get('head/bias')?.[0] ?? NaN;
let rawBias = 0;
let emaBias = 0;

/** A run whose EMA differs from the raw weights (decay 0.5 after a perturbation), saved as checkpoints/latest only. */
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'predictor-'));
  await selectBackend('cpu', { log });
  const model = createUNet({ widths: [2, 4], groups: 1, seed: 1 });
  const ema = new Ema(model, 0.5);
  // Copies: on the cpu backend the arrays getWeights returns may alias the tensors' storage.
  const w = new Map([...(await model.getWeights())].map(([k, v]) => [k, v.slice()]));
  const bias = w.get('head/bias') as Float32Array;
  bias[0] += 1;
  model.setWeights(w);
  ema.update();
  rawBias = await first(model);
  emaBias = await first(ema.model);
  const run = join(root, 'run');
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'config.json'), JSON.stringify({ data: { spacingMm: 0.5, patchSize: 32 }, validation: { model: 'ema', stride: null } }));
  await saveCheckpoint(join(run, 'checkpoints', 'latest'), { model, ema });
  await saveCheckpoint(join(root, 'loose'), { model, ema, plugins: { preprocessing: { spacingMm: null, patchSize: 16, stride: 10, validationModel: 'raw' } } });
  ema.dispose();
  model.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadPredictor', () => {
  it('uses checkpoints/latest when a run has no best, EMA weights as validation did, the paper stride 24 for 32', async () => {
    expect(emaBias).not.toBeCloseTo(rawBias, 3);
    const p = await loadPredictor(join(root, 'run'), { log });
    expect(p.checkpointDir).toBe(join(root, 'run', 'checkpoints', 'latest'));
    expect(p.notes[0]).toMatch(/no checkpoints\/best/);
    expect(p.weights).toBe('ema');
    expect(await first(p.model)).toBeCloseTo(emaBias, 6);
    expect(p.preprocessing).toMatchObject({ spacingMm: 0.5, window: 32, stride: 24 });
    expect(p.runDir).toBe(join(root, 'run'));
    p.dispose();
    const raw = await loadPredictor(join(root, 'run'), { useEma: false, log });
    expect(raw.weights).toBe('raw');
    expect(await first(raw.model)).toBeCloseTo(rawBias, 6);
    raw.dispose();
  });

  it("prefers the checkpoint's own preprocessing state and its validation model", async () => {
    const p = await loadPredictor(join(root, 'loose'), { log });
    expect(p.preprocessing).toMatchObject({ spacingMm: null, window: 16, stride: 10 });
    expect(p.weights).toBe('raw');
    expect(p.runDir).toBeNull();
    p.dispose();
  });

  it('refuses EMA when the checkpoint has none, and a missing path', async () => {
    const dir = join(root, 'no-ema');
    const model = createUNet({ widths: [2, 4], groups: 1, seed: 2 });
    await saveCheckpoint(dir, { model, plugins: { preprocessing: { spacingMm: null, patchSize: 8 } } });
    model.dispose();
    await expect(loadPredictor(dir, { useEma: true, log })).rejects.toThrow(/no-ema: the checkpoint has no EMA weights/);
    await expect(loadPredictor(join(root, 'missing'), { log })).rejects.toThrow(PredictorError);
  });
});
