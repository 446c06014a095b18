/**
 * `lesionseg synth` / `nx run data:synth`: write a synthetic longitudinal MSSEG-2-style dataset.
 * A relative --out is the user's folder's (INIT_CWD under Nx), as for every command.
 */
import { readdir } from 'node:fs/promises';
import { choiceOption, intOption, pathOption, stringOption, UsageError, type Command, type OptionValues } from '@lesionseg/cli';
import {
  phantomOptions,
  PHANTOM_DIFFICULTY,
  PHANTOM_PRESETS,
  writeSyntheticDataset,
  type PhantomDifficulty,
  type PhantomOptions,
  type PhantomPreset,
  type Vec3,
} from '@lesionseg/data';
import { progressBar } from '@lesionseg/cli';

function numbers(values: OptionValues, name: string, count: number): number[] | undefined {
  const text = stringOption(values, name);
  if (text === null) return undefined;
  const v = text.split(',').map(Number);
  if (v.length !== count || v.some((x) => !Number.isFinite(x))) throw new UsageError(`--${name} needs ${count} comma-separated numbers, got "${text}"`);
  return v;
}

function phantom(values: OptionValues): { preset: PhantomPreset; difficulty: PhantomDifficulty; options: PhantomOptions } {
  const preset = choiceOption(values, 'preset', Object.keys(PHANTOM_PRESETS) as PhantomPreset[], 'realistic');
  const difficulty = choiceOption(values, 'difficulty', Object.keys(PHANTOM_DIFFICULTY) as PhantomDifficulty[], 'medium');
  const overrides: Partial<PhantomOptions> = {};
  const shape = numbers(values, 'shape', 3);
  if (shape) overrides.shape = shape as Vec3;
  const spacing = numbers(values, 'spacing', 3);
  if (spacing) overrides.spacing = spacing as Vec3;
  const nl = numbers(values, 'new-lesions', 2);
  if (nl) overrides.newLesions = nl as [number, number];
  const lr = numbers(values, 'lesion-radius', 2);
  if (lr) overrides.newLesionRadiusMm = lr as [number, number];
  const ct = numbers(values, 'contrast', 2);
  if (ct) overrides.lesionContrast = ct as [number, number];
  if (values['no-lesion-prob'] !== undefined) overrides.noNewLesionProbability = Number(values['no-lesion-prob']);
  if (values.noise !== undefined) overrides.noise = Number(values.noise);
  try {
    return { preset, difficulty, options: phantomOptions(preset, overrides, difficulty) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const synthCommand: Command = {
  name: 'synth',
  nxTarget: 'data:synth',
  summary: 'write synthetic longitudinal FLAIR phantoms in the MSSEG-2 layout',
  usage: ['--out DIR [OPTIONS]'],
  options: {
    out: { type: 'string', value: 'DIR', description: 'output folder (one sub-folder per patient, plus dataset.json)' },
    count: { type: 'string', value: 'N', default: '10', deprecated: ['patients'], description: 'number of patients' },
    seed: { type: 'string', value: 'S', default: '1', description: 'dataset seed; patient k is the same for any --count' },
    preset: {
      type: 'string',
      value: 'NAME',
      default: 'realistic',
      description: 'realistic (144x176x144 at 1 mm, MSSEG-2-like lesions) or quick (64^3 at 1 mm, large high-contrast new lesions: fast to learn)',
    },
    difficulty: { type: 'string', value: 'LEVEL', default: 'medium', description: 'easy, medium or hard: lesion contrast, noise, misalignment' },
    shape: { type: 'string', value: 'X,Y,Z', description: 'voxels (overrides the preset)' },
    spacing: { type: 'string', value: 'SX,SY,SZ', description: 'voxel size in mm, e.g. 1,1,3 for thick slices' },
    'new-lesions': { type: 'string', value: 'MIN,MAX', description: 'new lesions per patient with lesions' },
    'no-lesion-prob': { type: 'string', value: 'P', description: 'probability of a patient without new lesions' },
    'lesion-radius': { type: 'string', value: 'MIN,MAX', description: 'new-lesion radius range in mm' },
    contrast: { type: 'string', value: 'MIN,MAX', description: 'lesion / white-matter intensity ratio (lower = harder)' },
    noise: { type: 'string', value: 'SIGMA', description: 'Rician noise, fraction of white-matter intensity' },
    force: { type: 'boolean', description: 'write into a non-empty folder' },
  },
  epilog: `Each patient folder holds flair_time01_on_middle_space.nii.gz, flair_time02_on_middle_space.nii.gz
(int16) and ground_truth.nii.gz (uint8, new lesions only). Progress goes to stderr.`,
  async run({ values, cwd, log, quiet }) {
    const out = pathOption(values, 'out', cwd, true) as string;
    const patients = intOption(values, 'count', 10, true) as number;
    const seed = Number(stringOption(values, 'seed') ?? 1);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${stringOption(values, 'seed')}"`);
    const { preset, difficulty, options } = phantom(values);
    const existing = await readdir(out).catch(() => [] as string[]);
    if (existing.length > 0 && values.force !== true) throw new UsageError(`${out} is not empty (use --force to write into it)`);
    log(
      `synth: ${patients} patient(s), preset ${preset} (${difficulty}), shape ${options.shape.join('x')} at ${options.spacing.join('x')} mm, seed ${seed} -> ${out}`,
    );
    const bar = progressBar(patients, { enabled: !quiet });
    const { info } = await writeSyntheticDataset(out, { patients, seed, phantom: options, onProgress: (done, _n, id) => bar.tick(done, id) });
    const withLesions = info.filter((i) => i.newLesions.length > 0).length;
    log(`synth: done; ${withLesions}/${patients} patients have new lesions (${info.reduce((s, i) => s + i.newLesions.length, 0)} in total)`);
  },
};
