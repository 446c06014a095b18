import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Container } from 'inversify';
import { relativeDataPaths, resolveInFolder, RUN_FILES } from '@lesionseg/data';
import { resolve, UserError, type TrainEnd } from '@lesionseg/events';
import { isPlainObject, loadPluginModules, registerPlugins, type Clock } from '@lesionseg/config';
import type { CliOptions } from './cli/args.ts';
import { DEFAULT_DATA_DIR, defaultRunDir, resolveUserPath, userCwd } from './cli/paths.ts';
import { configToJson, parseConfig, pluginsOption, type TrainerConfig } from './config/config.ts';
import { presetConfig } from './config/presets.ts';
import { builtinRegistries, type TrainerRegistries } from './config/registries.ts';
import { TrainingStoppedError } from './core/train-loop.ts';
import type { SteeringHook } from './core/types.ts';
import { buildLoop, composeTrainer } from './di/compose.ts';
import { TOKENS } from './di/tokens.ts';
import type { ProgressOutput } from './loggers/progress-bar.ts';
import { prepareEventsForResume } from './events-tail.ts';
import { checkNewRunDir, checkResumable, hasLatest, readJson, writeJsonAtomic } from './run-folder.ts';
import { lockRunDir } from './run-lock.ts';
import type { Runtime } from './runtime.ts';
import { interruptionHandler, SIGNAL_EXIT } from './process/interruption.ts';

export interface RuntimeRequest {
  config: TrainerConfig;
  runDir: string;
  dataDir: string;
  /** On resume: the split the run started with (split.json). */
  split: Runtime['split'] | null;
  /** The types the config was validated against (built-ins and plugins); default the built-ins. */
  registries?: TrainerRegistries;
}

export interface TrainDeps {
  env: NodeJS.ProcessEnv;
  workspaceRoot: string;
  createRuntime(request: RuntimeRequest): Promise<Runtime>;
  /** Called when the default dataset folder is missing: generate the synthetic phantoms there. */
  generateDefaultData?(dataDir: string, config: TrainerConfig): Promise<void>;
  /** Registers SIGINT/SIGTERM; returns an unregister function. */
  onSignals?(handler: (signal: string) => void): () => void;
  /** The built-in types to start from (plugin modules are registered into them); default builtinRegistries(). */
  registries?: TrainerRegistries;
  hooks?: SteeringHook[];
  clock?: Clock;
  progressOutput?: ProgressOutput;
  /** Human messages (stderr). */
  log(text: string): void;
}

export interface TrainResult {
  exitCode: number;
  runDir: string;
  end: TrainEnd | null;
}

interface ResolvedRun {
  config: TrainerConfig;
  registries: TrainerRegistries;
  runDir: string;
  dataDir: string;
  isDefaultData: boolean;
  resume: boolean;
}

/**
 * Loads the plugin modules a raw config names (relative to `configDir`) and those of --plugin
 * (relative to the user's folder) into `registries`, and records them in the config as
 * absolute paths, so that --resume finds them again from the run's config.json.
 */
export async function loadConfigPlugins(
  raw: Record<string, unknown>,
  configDir: string,
  cliPlugins: readonly string[],
  registries: TrainerRegistries,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const fromConfig = await loadPluginModules(pluginsOption(raw['plugins'], 'plugins'), configDir);
  const fromCli = await loadPluginModules(cliPlugins, userCwd(env));
  const modules = [...fromConfig, ...fromCli.filter((m) => !fromConfig.some((c) => c.file === m.file))];
  registerPlugins(modules, registries);
  if (modules.length > 0) raw['plugins'] = modules.map((m) => m.file);
}

