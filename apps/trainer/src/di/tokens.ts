import { token, type Bus } from '@lesionseg/events';
import type { Clock } from '@lesionseg/config';
import type { LrSchedule, PatchScorer, PatchSource, SamplingStrategy, StatefulRandom } from '@lesionseg/strategies';
import type { TrainerConfig } from '../config/config.ts';
import type { LoopSettings, TrainLoop } from '../core/train-loop.ts';
import type { EmaPlugin, ModelStore, SteeringHook, StopSignal, Trainable, Validator } from '../core/types.ts';
import type { Logger } from '../loggers/logger.ts';

/** The trainer's DI tokens (explicit symbols, no decorator metadata). */
export const TOKENS = {
  Bus: token<Bus>('Bus'),
  Clock: token<Clock>('Clock'),
  Config: token<TrainerConfig>('Config'),
  Settings: token<LoopSettings>('LoopSettings'),
  Stop: token<StopSignal>('StopSignal'),
  Random: token<StatefulRandom>('Random'),
  PatchSource: token<PatchSource>('PatchSource'),
  EmaScorer: token<PatchScorer>('EmaScorer'),
  Trainable: token<Trainable>('Trainable'),
  Ema: token<EmaPlugin>('Ema'),
  Store: token<ModelStore>('ModelStore'),
  Validator: token<Validator | null>('Validator'),
  /** Built by the strategy registry from the config's entry. */
  Strategy: token<SamplingStrategy>('Strategy'),
  /** Built by the lrSchedule registry, like Strategy. */
  LrSchedule: token<LrSchedule>('LrSchedule'),
  /** Multi-bound steering hooks, run after the EMA update by priority. */
  Hook: token<SteeringHook>('SteeringHook'),
  /** Multi-bound observers. */
  Logger: token<Logger>('Logger'),
  Loop: token<TrainLoop>('TrainLoop'),
};
