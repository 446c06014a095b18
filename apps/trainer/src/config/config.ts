import { BACKEND_NAMES, type BackendChoice } from '@lesionseg/models';
import type { Budget } from '@lesionseg/events';
import { ConfigError, entryToJson, isPlainObject, list, num, str, type PluginEntry } from '@lesionseg/config';
import { builtinRegistries, type TrainerRegistries } from './registries.ts';
import {
  budgetSection,
  checkpointSection,
  dataSection,
  emaSection,
  modelSection,
  optimizerSection,
  validationSection,
  type BudgetOptions,
  type CheckpointOptions,
  type DataOptions,
  type EmaOptions,
  type ModelOptions,
  type OptimizerOptions,
  type ValidationOptions,
} from './sections.ts';

/** The models library's backend names (auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu). */
export const BACKENDS = BACKEND_NAMES;

/**
 * A run's config: every plugin is an entry `{ "type": ..., ...options }`. Validated completely
 * before anything else happens; the resolved version (defaults filled in) is written to
 * RUN_DIR/config.json and is what --resume reads back.
 */
export interface TrainerConfig {
  /** Name of the preset it came from, or the config file. Informational. */
  name: string;
  seed: number;
  backend: BackendChoice;
  budget: PluginEntry<BudgetOptions>;
  data: PluginEntry<DataOptions>;
  model: PluginEntry<ModelOptions>;
  /** Open kinds (a plugin may add types): their options are known to their own definition only. */
  loss: PluginEntry;
  optimizer: PluginEntry<OptimizerOptions>;
  lrSchedule: PluginEntry;
  ema: PluginEntry<EmaOptions>;
  strategy: PluginEntry;
  /** null: no validation (e.g. the paper's final model, trained on every patient). */
  validation: PluginEntry<ValidationOptions> | null;
  checkpoint: PluginEntry<CheckpointOptions>;
  loggers: PluginEntry[];
  /** Steering hooks by type, run after each step (their names must differ: their checkpoint state is keyed by name). */
  hooks: PluginEntry[];
  /** Plugin modules (absolute paths once resolved) whose definitions this config may use. */
  plugins: string[];
}

const SECTIONS = [
  'name',
  'seed',
  'backend',
  'budget',
  'data',
  'model',
  'loss',
  'optimizer',
  'lrSchedule',
  'ema',
  'strategy',
  'validation',
  'checkpoint',
  'loggers',
  'hooks',
  'plugins',
] as const;

/** `plugins`: a list of module paths; loading them is the caller's (they must be registered before this parse). */
export const pluginsOption = list(str(), { default: [] });

/**
 * Validates a raw config object against `registries` (the built-in types plus those of any
 * plugin module, registered before). Errors name the config path.
 */
