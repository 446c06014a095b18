// The model card (metadata.json + model-card.md) is written with the checkpoint, atomically, and says what predict needs.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolProvenance } from '@lesionseg/data';
import { useCpu } from '../setup-backend.ts';
import { Ema } from '../../src/ema/ema.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { saveCheckpoint } from '../../src/checkpoint/checkpoint.ts';
import { MODEL_CARD_SCHEMA, type ModelCardInfo } from '../../src/checkpoint/model-card.ts';

let root: string;
beforeAll(async () => {
  await useCpu();
  root = mkdtempSync(join(tmpdir(), 'model-card-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const card: ModelCardInfo = {
  name: 'quick',
  kind: 'best',
  preprocessing: { spacingMm: 1, patchSize: 16, stride: null },
  threshold: 0.5,
  training: {
    data: '/data/phantoms',
    trainPatients: ['a', 'b', 'c'],
    validationPatients: ['d'],
    strategy: 'oversample {"p":0.5}',
    iteration: 120,
    trainingSeconds: 61.5,
    seed: 4,
  },
  validation: { model: 'ema', bestDice: 0.8123456, lastIteration: 120 },
};

describe('model card', () => {
  it('is written into the temporary folder, so it appears together with the weights', async () => {
    const model = createUNet({ widths: [2, 4], groups: 2, seed: 1 });
    const ema = new Ema(model, 0.9);
    const dir = join(root, 'run', 'checkpoints', 'best');
    let seenBeforeCommit: string[] = [];
    await saveCheckpoint(
      dir,
      { model, ema, card },
      {
        beforeCommit: () => {
          const parent = dirname(dir);
          const tmp = readdirSync(parent).find((n) => n.startsWith('best.tmp-')) as string;
          seenBeforeCommit = readdirSync(join(parent, tmp));
          expect(existsSync(dir)).toBe(false);
          return Promise.resolve();
        },
      },
    );
    expect(seenBeforeCommit).toEqual(expect.arrayContaining(['metadata.json', 'model-card.md', 'model.json', 'state.json']));
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({
      schema: MODEL_CARD_SCHEMA,
      checkpoint: 'best',
      producer: { version: toolProvenance().version, commit: toolProvenance().commit },
      network: { widths: [2, 4], groups: 2, inChannels: 2, weights: ['raw', 'ema'] },
      network_data_format: {
        inputs: { image: { num_channels: 2, spacing_mm: 1, spatial_shape: [16, 16, 16] } },
        outputs: { pred: { threshold: 0.5, activation: 'sigmoid' } },
      },
      inference: { sliding_window: { window: 16, stride: 12 }, default_weights: 'ema' },
      training: { nTrain: 3, nValidation: 1, iteration: 120 },
      eval_metrics: { mean_dice_validation: 0.8123456, scope: 'these weights' },
    });
    expect(meta.network_data_format.inputs.image.normalisation).toMatch(/z-scored/);
    const md = readFileSync(join(dir, 'model-card.md'), 'utf8');
    expect(md).toContain('# Model card: quick (checkpoints/best)');
    expect(md).toContain('| validation Dice | 0.8123 (mean over d; these weights) |');
    expect(md).toContain('| spacing | 1 mm |');
    expect(md).toContain('lesion where sigmoid(logit) >= 0.5');
    ema.dispose();
    model.dispose();
  });

  it('a latest checkpoint says its Dice is the run best, and no card is written unless asked', async () => {
    const model = createUNet({ widths: [2, 4], groups: 2, seed: 1 });
    await saveCheckpoint(join(root, 'latest'), { model, card: { ...card, kind: 'latest', preprocessing: { spacingMm: null, patchSize: 8, stride: 4 } } });
    const meta = JSON.parse(readFileSync(join(root, 'latest', 'metadata.json'), 'utf8'));
    expect(meta.eval_metrics.scope).toMatch(/checkpoints\/best/);
    expect(meta.network_data_format.inputs.image.spacing_mm).toMatch(/native/);
    expect(readFileSync(join(root, 'latest', 'model-card.md'), 'utf8')).toContain('| spacing | native (the input grid) |');
    expect(meta.inference).toMatchObject({ sliding_window: { stride: 4 }, default_weights: 'raw' });
    await saveCheckpoint(join(root, 'plain'), { model });
    expect(existsSync(join(root, 'plain', 'metadata.json'))).toBe(false);
    model.dispose();
  });
});
