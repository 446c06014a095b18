import { Container } from 'inversify';
import { loadPluginModules, registerPlugins, type PluginRegistry } from '@lesionseg/config';
import { bindSingleton, createBus, resolve, token, UnknownPluginError, type Bus } from '@lesionseg/events';
import { builtinPostProcessors, type PostProcessor } from './predict/postprocess.ts';

/** DI tokens of the evaluator app. */
export const EVALUATOR_TOKENS = {
  Bus: token<Bus>('evaluator.Bus'),
  /** The post-processing types (built-in and plugins): `--postprocess NAME` is looked up here only. */
  PostProcessors: token<PluginRegistry<void, PostProcessor>>('evaluator.PostProcessors'),
  Settings: token<EvaluatorSettings>('evaluator.Settings'),
};

export interface EvaluatorSettings {
  /** Threshold of `drop-small` (default 3 mm3, the MSSEG-2 metrics' lesion size limit); given to any post-processor with that option. */
  minLesionMm3?: number;
  /** The post-processing registry, with plugin modules' types registered; default the built-ins. */
  postProcessors?: PluginRegistry<void, PostProcessor>;
}

/**
 * The evaluator's composition root: the event bus (progress observers listen to it) and the
 * post-processing registry, from which the plugin users name is built.
 */
export function createEvaluatorContainer(settings: EvaluatorSettings = {}): Container {
  const c = new Container();
  bindSingleton(c, EVALUATOR_TOKENS.Bus, () => createBus());
  bindSingleton(c, EVALUATOR_TOKENS.PostProcessors, () => settings.postProcessors ?? builtinPostProcessors());
  bindSingleton(c, EVALUATOR_TOKENS.Settings, () => settings);
  return c;
}

/** The post-processing named on the command line, built by its definition; an unknown name lists the known ones. */
export function resolvePostProcessor(c: Container, name: string): PostProcessor {
  const registry = resolve(c, EVALUATOR_TOKENS.PostProcessors);
  if (!registry.has(name)) throw new UnknownPluginError('post-processing', name, registry.types());
  const raw: Record<string, unknown> = { type: name };
  const { minLesionMm3 } = resolve(c, EVALUATOR_TOKENS.Settings);
  if (minLesionMm3 !== undefined && 'minLesionMm3' in registry.definition(name).options) raw['minLesionMm3'] = minLesionMm3;
  return registry.create(registry.parse(raw, 'postprocess'));
}

export function postProcessorNames(c: Container): string[] {
  return resolve(c, EVALUATOR_TOKENS.PostProcessors).types();
}

export function resolveBus(c: Container): Bus {
  return resolve(c, EVALUATOR_TOKENS.Bus);
}

/** The built-in post-processors plus those of the plugin modules `files` (relative to `baseDir`). */
export async function loadPostProcessors(files: readonly string[], baseDir: string): Promise<PluginRegistry<void, PostProcessor>> {
  const registry = builtinPostProcessors();
  registerPlugins(await loadPluginModules(files, baseDir), { postProcessor: registry });
  return registry;
}
