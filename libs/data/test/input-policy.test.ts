// Issue 12, faults 2, 7 and 13: one input policy (src/validate/voxels.ts) in the shared loading
// and preprocessing path, so train, predict and evaluate refuse the same files score refuses.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkSameGrid,
  DatasetError,
  loadPatient,
  MAX_WORKING_VOXELS,
  MSSEG2_FILES,
  NiftiError,
  preprocessPatient,
  readNifti,
  writeNifti,
} from '../src/index.ts';
import type { NiftiImage, PatientFiles, Vec3, Volume } from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'lesionseg-policy-'));
const shape: Vec3 = [8, 7, 6];
const affine = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];
const n = 8 * 7 * 6;
const vol = (f: (i: number) => number): Volume => ({ shape, spacing: [1, 1, 1], affine, data: Float32Array.from({ length: n }, (_, i) => f(i)) });

/** One patient folder; `gt` and the FLAIR values are what each case varies. */
async function patient(id: string, o: { flair2?: Volume; gt?: { volume: Volume; datatype: 'uint8' | 'float32' } } = {}): Promise<PatientFiles> {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  const files: PatientFiles = {
    id,
    baseline: join(dir, MSSEG2_FILES.baseline),
    followup: join(dir, MSSEG2_FILES.followup),
    groundTruth: join(dir, MSSEG2_FILES.groundTruth),
    experts: [],
  };
  await writeNifti(
    files.baseline,
    vol((i) => 100 + (i % 13)),
    { datatype: 'float32' },
  );
  await writeNifti(files.followup, o.flair2 ?? vol((i) => 100 + (i % 11)), { datatype: 'float32' });
  const gt = o.gt ?? { volume: vol((i) => (i % 50 === 0 ? 1 : 0)), datatype: 'uint8' as const };
  await writeNifti(files.groundTruth as string, gt.volume, { datatype: gt.datatype });
  return files;
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => new Error('expected a refusal'),
    (err: unknown) => err as Error,
  );
  expect(e).toBeInstanceOf(NiftiError);
  return e;
}

describe('fault 2: non-finite FLAIR voxels are refused, naming the file and the count', () => {
  it('loadPatient (train, evaluate) refuses 8 NaN voxels', async () => {
    const files = await patient('nan8', { flair2: vol((i) => (i < 8 ? Number.NaN : 100)) });
    const e = await refusal(loadPatient(files));
    expect(e.message).toBe(
      `${files.followup}: patient nan8: follow-up FLAIR has 8 of ${n} voxels not finite (8 NaN, 0 infinite); ` +
        'replace them before use (e.g. with 0 or the image minimum), they would make every prediction and loss NaN',
    );
  });

  it('preprocessPatient (predict reads the two files itself) refuses one Inf voxel, naming the file', async () => {
    const files = await patient('inf1', { flair2: vol((i) => (i === 5 ? Number.POSITIVE_INFINITY : 100)) });
    const [b, f] = await Promise.all([readNifti(files.baseline), readNifti(files.followup)]);
    expect(() => preprocessPatient({ id: 'input', baseline: b, followup: f }, { spacing: 1 })).toThrow(
      `${files.followup}: patient input: follow-up FLAIR has 1 of ${n} voxels not finite (0 NaN, 1 infinite)`,
    );
  });

  it('an in-memory volume without a file gets a DatasetError naming the patient', () => {
    expect(() => preprocessPatient({ id: 'mem', baseline: vol((i) => (i === 0 ? Number.NaN : 1)), followup: vol(() => 1) })).toThrow(DatasetError);
  });
});

describe('fault 7: one mask rule for every command: exactly 0 and 1', () => {
  const cases: [string, Volume, 'uint8' | 'float32', RegExp][] = [
    ['{0,2}', vol((i) => (i % 40 === 0 ? 2 : 0)), 'uint8', /ground-truth mask is not binary: found value 2 besides 0 and 1 \(in 9 voxels\)/],
    ['{0,255}', vol((i) => (i % 40 === 0 ? 255 : 0)), 'uint8', /found value 255 besides 0 and 1 \(in 9 voxels\)/],
    ['{0,0.5}', vol((i) => (i % 40 === 0 ? 0.5 : 0)), 'float32', /found value 0\.5 besides 0 and 1/],
    ['NaN', vol((i) => (i === 3 ? Number.NaN : i % 40 === 0 ? 1 : 0)), 'float32', /found value NaN besides 0 and 1 \(in 1 voxels\)/],
  ];
  for (const [name, volume, datatype, message] of cases) {
    it(`loadPatient refuses a ${name} ground truth, naming the file`, async () => {
      const files = await patient(`gt-${name.replace(/\W/g, '')}`, { gt: { volume, datatype } });
      const e = await refusal(loadPatient(files));
      expect(e.message.startsWith(`${files.groundTruth}: patient `)).toBe(true);
      expect(e.message).toMatch(message);
    });
  }

  it('preprocessPatient applies the same rule to an in-memory mask', () => {
    const ok = vol(() => 100);
    expect(() => preprocessPatient({ id: 'm', baseline: ok, followup: ok, mask: vol((i) => (i === 0 ? 255 : 0)) }, { spacing: 1 })).toThrow(
      /patient m: ground-truth mask is not binary: found value 255/,
    );
  });
});

describe('fault 13: NaN affines and absurd working grids are named errors', () => {
  it('checkSameGrid refuses a NaN affine instead of passing it (d > tol is false for NaN)', () => {
    const img = (path: string, a: number[][]): NiftiImage => ({ ...vol(() => 0), path, affine: a }) as NiftiImage;
    const nanAffine = affine.map((r, i) => (i === 0 ? [Number.NaN, 0, 0, 0] : r.slice()));
    expect(() => checkSameGrid('p', img('/a.nii', affine), img('/b.nii', nanAffine))).toThrow(
      /patient p: \/b\.nii affine differs from \/a\.nii by up to NaN mm/,
    );
  });

  it('preprocessPatient refuses an input whose physical size is absurd for the working spacing', async () => {
    const big = (): Volume => ({
      shape: [10, 10, 10],
      spacing: [100, 100, 100],
      affine: [
        [100, 0, 0, 0],
        [0, 100, 0, 0],
        [0, 0, 100, 0],
        [0, 0, 0, 1],
      ],
      data: new Float32Array(1000).fill(1),
    });
    expect(() => preprocessPatient({ id: 'cm', baseline: big(), followup: big() }, { spacing: 0.5 })).toThrow(
      new DatasetError(
        `patient cm: 10x10x10 voxels of 100x100x100 mm (1000x1000x1000 mm) make a 2000x2000x2000 working grid at 0.5x0.5x0.5 mm: 8000000000 voxels, over the limit of ${MAX_WORKING_VOXELS}; ` +
          "check the file's voxel size (pixdim/affine) against the working spacing",
      ),
    );
  });

  it('preprocessPatient refuses NaN or degenerate affines with named errors, not a RangeError from an allocation', () => {
    const withAffine = (a: number[][]) => (): Volume => ({ ...vol(() => 1), affine: a });
    const nan = withAffine([
      [Number.NaN, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    expect(() => preprocessPatient({ id: 'nan', baseline: nan(), followup: nan() })).toThrow(
      new DatasetError("patient nan: follow-up grid differs from the baseline's (or an affine is not finite)"),
    );
    const flat = withAffine([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 1],
    ]);
    expect(() => preprocessPatient({ id: 'flat', baseline: flat(), followup: flat() })).toThrow(
      /^patient flat: workingGrid: source voxel size \[1, 1, 0\] mm must be finite and > 0/,
    );
  });
});
