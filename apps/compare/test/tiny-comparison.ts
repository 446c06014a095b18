import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { phantomOptions, writeSyntheticDataset } from '@lesionseg/data';

/**
 * What the tests that run real compare children train on: 3 phantoms of 16^3 in `dir/data` and
 * a --base-config (`dir/base.json`) of a 2-level UNet of width 4 on 8^3 patches, one validation
 * patient, on wasm. Returns compare's common arguments for them (`--parallel` is the caller's).
 */
export async function tinyComparison(dir: string): Promise<{ data: string; args: string[] }> {
  const data = path.join(dir, 'data');
  await writeSyntheticDataset(data, { patients: 3, seed: 3, phantom: phantomOptions('quick', { shape: [16, 16, 16] }) });
  const base = path.join(dir, 'base.json');
  writeFileSync(
    base,
    JSON.stringify({
      backend: 'wasm',
      data: { type: 'msseg2', validationFraction: 0.34, spacingMm: null, patchSize: 8 },
      model: { type: 'unet', widths: [4, 4], groups: 2, workers: 0 },
      strategy: { batchSize: 2 },
      validation: { type: 'dice', everyIterations: 2, maxPatients: 1 },
      checkpoint: { type: 'interval', everySeconds: 3600 },
      loggers: [{ type: 'jsonl' }],
    }),
  );
  return { data, args: ['--data', data, '--base-config', base, '--backend', 'wasm', '--figures', '0'] };
}
