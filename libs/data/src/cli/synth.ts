// Command line: write a synthetic longitudinal MSSEG-2-style dataset.
//   npx nx run data:synth -- --out DIR --patients N --seed S [--preset quick|realistic] [...]
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Vec3 } from '../volume.ts';
import { phantomOptions, PHANTOM_DIFFICULTY, PHANTOM_PRESETS } from '../synth/options.ts';
import type { PhantomDifficulty, PhantomOptions, PhantomPreset } from '../synth/options.ts';
import { writeSyntheticDataset } from '../synth/dataset.ts';
import { progressBar } from './progress.ts';

const HELP = `Write synthetic longitudinal FLAIR phantoms in the MSSEG-2 layout.

usage: npx nx run data:synth -- --out DIR [options]
       npx tsx libs/data/src/cli/synth.ts --out DIR [options]

  --out DIR              output folder (one sub-folder per patient, plus dataset.json)
  --patients N           number of patients (default 10)
  --seed S               dataset seed (default 1); patient k is the same for any N
  --preset NAME          realistic (default: 144x176x144 at 1 mm, MSSEG-2-like lesions)
                         quick (64^3 at 1 mm, large high-contrast new lesions: fast to learn)
  --difficulty LEVEL     easy | medium (default) | hard: lesion contrast, noise, misalignment
  --shape X,Y,Z          voxels (overrides the preset)
  --spacing SX,SY,SZ     voxel size in mm, e.g. 1,1,3 for thick slices
  --new-lesions MIN,MAX  new lesions per patient with lesions
  --no-lesion-prob P     probability of a patient without new lesions
  --lesion-radius MIN,MAX  new-lesion radius range in mm
  --contrast MIN,MAX     lesion / white-matter intensity ratio (lower = harder)
  --noise SIGMA          Rician noise, fraction of white-matter intensity
  --force                write into a non-empty folder
  -h, --help             this text

Each patient folder holds flair_time01_on_middle_space.nii.gz, flair_time02_on_middle_space.nii.gz
(int16) and ground_truth.nii.gz (uint8, new lesions only). Progress goes to stderr.`;

function fail(message: string): never {
  console.error(`data:synth: ${message}\n(run with --help for usage)`);
  process.exit(2);
}

/**
 * `nx run data:synth` runs in the workspace root, so a relative --out is resolved against the
 * folder the user typed the command in: npm/npx set INIT_CWD to it (as the trainer and evaluator
 * do); without it (tsx run directly) the process cwd is that folder.
 */
function userPath(p: string): string {
  const cwd = process.env.INIT_CWD && process.env.INIT_CWD !== '' ? process.env.INIT_CWD : process.cwd();
  return resolve(cwd, p);
}

function numbers(name: string, text: string | undefined, count: number): number[] | undefined {
  if (text === undefined) return undefined;
  const v = text.split(',').map(Number);
  if (v.length !== count || v.some((x) => !Number.isFinite(x))) fail(`--${name} needs ${count} comma-separated numbers, got "${text}"`);
  return v;
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (e) {
    fail((e as Error).message);
  }
  const { values: a } = parsed;
  if (a.help) {
    console.log(HELP);
    return;
  }
  if (!a.out) fail('--out DIR is required');
  const out = userPath(a.out);
  const patients = Number(a.patients ?? 10);
  const seed = Number(a.seed ?? 1);
  if (!(Number.isInteger(patients) && patients >= 1)) fail(`--patients must be an integer >= 1, got "${a.patients}"`);
  if (!Number.isInteger(seed)) fail(`--seed must be an integer, got "${a.seed}"`);
  const preset = (a.preset ?? 'realistic') as PhantomPreset;
  if (!(preset in PHANTOM_PRESETS)) fail(`--preset must be one of ${Object.keys(PHANTOM_PRESETS).join(', ')}, got "${preset}"`);
  const difficulty = (a.difficulty ?? 'medium') as PhantomDifficulty;
  if (!(difficulty in PHANTOM_DIFFICULTY)) fail(`--difficulty must be one of ${Object.keys(PHANTOM_DIFFICULTY).join(', ')}, got "${difficulty}"`);
  const overrides: Partial<PhantomOptions> = {};
  const shape = numbers('shape', a.shape, 3);
  if (shape) overrides.shape = shape as Vec3;
  const spacing = numbers('spacing', a.spacing, 3);
  if (spacing) overrides.spacing = spacing as Vec3;
  const nl = numbers('new-lesions', a['new-lesions'], 2);
  if (nl) overrides.newLesions = nl as [number, number];
  const lr = numbers('lesion-radius', a['lesion-radius'], 2);
  if (lr) overrides.newLesionRadiusMm = lr as [number, number];
  const ct = numbers('contrast', a.contrast, 2);
  if (ct) overrides.lesionContrast = ct as [number, number];
  if (a['no-lesion-prob'] !== undefined) overrides.noNewLesionProbability = Number(a['no-lesion-prob']);
  if (a.noise !== undefined) overrides.noise = Number(a.noise);
  let options: PhantomOptions;
  try {
    options = phantomOptions(preset, overrides, difficulty);
  } catch (e) {
    fail((e as Error).message);
  }
  const existing = await readdir(out).catch(() => [] as string[]);
  if (existing.length > 0 && !a.force) fail(`${out} is not empty (use --force to write into it)`);

  console.error(`data:synth: ${patients} patient(s), preset ${preset} (${difficulty}), shape ${options.shape.join('x')} at ${options.spacing.join('x')} mm, seed ${seed} -> ${out}`);
  const bar = progressBar(patients);
  const { info } = await writeSyntheticDataset(out, { patients, seed, phantom: options, onProgress: (done, _n, id) => bar(done, id) });
  const withLesions = info.filter((i) => i.newLesions.length > 0).length;
  console.error(`data:synth: done; ${withLesions}/${patients} patients have new lesions (${info.reduce((s, i) => s + i.newLesions.length, 0)} in total)`);
}

function parse() {
  return parseArgs({
    options: {
      out: { type: 'string' },
      patients: { type: 'string' },
      seed: { type: 'string' },
      preset: { type: 'string' },
      difficulty: { type: 'string' },
      shape: { type: 'string' },
      spacing: { type: 'string' },
      'new-lesions': { type: 'string' },
      'no-lesion-prob': { type: 'string' },
      'lesion-radius': { type: 'string' },
      contrast: { type: 'string' },
      noise: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

// Exit 2: bad command line (fail above); 1: the dataset could not be written (a read-only or
// full --out, ...), with the message naming the file and no stack trace.
await main().catch((e: unknown) => {
  console.error(`\ndata:synth: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