export function parseConfig(raw: unknown, registries: TrainerRegistries = builtinRegistries()): TrainerConfig {
  if (!isPlainObject(raw)) throw new ConfigError('(config)', 'must be a JSON object');
  for (const key of Object.keys(raw)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      throw new ConfigError(key, `unknown config key "${key}" (known: ${SECTIONS.join(', ')})`);
    }
  }
  const required = (key: string): unknown => {
    if (raw[key] === undefined) throw new ConfigError(key, 'is required');
    return raw[key];
  };
  const entries = (key: string, fallback: unknown[]): unknown[] => {
    const v = raw[key] ?? fallback;
    if (!Array.isArray(v)) throw new ConfigError(key, 'must be a list of { "type": ... } entries');
    return v;
  };
  const config: TrainerConfig = {
    name: str({ default: 'custom' })(raw['name'], 'name'),
    seed: num({ default: 1, integer: true, min: 0 })(raw['seed'], 'seed'),
    backend: str<BackendChoice>({ default: 'auto', oneOf: BACKENDS })(raw['backend'], 'backend'),
    budget: budgetSection.parse(required('budget'), 'budget'),
    data: dataSection.parse(raw['data'] ?? { type: 'msseg2' }, 'data'),
    model: modelSection.parse(raw['model'] ?? { type: 'unet' }, 'model'),
    loss: registries.loss.parse(raw['loss'] ?? { type: 'bce' }, 'loss'),
    optimizer: optimizerSection.parse(raw['optimizer'] ?? { type: 'adam' }, 'optimizer'),
    lrSchedule: registries.lrSchedule.parse(raw['lrSchedule'] ?? { type: 'step' }, 'lrSchedule'),
    ema: emaSection.parse(required('ema'), 'ema'),
    strategy: registries.strategy.parse(required('strategy'), 'strategy'),
    validation: raw['validation'] === null ? null : validationSection.parse(raw['validation'] ?? { type: 'dice', everySeconds: 300 }, 'validation'),
    checkpoint: checkpointSection.parse(raw['checkpoint'] ?? { type: 'interval', everySeconds: 600 }, 'checkpoint'),
    loggers: entries('loggers', [{ type: 'progress' }, { type: 'jsonl' }]).map((l, i) => registries.logger.parse(l, `loggers[${i}]`)),
    hooks: entries('hooks', []).map((h, i) => registries.hook.parse(h, `hooks[${i}]`)),
    plugins: pluginsOption(raw['plugins'], 'plugins'),
  };
  parseBudget(config); // fail early on "3 hours"
  crossCheck(config);
  const v = config.validation?.options;
  if (v && v.everySeconds === null && v.everyIterations === null) {
    throw new ConfigError('validation', 'set everySeconds or everyIterations (or "validation": null for none)');
  }
  return config;
}

/**
 * Combinations that each pass their own check but fail once training starts (a stack trace
 * minutes in, and a --resume that fails the same way): caught here, before anything runs.
 */
function crossCheck(config: TrainerConfig): void {
  const data = config.data.options;
  const model = config.model.options;
  const poolings = model.widths.length - 1;
  const divisor = 2 ** poolings;
  if (data.patchSize % divisor !== 0) {
    const lower = Math.max(divisor, data.patchSize - (data.patchSize % divisor));
    throw new ConfigError(
      'data.patchSize',
      `${data.patchSize} does not suit a UNet with ${model.widths.length} levels (model.widths ${JSON.stringify(model.widths)}): ` +
        `the patch side must be a multiple of ${divisor} (${poolings} poolings), e.g. ${lower} or ${lower + divisor}`,
    );
  }
  const s = config.strategy.options;
  if (typeof s.candidates === 'number' && typeof s.batchSize === 'number' && s.batchSize > s.candidates) {
    throw new ConfigError('strategy.batchSize', `${s.batchSize} cannot exceed strategy.candidates (${s.candidates}): the batch is chosen among the candidates`);
  }
}

/** The run's budget, built by the budget section's definition. */
export function parseBudget(config: TrainerConfig): Budget {
  return budgetSection.create(config.budget);
}

/** The resolved config as JSON (for RUN_DIR/config.json): every entry with its defaults. */
export function configToJson(config: TrainerConfig): Record<string, unknown> {
  return {
    name: config.name,
    seed: config.seed,
    backend: config.backend,
    budget: entryToJson(config.budget),
    data: entryToJson(config.data),
    model: entryToJson(config.model),
    loss: entryToJson(config.loss),
    optimizer: entryToJson(config.optimizer),
    lrSchedule: entryToJson(config.lrSchedule),
    ema: entryToJson(config.ema),
    strategy: entryToJson(config.strategy),
    validation: config.validation ? entryToJson(config.validation) : null,
    checkpoint: entryToJson(config.checkpoint),
    loggers: config.loggers.map(entryToJson),
    // Written only when used, so the config.json of a run without them is unchanged.
    ...(config.hooks.length > 0 ? { hooks: config.hooks.map(entryToJson) } : {}),
    ...(config.plugins.length > 0 ? { plugins: config.plugins } : {}),
  };
}
