import type { PatchBatch } from '@lesionseg/strategies';

/**
 * The steering plugins of the training loop. The loop calls them at fixed points, in a fixed
 * order, and awaits each one; events on the bus only inform observers afterwards. The loop
 * knows nothing of TensorFlow: the real implementations are thin adapters over
 * @lesionseg/models and @lesionseg/data (src/adapters), and tests use deterministic fakes.
 */

export interface StepResult {
  /** Mean loss of the batch (what the optimizer minimised). */
  loss: number;
  /** True when the step stopped early because `control.shouldStop()` said so: nothing was updated. */
  aborted?: boolean;
}

export interface StepControl {
  /** Asked between micro-batches: a stop was requested, abandon the step without updating. */
  shouldStop(): boolean;
}

/**
 * The raw model with its optimizer: one Adam step on a batch at a given learning rate. A loss
 * or gradient that is not finite throws NonFiniteError, without updating the weights when the
 * implementation can tell before the update.
 */
export interface Trainable {
  trainStep(batch: PatchBatch, lr: number, control?: StepControl): Promise<StepResult>;
}

/** The loss or a gradient of a step is NaN or infinite: training must stop, nothing more is saved. */
export class NonFiniteError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'NonFiniteError';
  }
}

/**
 * The moving average of the weights (paper: the "momentum" model that scores OHEM candidates).
 * `decay` is the weight on the old average: ema = decay * ema + (1 - decay) * weights.
 */
export interface EmaPlugin {
  readonly decay: number;
  update(): Promise<void>;
}

/** What the loop itself must remember across a resume; model, optimizer and EMA are the store's. */
export interface TrainerState {
  iteration: number;
  elapsedMs: number;
  lr: number;
  random: unknown;
  strategy: unknown;
  bestDice: number | null;
  lastValidationMs: number;
  lastValidationIteration: number;
  lastCheckpointMs: number;
  /** State of steering hooks that have some, by hook name. */
  hooks: Record<string, unknown>;
}

/**
 * Saves and loads a complete checkpoint into one folder, atomically (a crash mid-write keeps
 * the previous checkpoint): model weights, optimizer moments, EMA weights and `state`.
 */
export interface ModelStore {
  save(dir: string, state: TrainerState): Promise<void>;
  load(dir: string): Promise<TrainerState>;
}

export interface ValidationResult {
  dice: number;
  perPatient: { patient: string; dice: number | null }[];
  model: 'ema' | 'raw';
}

/** Dice of the sliding-window prediction on the validation patients. */
export interface Validator {
  validate(at: { iteration: number; elapsedMs: number }): Promise<ValidationResult>;
}

export interface HookContext {
  iteration: number;
  elapsedMs: number;
  progress: number;
  loss: number;
  lr: number;
}

/**
 * A general steering hook (extensions beyond the built-in slots). Hooks run after the EMA
 * update, by ascending `priority` (default 50; ties keep binding order), each awaited. A hook
 * that throws stops training with a checkpoint. Hooks with state give getState/setState.
 */
export interface SteeringHook {
  readonly name: string;
  readonly priority?: number;
  afterStep?(ctx: HookContext): Promise<void> | void;
  getState?(): unknown;
  setState?(state: unknown): void;
}

/** Set by SIGINT/SIGTERM (or a test); the loop stops at the next step boundary. */
export class StopSignal {
  reason: string | null = null;
  request(reason: string): void {
    this.reason ??= reason;
  }
  get requested(): boolean {
    return this.reason !== null;
  }
}
