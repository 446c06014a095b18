// Command line: fill a dataset's preprocessed cache ahead of training.
//   npx nx run data:preprocess -- --data DIR [--spacing 0.5] [--patch 32] [--workers N] [--cache DIR]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listPatients } from '../dataset/layout.ts';
import { defaultCacheDir } from '../cache/cache.ts';
import { fillCache } from '../cache/fill.ts';
import { progressBar } from './progress.ts';

const HELP = `Preprocess every patient of a dataset into the on-disk cache the trainer, validation and
predict read (resampled to the working spacing, z-scored, cropped to the head, chunked).

usage: npx nx run data:preprocess -- --data DIR [options]

  --data DIR      dataset folder (MSSEG-2 layout)
  --spacing MM    working spacing in mm (default 0.5, the paper's; "native" keeps each patient's grid)
  --patch P       patch size of the training that will use it: the head box keeps a margin of P voxels (default 32)
  --workers N     patients preprocessed at once, one thread each (default 1; memory grows with N)
  --cache DIR     cache folder (default DIR/.lesionseg/cache; use it when the dataset is read-only)
  -h, --help      this text

Entries already there and up to date are kept; stale or corrupt ones are rebuilt with a warning.`;

function fail(message: string): never {
  console.error(`data:preprocess: ${message}\n(run with --help for usage)`);
  process.exit(2);
}

function userPath(p: string): string {
  const cwd = process.env.INIT_CWD && process.env.INIT_CWD !== '' ? process.env.INIT_CWD : process.cwd();
  return resolve(cwd, p);
}

async function main(): Promise<void> {
  let a: Record<string, string | boolean | undefined>;
  try {
    a = parseArgs({
      options: {
        data: { type: 'string' },
        spacing: { type: 'string' },
        patch: { type: 'string' },
        workers: { type: 'string' },
        cache: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (a.help) {
    console.log(HELP);
    return;
  }
  if (typeof a.data !== 'string') fail('--data DIR is required');
  const data = userPath(a.data);
  const spacingText = (a.spacing as string | undefined) ?? '0.5';
  const spacingMm = spacingText === 'native' ? null : Number(spacingText);
  if (spacingMm !== null && !(spacingMm >= 0.1 && spacingMm <= 10)) fail(`--spacing must be a number of mm in [0.1, 10] or "native", got "${spacingText}"`);
  const margin = Number(a.patch ?? 32);
  if (!(Number.isInteger(margin) && margin >= 1)) fail(`--patch must be an integer >= 1, got "${a.patch}"`);
  const workers = Number(a.workers ?? 1);
  if (!(Number.isInteger(workers) && workers >= 1)) fail(`--workers must be an integer >= 1, got "${a.workers}"`);
  const dir = typeof a.cache === 'string' ? userPath(a.cache) : defaultCacheDir(data);

  const files = await listPatients(data, { requireGroundTruth: false });
  console.error(`data:preprocess: ${files.length} patient(s) in ${data} at ${spacingMm ?? 'native'} mm, margin ${margin}, ${workers} worker(s) -> ${dir}`);
  const bar = progressBar(files.length);
  const r = await fillCache(files, { dir, spacingMm, margin, log: (t) => console.error(t) }, workers, (done, id, built) => bar(done, `${id}${built ? '' : ' (cached)'}`));
  console.error(`data:preprocess: ${r.built} built, ${r.reused} already cached, ${r.failed.length} failed`);
  for (const f of r.failed) console.error(`data:preprocess: ${f.id}: ${f.error}`);
  if (r.failed.length > 0) process.exitCode = 1;
}

await main().catch((e: unknown) => {
  console.error(`\ndata:preprocess: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
