import { Container } from 'inversify';
import { bindNamed, bindSingleton, createBus, knownPluginNames, resolve, resolveNamed, token, type Bus } from '@lesionseg/events';
import { DropSmallComponents, NoPostProcessing, type PostProcessor } from './predict/postprocess.ts';

/** DI tokens of the evaluator app. */
export const EVALUATOR_TOKENS = {
  Bus: token<Bus>('evaluator.Bus'),
  PostProcessor: token<PostProcessor>('evaluator.PostProcessor'),
};

export interface EvaluatorSettings {
  /** Threshold of `drop-small` (default 3 mm3, the MSSEG-2 metrics' lesion size limit). */
  minLesionMm3?: number;
}

/**
 * The evaluator's composition root: the event bus (progress observers listen to it) and the
 * post-processing plugins, each bound under the name users pick it by.
 */
export function createEvaluatorContainer(settings: EvaluatorSettings = {}): Container {
  const c = new Container();
  bindSingleton(c, EVALUATOR_TOKENS.Bus, () => createBus());
  bindNamed(c, EVALUATOR_TOKENS.PostProcessor, 'none', () => new NoPostProcessing());
  bindNamed(c, EVALUATOR_TOKENS.PostProcessor, 'drop-small', () => new DropSmallComponents(settings.minLesionMm3 ?? 3));
  return c;
}

/** The post-processing named on the command line; an unknown name lists the known ones. */
export function resolvePostProcessor(c: Container, name: string): PostProcessor {
  return resolveNamed(c, EVALUATOR_TOKENS.PostProcessor, 'post-processing', name);
}

export function postProcessorNames(c: Container): string[] {
  return knownPluginNames(c, EVALUATOR_TOKENS.PostProcessor);
}

export function resolveBus(c: Container): Bus {
  return resolve(c, EVALUATOR_TOKENS.Bus);
}