async function resolveConfig(cli: CliOptions, deps: TrainDeps): Promise<ResolvedRun> {
  const registries = deps.registries ?? builtinRegistries();
  if (cli.resume) {
    const runDir = resolveUserPath(cli.resume, deps.env);
    checkResumable(runDir);
    const raw = readJson(path.join(runDir, RUN_FILES.config), 'run config');
    if (cli.backend && isPlainObject(raw)) raw['backend'] = cli.backend;
    // data.path and data.cacheDir are stored relative to the run folder (older runs: absolute, kept as is).
    if (isPlainObject(raw) && isPlainObject(raw['data']))
      for (const key of ['path', 'cacheDir']) if (typeof raw['data'][key] === 'string') raw['data'][key] = resolveInFolder(runDir, raw['data'][key]);
    // Where the cache lives changes no result: a resumed run may read it from elsewhere.
    if (cli.cache && isPlainObject(raw) && isPlainObject(raw['data'])) raw['data'] = { ...raw['data'], cacheDir: resolveUserPath(cli.cache, deps.env) };
    if (isPlainObject(raw)) await loadConfigPlugins(raw, runDir, [], registries, deps.env);
    const config = parseConfig(raw, registries);
    const dataDir = config.data.options.path ?? path.join(deps.workspaceRoot, DEFAULT_DATA_DIR);
    return { config, registries, runDir, dataDir, isDefaultData: false, resume: true };
  }
  let raw: unknown;
  let relativeTo = deps.workspaceRoot;
  if (cli.config) {
    const file = resolveUserPath(cli.config, deps.env);
    raw = readJson(file, 'config file');
    relativeTo = path.dirname(file);
  } else {
    raw = presetConfig(cli.preset ?? 'quick');
  }
  if (!isPlainObject(raw)) throw new UserError('the config must be a JSON object');
  await loadConfigPlugins(raw, relativeTo, cli.plugins, registries, deps.env);
  if (cli.seed !== null) raw['seed'] = cli.seed;
  if (cli.backend !== null) raw['backend'] = cli.backend;
  if (cli.budget !== null) raw['budget'] = { type: 'time', duration: cli.budget };
  if (cli.iterations !== null) raw['budget'] = { type: 'iterations', iterations: cli.iterations };
  const data: Record<string, unknown> = isPlainObject(raw['data']) ? { ...raw['data'] } : { type: 'msseg2' };
  let dataDir: string;
  let isDefaultData = false;
  if (cli.data !== null) dataDir = resolveUserPath(cli.data, deps.env);
  else if (typeof data['path'] === 'string') dataDir = path.resolve(relativeTo, data['path']);
  else {
    dataDir = path.join(deps.workspaceRoot, DEFAULT_DATA_DIR);
    isDefaultData = true;
  }
  data['path'] = dataDir;
  // The cache folder, like the dataset's, is relative to the config file.
  if (cli.cache !== null) data['cacheDir'] = resolveUserPath(cli.cache, deps.env);
  else if (typeof data['cacheDir'] === 'string') data['cacheDir'] = path.resolve(relativeTo, data['cacheDir']);
  raw['data'] = data;
  const config = parseConfig(raw, registries);
  const runDir = cli.out !== null ? resolveUserPath(cli.out, deps.env) : defaultRunDir(deps.workspaceRoot, config.name);
  return { config, registries, runDir, dataDir, isDefaultData, resume: false };
}

/** config.json as written into the run folder: data.path (and data.cacheDir) relative to it, so the folder can move with its data. */
function runFolderConfig(config: TrainerConfig, runDir: string): Record<string, unknown> {
  const json = configToJson(config);
  const data = json['data'];
  if (isPlainObject(data)) json['data'] = relativeDataPaths(data, runDir);
  return json;
}

/**
 * The trainer's main job, without process globals (testable): resolve and validate the config,
 * prepare the data and the run folder, compose the plugins, train, and map the outcome to an
 * exit code. Usage and config errors throw before anything is written.
 */
