import { basename } from 'node:path';
import { UserError } from '@lesionseg/events';
import * as models from '@lesionseg/models';
import { BackgroundExtractor, createRng, defaultCacheDir, openCohort, type CacheOptions, type PatchExtractor, type PatientFiles } from '@lesionseg/data';
import type { Runtime } from '../runtime.ts';
import type { RuntimeRequest } from '../train.ts';
import { builtinRegistries } from '../config/registries.ts';
import { emaSection, modelSection, optimizerSection, validationSection } from '../config/sections.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import { indexDataset, splitDataset, type DatasetIndex } from './dataset.ts';
import { DataPatchSource } from './patch-source.ts';
import type { DiceValidator } from './dice-validator.ts';
import { UNetTrainable } from './unet-trainable.ts';

function patientFiles(index: DatasetIndex, ids: readonly string[]): PatientFiles[] {
  return ids.map((id) => {
    const f = index.files.get(id);
    if (!f) throw new Error(`patient ${id} (from split.json) is not in the dataset any more`);
    return f;
  });
}

/**
 * The patients' cache entries (built from the files where missing or stale: the first run's
 * resampling; later runs only open them) and a reader capped at `memoryMiB`.
 */
async function openCached(files: PatientFiles[], cache: CacheOptions, memoryMiB: number, log: (t: string) => void, what: string) {
  const t0 = Date.now();
  const r = await openCohort(files, { ...cache, memoryMiB }, (done, total, id, built) =>
    log(`${built ? 'preprocessed' : 'cached'} ${what} patient ${id} (${done}/${total})`),
  );
  log(`${what} patients: ${r.built} preprocessed into ${cache.dir}, ${files.length - r.built} read from it (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return r;
}

/**
 * The real runtime: backend selection, the dataset split and preprocessing (@lesionseg/data),
 * and UNet + Adam + EMA (@lesionseg/models) behind the loop's plugin interfaces.
 */
export async function createRealRuntime(
  request: RuntimeRequest,
  log: (t: string) => void = (t) => console.error(t),
  registerWasmKernels: () => void = models.registerFastWasmKernels,
): Promise<Runtime> {
  const { config, dataDir } = request;
  const registries = request.registries ?? builtinRegistries();
  const selection = await models.selectBackend(models.parseBackendRequest(config.backend), { log });
  if (selection.name === 'wasm') {
    // The stock wasm Conv3D input gradient is wrong; the models lib re-registers fast, correct kernels.
    registerWasmKernels();
  }

  const data = config.data.options;
  const index = await indexDataset(dataDir);
  const split = request.split ?? (await splitDataset(index, data.validationFraction, config.seed));
  const held = `${index.ids.length} patient(s) in ${dataDir}, data.validationFraction ${data.validationFraction}`;
  if (split.train.length === 0) throw new UserError(`no training patient: ${held} puts every patient in validation; lower validationFraction or add patients`);
  const validation = config.validation?.options;
  const valIds = validation?.maxPatients != null ? split.validation.slice(0, validation.maxPatients) : split.validation;
  const cache: CacheOptions = { dir: data.cacheDir ?? defaultCacheDir(dataDir), spacingMm: data.spacingMm, margin: data.patchSize, log };
  const trainFiles = patientFiles(index, split.train);
  const train = await openCached(trainFiles, cache, data.memoryMiB, log, 'training');
  // Validation reads one patient at a time past the LRU: it adds one patient's box, not the cohort.
  const val = validation ? await openCached(patientFiles(index, valIds), cache, data.memoryMiB, log, 'validation') : null;
  const extractor: PatchExtractor = data.patchWorker
    ? new BackgroundExtractor(train.patients, trainFiles, { ...cache, memoryMiB: data.memoryMiB })
    : train.store;

  const modelOptions = config.model.options;
  const model = modelSection.create(config.model, { seed: config.seed });
  // Adam starts at the schedule's own first rate (the loop sets the rate before every step anyway).
  const optimizer = optimizerSection.create(config.optimizer, { initialLr: registries.lrSchedule.create(config.lrSchedule, {}).lrAt(0) });
  const ema = emaSection.create(config.ema, { model });
  const training = new UNetTrainable(model, optimizer, registries.loss.create(config.loss), modelOptions.microBatch);
  const store = new CheckpointStore(
    { model, optimizer, ema },
    { spacingMm: data.spacingMm, patchSize: data.patchSize, stride: validation?.stride ?? null, validationModel: validation?.model ?? null },
  );
  store.modelCard = (dir, state) => ({
    name: config.name,
    kind: basename(dir),
    preprocessing: { spacingMm: data.spacingMm, patchSize: data.patchSize, stride: validation?.stride ?? null },
    threshold: validation?.threshold ?? 0.5,
    training: {
      data: dataDir,
      trainPatients: split.train,
      validationPatients: valIds,
      strategy: `${config.strategy.type} ${JSON.stringify(config.strategy.options)}`,
      iteration: state.iteration,
      trainingSeconds: state.elapsedMs / 1000,
      seed: config.seed,
    },
    validation: { model: validation?.model ?? null, bestDice: state.bestDice, lastIteration: state.lastValidationIteration },
  });
  const workers = modelOptions.workers;
  if (workers > 0 && selection.name !== 'wasm' && selection.name !== 'cpu') {
    // Replicas are CPU worker threads; next to a GPU (or TensorFlow's own threads) they would only slow the step.
    log(`model.workers ${workers} ignored: worker replicas run on the wasm/cpu backends, this run is on ${selection.name}`);
  } else if (workers > 0) {
    await training.startReplicas(workers, selection.name === 'cpu' ? 'cpu' : 'wasm');
    log(`training on the main thread and ${workers} worker replica(s)`);
  }
  let validator: DiceValidator | null = null;
  if (config.validation && validation && val && val.patients.length > 0) {
    validator = validationSection.create(config.validation, {
      patients: val.patients.map((p) => ({ id: p.id, load: () => val.store.volume(p) })),
      patchSize: data.patchSize,
      models: { ema: () => ema.model, raw: () => model },
      predictWith: (m) => training.predictWith(m),
    });
  } else if (validation) {
    log(
      data.validationFraction === 0
        ? 'validation is configured but data.validationFraction is 0: no validation'
        : `validation is configured but no patient is held out (${held} rounds to none): no validation`,
    );
  }
  const source = new DataPatchSource(train.patients, data.patchSize, (specs) => extractor.extract(specs), data.patchWorker);
  return {
    backend: selection.name,
    random: createRng(config.seed),
    source,
    trainable: training,
    ema,
    emaScorer: training.scorer(() => ema.model),
    store,
    validator,
    split,
    dispose: () => {
      // How often the step found its batch already cut (the first call never does): a miss is a wait on I/O.
      const { hits, misses } = source.lookaheadStats;
      if (data.patchWorker) log(`patch look-ahead: ${hits} batch(es) cut while the previous step trained, ${misses} dropped (kinds or draws not as planned)`);
      training.dispose();
      ema.dispose();
      void extractor.close();
      train.store.close();
      val?.store.close();
    },
  };
}
