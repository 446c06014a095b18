export type {
  EventBase,
  Budget,
  TrainStart,
  BatchMined,
  StepDone,
  EmaUpdated,
  LrChanged,
  ValidationDone,
  CheckpointSaved,
  TrainEnd,
  ErrorEvent,
  WindowsDone,
  PatientDone,
  LesionsegEvents,
  LesionsegEventName,
} from './event-map.ts';
export { createBus, describeError, type Bus, type BusOptions, type ObserverFailure } from './bus.ts';
export { token, type Token, type TokenType } from './tokens.ts';
export { bindSingleton, bindMulti, resolve, resolveAll, UnknownPluginError, MissingPluginError } from './di.ts';
export { UserError } from './user-error.ts';
