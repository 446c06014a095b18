/** Faults 12 and 17 (trainer side) of issue 12: configs that used to pass and fail later. */
import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli/args.ts';
import { parseConfig } from '../src/config/config.ts';
import { presetConfig } from '../src/config/presets.ts';

function withChanges(change: (c: Record<string, Record<string, unknown>>) => void): unknown {
  const c = presetConfig('ohem-m0.9') as Record<string, Record<string, unknown>>;
  change(c);
  return c;
}

describe('config values checked before training (fault 12)', () => {
  it('a patch side that the UNet cannot pool is refused, naming the multiple it needs', () => {
    const raw = withChanges((c) => {
      c['model'] = { type: 'unet', widths: [8, 16] };
      c['data'] = { ...c['data'], patchSize: 15 };
    });
    expect(() => parseConfig(raw)).toThrow(
      'data.patchSize: 15 does not suit a UNet with 2 levels (model.widths [8,16]): the patch side must be a multiple of 2 (1 poolings), e.g. 14 or 16',
    );
  });

  it('absurd sizes are refused: patchSize 100000, spacingMm 0.01, model.workers 1000', () => {
    expect(() => parseConfig(withChanges((c) => void (c['data'] = { ...c['data'], patchSize: 100000 })))).toThrow('data.patchSize: must be <= 256, got 100000');
    expect(() => parseConfig(withChanges((c) => void (c['data'] = { ...c['data'], spacingMm: 0.01 })))).toThrow('data.spacingMm: must be >= 0.1, got 0.01');
    expect(() => parseConfig(withChanges((c) => void (c['model'] = { ...c['model'], workers: 1000 })))).toThrow('model.workers: must be <= 64, got 1000');
  });

  it('an OHEM batch larger than its candidates is a config error, not a stack trace at the first step', () => {
    const raw = withChanges((c) => void (c['strategy'] = { type: 'ohem', candidates: 16, batchSize: 32 }));
    expect(() => parseConfig(raw)).toThrow('strategy.batchSize: 32 cannot exceed strategy.candidates (16)');
  });

  it('an unknown preset is a usage error (exit 2)', () => {
    expect(() => parseCli(['--preset', 'ohem-m0.95'])).toThrow(/unknown preset "ohem-m0.95" \(known: ohem-m0, /);
    expect(() => parseCli(['--preset', 'ohem-m0.95'])).toThrow(expect.objectContaining({ name: 'UsageError' }));
  });
});
