// Public API of @lesionseg/data: everything between files on disk and model-ready tensors.
export type { Vec3, Volume } from './volume.ts';
export { voxelCount, voxelIndex, voxelCoords, copyAffine } from './volume.ts';

export type { NiftiDatatype } from './nifti/datatypes.ts';
export type { NiftiHeader, NiftiImage } from './nifti/header.ts';
export { NiftiError } from './nifti/errors.ts';
export { readNifti, parseNifti } from './nifti/read.ts';
export { writeNifti, encodeNifti } from './nifti/write.ts';
export type { WriteNiftiOptions } from './nifti/write.ts';
export { affineToQform, qformToAffine, affineZooms, affineMaxDiff } from './nifti/affine.ts';
export type { QForm } from './nifti/affine.ts';

export type { Random, Rng, RngState } from './random.ts';
export { createRng, randInt, uniform, normal, shuffled, Mulberry32, mulberry32 } from './random.ts';

export type { PreprocessedPatient } from './sampling/patient.ts';
export { precomputePositives } from './sampling/patient.ts';
export type { PatchKind, PatchSpec, SamplingTarget } from './sampling/patches.ts';
export { uniformPatch, positivePatch, samplePatch, hasPositives } from './sampling/patches.ts';
export type { ExtractedBatch } from './sampling/batch.ts';
export { extractBatch } from './sampling/batch.ts';

export type { GridMapping, AxisTable } from './preprocess/grid.ts';
export { workingGrid, axisTable, forwardTables, inverseTables } from './preprocess/grid.ts';
export { resampleTrilinear, resampleMask, resampleImage } from './preprocess/resample.ts';
export { zscoreInPlace } from './preprocess/zscore.ts';
export type { PatientVolumes, PreprocessOptions } from './preprocess/preprocess.ts';
export { preprocessPatient, MAX_WORKING_VOXELS } from './preprocess/preprocess.ts';
export { checkFiniteVoxels, checkBinaryMask, countNonFinite, nonBinaryVoxels, nonBinaryProblem } from './validate/voxels.ts';
export { probabilitiesToOriginal, binarize, predictionToOriginalMask } from './preprocess/inverse.ts';

export { writeFileAtomic } from './io/atomic.ts';
export { processAlive } from './io/process-alive.ts';
export { pathExists, isFile, isDirectory } from './io/exists.ts';
export { tsWorker } from './io/ts-worker.ts';
export type { PatientFiles, SkippedFolder, ListPatientsOptions } from './dataset/layout.ts';
export { MSSEG2_FILES, DatasetError, findMsseg2Patients, readManifest, listPatients, listSubfolders, warnSkipped } from './dataset/layout.ts';
export type { LoadedPatient } from './dataset/load.ts';
export { GRID_TOLERANCE_MM, checkSameGrid, gridMismatch, loadPatient, patientVolumes, lesionVoxelCount } from './dataset/load.ts';
export type { Split } from './dataset/split.ts';
export { splitPatients } from './dataset/split.ts';

export type { PhantomOptions, PhantomPreset, PhantomDifficulty } from './synth/options.ts';
export { PHANTOM_PRESETS, PHANTOM_DIFFICULTY, MAX_PHANTOM_VOXELS, phantomOptions } from './synth/options.ts';
export type { Phantom, PhantomInfo } from './synth/phantom.ts';
export { generatePhantom, phantomAffine } from './synth/phantom.ts';
export { Tissue, FLAIR_INTENSITY } from './synth/anatomy.ts';
export type { SyntheticDatasetOptions } from './synth/dataset.ts';
export { writeSyntheticDataset, syntheticPatient, syntheticPatients, patientSeed } from './synth/dataset.ts';

export type { CachedPatient } from './cache/cached-patient.ts';
export type { CacheOptions } from './cache/cache.ts';
export { defaultCacheDir, entryPath, ensureEntry, buildEntry, sourceStamps, openCohort } from './cache/cache.ts';
export type { FillResult } from './cache/fill.ts';
export { fillCache } from './cache/fill.ts';
export { CacheEntryError, PREPROCESS_VERSION } from './cache/format.ts';
export { CacheEntry } from './cache/entry.ts';
export { ChunkStore } from './cache/chunk-store.ts';
export type { PatchExtractor } from './cache/background.ts';
export { BackgroundExtractor } from './cache/background.ts';
export { headBox, HEAD_THRESHOLD } from './cache/box.ts';

export type { ToolProvenance } from './provenance.ts';
export { toolProvenance, sha256File } from './provenance.ts';

export * from './run-folder/index.ts';
