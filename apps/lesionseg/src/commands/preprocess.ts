/**
 * `lesionseg preprocess` / `nx run data:preprocess`: fill a dataset's preprocessed cache ahead of
 * training (the trainer, validation, predict --data and evaluate read it; see the README's
 * Preprocessed cache). A relative path is the user's folder's (INIT_CWD under Nx).
 */
import { intOption, pathOption, stringOption, UsageError, progressBar, type Command } from '@lesionseg/cli';
import { defaultCacheDir, fillCache, listPatients } from '@lesionseg/data';

export const preprocessCommand: Command = {
  name: 'preprocess',
  nxTarget: 'data:preprocess',
  summary: "fill a dataset's preprocessed cache (resampled, z-scored, cropped to the head, chunked) ahead of training",
  usage: ['--data DIR [OPTIONS]'],
  options: {
    data: { type: 'string', value: 'DIR', description: 'dataset folder (MSSEG-2 layout)' },
    spacing: { type: 'string', value: 'MM', default: '0.5', description: 'working spacing in mm (the paper\'s 0.5); "native" keeps each patient\'s grid' },
    patch: { type: 'string', value: 'P', default: '32', description: 'patch size of the training that will read it: the head box keeps a margin of P voxels' },
    workers: { type: 'string', value: 'N', default: '1', description: 'patients preprocessed at once, one thread each (memory grows with N)' },
    cache: { type: 'string', value: 'DIR', description: 'cache folder (default DIR/.lesionseg/cache; give one when the dataset is read-only)' },
  },
  epilog: 'Entries already there and up to date are kept; stale or corrupt ones are rebuilt with a warning naming the file.',
  async run({ values, cwd, log, quiet }) {
    const data = pathOption(values, 'data', cwd, true) as string;
    const spacingText = stringOption(values, 'spacing') ?? '0.5';
    const spacingMm = spacingText === 'native' ? null : Number(spacingText);
    if (spacingMm !== null && !(spacingMm >= 0.1 && spacingMm <= 10))
      throw new UsageError(`--spacing must be a number of mm in [0.1, 10] or "native", got "${spacingText}"`);
    const margin = intOption(values, 'patch', 32, true) as number;
    const workers = intOption(values, 'workers', 1, true) as number;
    const dir = pathOption(values, 'cache', cwd) ?? defaultCacheDir(data);
    const files = await listPatients(data, { requireGroundTruth: false });
    log(`preprocess: ${files.length} patient(s) in ${data} at ${spacingMm ?? 'native'} mm, margin ${margin}, ${workers} worker(s) -> ${dir}`);
    const bar = progressBar(files.length, { enabled: !quiet });
    const r = await fillCache(files, { dir, spacingMm, margin, log }, workers, (done, id, built) => bar.tick(done, `${id}${built ? '' : ' (cached)'}`));
    log(`preprocess: ${r.built} built, ${r.reused} already cached, ${r.failed.length} failed`);
    for (const f of r.failed) log(`preprocess: ${f.id}: ${f.error}`);
    if (r.failed.length > 0) throw new Error(`${r.failed.length} patient(s) could not be preprocessed (listed above)`);
  },
};
