/**
 * The typed event map of lesionseg's bus. Events *inform* observers (loggers, progress bars,
 * report writers); they never steer training. Steering plugins (strategy, EMA, LR schedule,
 * validation, checkpointing) are typed interfaces the trainer calls and awaits; see
 * docs/architecture.md in this repository.
 *
 * Every payload carries `iteration` (optimizer steps done so far, or the item index for the
 * evaluator) and `elapsedMs` (training time, excluding validation/checkpoint pauses, that
 * survives a resume). It is a `type` alias, not an interface: mitt's `Record<EventType,
 * unknown>` constraint rejects interfaces.
 */
export interface EventBase {
  iteration: number;
  elapsedMs: number;
}

export type Budget = { kind: 'time'; ms: number } | { kind: 'iterations'; iterations: number };

export type TrainStart = EventBase & {
  runDir: string;
  budget: Budget;
  backend: string;
  resumed: boolean;
  config: unknown;
};

export type BatchMined = EventBase & {
  strategy: string;
  /** Patches drawn before selection (OHEM: 128; fixed oversampling: the batch itself). */
  candidates: number;
  /** Patches the optimizer step trains on (paper: 32). */
  selected: number;
  positiveCandidates: number;
  positiveSelected: number;
  /** Mean per-patch loss of the scoring model over candidates / selected; null when not scored. */
  meanCandidateLoss: number | null;
  meanSelectedLoss: number | null;
};

export type StepDone = EventBase & { loss: number; lr: number; batchSize: number; stepMs: number };
export type EmaUpdated = EventBase & { decay: number };
export type LrChanged = EventBase & { lr: number; previousLr: number; reason: string };
export type ValidationDone = EventBase & {
  dice: number;
  perPatient: { patient: string; dice: number | null }[];
  model: 'ema' | 'raw';
  isBest: boolean;
  durationMs: number;
};
export type CheckpointSaved = EventBase & { kind: 'latest' | 'best' | 'interrupt'; path: string };
export type TrainEnd = EventBase & {
  reason: 'budget' | 'iterations' | 'interrupted' | 'error';
  bestDice: number | null;
};
export type ErrorEvent = EventBase & {
  /** Who failed: `observer:<event>` for an observer, or the plugin / stage name. */
  source: string;
  message: string;
  error: unknown;
  /** true when the run stops because of it. */
  fatal: boolean;
};

/** Evaluator progress: one per sliding window batch, one per scored patient. */
/** Sliding windows done inside one patient; `patientIndex` of `patients` place it in the job (progress bars). */
export type WindowsDone = EventBase & { patient: string; done: number; total: number; patientIndex?: number; patients?: number };
export type PatientDone = EventBase & { patient: string; done: number; total: number; stage: 'predict' | 'score' };

export type LesionsegEvents = {
  trainStart: TrainStart;
  batchMined: BatchMined;
  stepDone: StepDone;
  emaUpdated: EmaUpdated;
  lrChanged: LrChanged;
  validationDone: ValidationDone;
  checkpointSaved: CheckpointSaved;
  trainEnd: TrainEnd;
  error: ErrorEvent;
  windowsDone: WindowsDone;
  patientDone: PatientDone;
};

export type LesionsegEventName = keyof LesionsegEvents;
