import { basename } from 'node:path';
import { UserError } from '@lesionseg/events';
import * as models from '@lesionseg/models';
import { createRng, type PreprocessedPatient } from '@lesionseg/data';
import type { Runtime } from '../runtime.ts';
import type { RuntimeRequest } from '../train.ts';
import { builtinRegistries } from '../config/registries.ts';
import { emaSection, modelSection, optimizerSection, validationSection } from '../config/sections.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import { indexDataset, preparePatient, splitDataset, type DatasetIndex } from './dataset.ts';
import { DataPatchSource } from './patch-source.ts';
import type { DiceValidator } from './dice-validator.ts';
import { UNetTrainable } from './unet-trainable.ts';

async function loadAll(index: DatasetIndex, ids: readonly string[], spacingMm: number | null, log: (t: string) => void, what: string): Promise<PreprocessedPatient[]> {
  const out: PreprocessedPatient[] = [];
  for (const id of ids) {
    out.push(await preparePatient(index, id, spacingMm));
    log(`loaded ${what} patient ${id} (${out.length}/${ids.length})`);
  }
  return out;
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
  const train = await loadAll(index, split.train, data.spacingMm, log, 'training');
  const val = validation ? await loadAll(index, valIds, data.spacingMm, log, 'validation') : [];

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
    training: { data: dataDir, trainPatients: split.train, validationPatients: valIds, strategy: `${config.strategy.type} ${JSON.stringify(config.strategy.options)}`, iteration: state.iteration, trainingSeconds: state.elapsedMs / 1000, seed: config.seed },
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
  if (config.validation && validation && val.length > 0) {
    validator = validationSection.create(config.validation, {
      patients: val,
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
  return {
    backend: selection.name,
    random: createRng(config.seed),
    source: new DataPatchSource(train, data.patchSize),
    trainable: training,
    ema,
    emaScorer: training.scorer(() => ema.model),
    store,
    validator,
    split,
    dispose: () => {
      training.dispose();
      ema.dispose();
    },
  };
}