export async function train(cli: CliOptions, deps: TrainDeps): Promise<TrainResult> {
  const { config, registries, runDir, dataDir, isDefaultData, resume } = await resolveConfig(cli, deps);
  // Everything that can fail is checked before the run folder is written (fault 4 of issue 12):
  // a start that fails leaves nothing that blocks the next one.
  const reuse = resume ? false : checkNewRunDir(runDir) === 'reuse';

  // The default dataset is complete once the generator wrote dataset.json (it writes it last).
  if (isDefaultData && deps.generateDefaultData && !existsSync(path.join(dataDir, 'dataset.json'))) {
    deps.log(`no dataset in ${dataDir}: generating synthetic phantoms there (once)`);
    await deps.generateDefaultData(dataDir, config);
  } else if (!existsSync(dataDir)) {
    throw new UserError(`dataset folder ${dataDir} does not exist`);
  }

  mkdirSync(path.join(runDir, RUN_FILES.checkpoints), { recursive: true });
  const unlock = lockRunDir(runDir, deps.log);
  try {
    return await trainLocked({ config, registries, runDir, dataDir, resume, reuse }, deps);
  } finally {
    unlock();
  }
}

async function trainLocked(
  { config, registries, runDir, dataDir, resume, reuse }: Omit<ResolvedRun, 'isDefaultData'> & { reuse: boolean },
  deps: TrainDeps,
): Promise<TrainResult> {
  // Under the lock: re-check (another start may have won the race), then go.
  if (!resume) checkNewRunDir(runDir);
  const fromCheckpoint = resume && hasLatest(runDir);
  if (resume && !fromCheckpoint) deps.log(`--resume ${runDir}: no checkpoint saved yet, so the run starts from the beginning with its config.json`);
  const splitFile = path.join(runDir, RUN_FILES.split);
  const split = fromCheckpoint ? (readJson(splitFile, 'split') as Runtime['split']) : null;

  const runtime = await deps.createRuntime({ config, runDir, dataDir, split, registries });
  try {
    if (!fromCheckpoint) {
      if (reuse) deps.log(`${runDir} holds no checkpoint (an earlier start that failed): starting the run there afresh`);
      rmSync(path.join(runDir, RUN_FILES.events), { force: true });
      if (!resume) writeJsonAtomic(path.join(runDir, RUN_FILES.config), runFolderConfig(config, runDir));
      writeJsonAtomic(splitFile, runtime.split);
    }
    const state = fromCheckpoint ? await runtime.store.load(path.join(runDir, RUN_FILES.latest)) : undefined;
    if (state) for (const w of prepareEventsForResume(path.join(runDir, RUN_FILES.events), state.iteration)) deps.log(`warning: ${w}`);
    const c = new Container();
    composeTrainer(c, { config, runDir, runtime, registries, hooks: deps.hooks, clock: deps.clock, progressOutput: deps.progressOutput });
    const { loop, loggers } = buildLoop(c);
    const stop = resolve(c, TOKENS.Stop);
    const unregister = deps.onSignals?.(
      interruptionHandler({
        stop: (signal) => {
          deps.log(`\n${signal}: stopping and saving checkpoints/latest (signal again to exit without saving)`);
          stop.request(signal);
        },
        abort: (signal) => {
          deps.log(`${signal} again: exiting without a checkpoint`);
          process.exit(SIGNAL_EXIT[signal] ?? 1);
        },
      }),
    );
    try {
      const end = await loop.run(state);
      if (end.reason === 'interrupted') {
        deps.log(`checkpoint saved in ${path.join(runDir, RUN_FILES.latest)}; continue with --resume ${runDir}`);
        return { exitCode: SIGNAL_EXIT[stop.reason ?? ''] ?? 130, runDir, end };
      }
      deps.log(`done: ${runDir}`);
      return { exitCode: 0, runDir, end };
    } catch (error) {
      if (error instanceof TrainingStoppedError) {
        deps.log(error.message);
        return { exitCode: 1, runDir, end: null };
      }
      throw error;
    } finally {
      unregister?.();
      for (const l of loggers) l.close?.();
    }
  } finally {
    runtime.dispose?.();
  }
}
