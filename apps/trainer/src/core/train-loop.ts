import path from 'node:path';
import { checkpointPath, RUN_FILES } from '@lesionseg/data';
import { describeError, type Budget, type Bus, type TrainEnd } from '@lesionseg/events';
import { budgetExhausted, budgetProgress, TrainingTimer, type Clock } from '@lesionseg/config';
import type { LrSchedule, SamplingStrategy, StatefulRandom } from '@lesionseg/strategies';
import {
  NonFiniteError,
  type EmaPlugin,
  type HookContext,
  type ModelStore,
  type SteeringHook,
  type StopSignal,
  type Trainable,
  type TrainerState,
  type Validator,
} from './types.ts';

export interface LoopSettings {
  budget: Budget;
  runDir: string;
  /** Validate after this much training time (ms) since the last validation; null: never by time. */
  validateEveryMs: number | null;
  /** Validate every this many iterations; null: never by count. */
  validateEveryIterations: number | null;
  /** Save checkpoints/latest after this much training time since the last save; null: only at the end. */
  checkpointEveryMs: number | null;
  /** For trainStart: what the run was started with. */
  backend: string;
  config: unknown;
}

export interface LoopParts {
  bus: Bus;
  clock: Clock;
  random: StatefulRandom;
  strategy: SamplingStrategy;
  trainable: Trainable;
  ema: EmaPlugin;
  schedule: LrSchedule;
  store: ModelStore;
  validator: Validator | null;
  hooks: SteeringHook[];
  stop: StopSignal;
}

/** A steering plugin failed: training stopped after saving a checkpoint. */
export class TrainingStoppedError extends Error {
  constructor(
    readonly stage: string,
    readonly iteration: number,
    readonly checkpoint: string | null,
    cause: unknown,
  ) {
    super(
      `training stopped: steering plugin "${stage}" failed at iteration ${iteration}: ${describeError(cause)}. ` +
        (checkpoint ? `Checkpoint saved to ${checkpoint}; fix the cause and continue with --resume.` : 'No checkpoint could be saved.'),
      { cause },
    );
    this.name = 'TrainingStoppedError';
  }
}

/** Training stopped at a NaN/Inf loss or gradient; nothing was saved after the last good checkpoint. */
export class NonFiniteStopError extends TrainingStoppedError {
  constructor(iteration: number, cause: NonFiniteError) {
    super('trainStep', iteration, null, cause);
    this.message =
      `training stopped at iteration ${iteration + 1}: ${cause.message} (NaN or infinite). checkpoints/latest and checkpoints/best were left as they were, ` +
      'the last good ones. Non-finite values come from the data (NaN/Inf voxels) or a learning rate too high for the model; resuming without changing that fails the same way.';
  }
}

class StageError extends Error {
  constructor(
    readonly stage: string,
    readonly inner: unknown,
  ) {
    super(describeError(inner));
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The core loop (one iteration):
 *   1. lrSchedule.lrAt(progress)            -> lrChanged (when it changes)
 *   2. strategy.nextBatch(ctx)              -> batchMined
 *   3. trainable.trainStep(batch, lr)       -> stepDone
 *   4. ema.update()                         -> emaUpdated
 *   5. hooks[].afterStep, by priority
 *   6. validator, when due (timer paused)   -> validationDone, checkpoints/best when it improves
 *   7. checkpoint latest, when due (paused) -> checkpointSaved
 * Every call is awaited in this order; events are emitted after each stage for observers only.
 * The budget is checked between iterations, so the last step may end slightly past a time budget.
 */
export class TrainLoop {
  private readonly timer: TrainingTimer;
  private readonly hooks: SteeringHook[];
  private state: TrainerState;

  constructor(
    private readonly parts: LoopParts,
    private readonly settings: LoopSettings,
  ) {
    this.timer = new TrainingTimer(parts.clock);
    checkUniqueHookNames(parts.hooks);
    // stable sort: equal priorities keep binding order
    this.hooks = parts.hooks
      .map((h, i) => ({ h, i }))
      .sort((a, b) => (a.h.priority ?? 50) - (b.h.priority ?? 50) || a.i - b.i)
      .map((x) => x.h);
    this.state = {
      iteration: 0,
      elapsedMs: 0,
      lr: NaN,
      random: null,
      strategy: null,
      bestDice: null,
      lastValidationMs: 0,
      lastValidationIteration: 0,
      lastCheckpointMs: 0,
      hooks: {},
    };
  }

  get checkpointDir(): string {
    return path.join(this.settings.runDir, RUN_FILES.checkpoints);
  }

  /** Runs until the budget is used, a stop is requested, or a steering plugin fails (throws TrainingStoppedError). */
  async run(resume?: TrainerState): Promise<TrainEnd> {
    const { bus } = this.parts;
    if (resume) this.restore(resume);
    bus.emit('trainStart', {
      iteration: this.state.iteration,
      elapsedMs: this.timer.elapsedMs,
      runDir: this.settings.runDir,
      budget: this.settings.budget,
      backend: this.settings.backend,
      resumed: resume !== undefined,
      config: this.settings.config,
    });
    this.timer.start();
    let reason: TrainEnd['reason'] = 'error';
    try {
      for (;;) {
        if (this.parts.stop.requested) {
          reason = 'interrupted';
          break;
        }
        if (budgetExhausted(this.settings.budget, this.state.iteration, this.timer.elapsedMs)) {
          reason = this.settings.budget.kind === 'time' ? 'budget' : 'iterations';
          break;
        }
        await this.iterate();
        // let signal handlers and I/O callbacks run between steps
        await yieldToEventLoop();
      }
      this.timer.pause();
      const needsFinalValidation = reason !== 'interrupted' && this.parts.validator !== null && this.state.lastValidationIteration !== this.state.iteration;
      if (needsFinalValidation) await this.validate();
      await this.checkpoint(reason === 'interrupted' ? 'interrupt' : 'latest');
    } catch (error) {
      await this.failed(error);
    }
    const end: TrainEnd = { iteration: this.state.iteration, elapsedMs: this.timer.elapsedMs, reason, bestDice: this.state.bestDice };
    bus.emit('trainEnd', end);
    return end;
  }

  private restore(s: TrainerState): void {
    this.state = { ...s, hooks: { ...s.hooks } };
    this.timer.restore(s.elapsedMs);
    this.parts.random.setState(s.random);
    if (s.strategy !== null && s.strategy !== undefined) this.parts.strategy.setState?.(s.strategy);
    for (const h of this.hooks) if (h.name in s.hooks) h.setState?.(s.hooks[h.name]);
  }

  /** Back to the state at the start of an iteration that was abandoned before its training step. */
  private rollback(before: { lr: number; random: unknown; strategy: unknown }): void {
    this.state.lr = before.lr;
    this.parts.random.setState(before.random);
    if (before.strategy !== null) this.parts.strategy.setState?.(before.strategy);
  }

  private snapshot(): TrainerState {
    const hooks: Record<string, unknown> = {};
    for (const h of this.hooks) if (h.getState) hooks[h.name] = h.getState();
    return {
      ...this.state,
      elapsedMs: this.timer.elapsedMs,
      random: this.parts.random.getState(),
      strategy: this.parts.strategy.getState?.() ?? null,
      hooks,
    };
  }

  private async stage<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw error instanceof StageError ? error : new StageError(name, error);
    }
  }

  private async iterate(): Promise<void> {
    const { bus, strategy, trainable, ema, schedule, random, clock } = this.parts;
    const s = this.state;
    const elapsedMs = this.timer.elapsedMs;
    const progress = budgetProgress(this.settings.budget, s.iteration, elapsedMs);
    const before = { lr: s.lr, random: random.getState(), strategy: strategy.getState?.() ?? null };

    const lr = await this.stage('lrSchedule', () => schedule.lrAt(progress));
    if (!(lr > 0) || !Number.isFinite(lr)) throw new StageError('lrSchedule', new Error(`learning rate ${lr} is not a positive number`));
    if (lr !== s.lr) {
      const previousLr = s.lr;
      s.lr = lr;
      if (!Number.isNaN(previousLr)) {
        bus.emit('lrChanged', { iteration: s.iteration, elapsedMs, lr, previousLr, reason: `${(progress * 100).toFixed(1)} % of the budget` });
      }
    }

    const { batch, mined } = await this.stage('strategy', () => strategy.nextBatch({ iteration: s.iteration, elapsedMs, progress, random }));
    // Mining can take seconds (OHEM scores every candidate): a stop requested meanwhile must not
    // wait for the training step too (Slurm kills 30 s after SIGTERM, nx 5 s). Undo the
    // iteration's draws so that the checkpoint is the state before it, as an unsplit run has it.
    await yieldToEventLoop();
    if (this.parts.stop.requested) {
      this.rollback(before);
      return;
    }
    bus.emit('batchMined', { iteration: s.iteration, elapsedMs: this.timer.elapsedMs, ...mined });

    const t0 = clock.now();
    const stop = this.parts.stop;
    const step = await this.stage('trainStep', () => trainable.trainStep(batch, lr, { shouldStop: () => stop.requested }));
    if (step.aborted) {
      this.rollback(before);
      return;
    }
    const loss = step.loss;
    if (!Number.isFinite(loss)) throw new StageError('trainStep', new NonFiniteError(`the loss is ${loss}`));
    const stepMs = clock.now() - t0;
    s.iteration++;
    bus.emit('stepDone', { iteration: s.iteration, elapsedMs: this.timer.elapsedMs, loss, lr, batchSize: batch.count, stepMs });

    await this.stage('ema', () => ema.update());
    bus.emit('emaUpdated', { iteration: s.iteration, elapsedMs: this.timer.elapsedMs, decay: ema.decay });

    const hctx: HookContext = { iteration: s.iteration, elapsedMs: this.timer.elapsedMs, progress, loss, lr };
    for (const hook of this.hooks) {
      const afterStep = hook.afterStep?.bind(hook);
      if (afterStep) await this.stage(hook.name, () => afterStep(hctx));
    }

    if (this.validationDue()) await this.validate();
    const every = this.settings.checkpointEveryMs;
    if (every !== null && this.timer.elapsedMs - s.lastCheckpointMs >= every) await this.checkpoint('latest');
  }

  private validationDue(): boolean {
    if (!this.parts.validator) return false;
    const s = this.state;
    const { validateEveryMs, validateEveryIterations } = this.settings;
    if (validateEveryIterations !== null && s.iteration - s.lastValidationIteration >= validateEveryIterations) return true;
    return validateEveryMs !== null && this.timer.elapsedMs - s.lastValidationMs >= validateEveryMs;
  }

  private async validate(): Promise<void> {
    const validator = this.parts.validator;
    if (!validator) return;
    const s = this.state;
    const elapsedMs = this.timer.elapsedMs;
    const t0 = this.parts.clock.now();
    const result = await this.timer.paused(() => this.stage('validator', () => validator.validate({ iteration: s.iteration, elapsedMs })));
    s.lastValidationMs = elapsedMs;
    s.lastValidationIteration = s.iteration;
    const isBest = Number.isFinite(result.dice) && (s.bestDice === null || result.dice > s.bestDice);
    if (isBest) s.bestDice = result.dice;
    this.parts.bus.emit('validationDone', {
      iteration: s.iteration,
      elapsedMs,
      dice: result.dice,
      perPatient: result.perPatient,
      model: result.model,
      isBest,
      durationMs: this.parts.clock.now() - t0,
    });
    if (isBest) await this.checkpoint('best');
  }

  private async checkpoint(kind: 'latest' | 'best' | 'interrupt'): Promise<string> {
    const dir = checkpointPath(this.settings.runDir, kind === 'best' ? 'best' : 'latest');
    await this.timer.paused(async () => {
      if (kind !== 'best') this.state.lastCheckpointMs = this.timer.elapsedMs;
      await this.stage('checkpointer', () => this.parts.store.save(dir, this.snapshot()));
    });
    this.parts.bus.emit('checkpointSaved', { iteration: this.state.iteration, elapsedMs: this.timer.elapsedMs, kind, path: dir });
    return dir;
  }

  /** A steering stage threw: report it, save what we have, and stop with a clear message. */
  private async failed(error: unknown): Promise<never> {
    this.timer.pause();
    const stage = error instanceof StageError ? error.stage : 'trainer';
    const cause = error instanceof StageError ? error.inner : error;
    const { bus } = this.parts;
    bus.emit('error', {
      iteration: this.state.iteration,
      elapsedMs: this.timer.elapsedMs,
      source: stage,
      message: `steering plugin "${stage}" failed: ${describeError(cause)}`,
      error: cause,
      fatal: true,
    });
    let saved: string | null = null;
    if (cause instanceof NonFiniteError) {
      // The model may already hold non-finite weights: keep checkpoints/latest and best as they are (the last good ones).
      bus.emit('trainEnd', { iteration: this.state.iteration, elapsedMs: this.timer.elapsedMs, reason: 'error', bestDice: this.state.bestDice });
      throw new NonFiniteStopError(this.state.iteration, cause);
    }
    if (stage !== 'checkpointer') {
      try {
        saved = await this.checkpoint('latest');
      } catch (saveError) {
        bus.emit('error', {
          iteration: this.state.iteration,
          elapsedMs: this.timer.elapsedMs,
          source: 'checkpointer',
          message: `could not save a checkpoint after the failure: ${describeError(saveError)}`,
          error: saveError,
          fatal: true,
        });
      }
    }
    bus.emit('trainEnd', { iteration: this.state.iteration, elapsedMs: this.timer.elapsedMs, reason: 'error', bestDice: this.state.bestDice });
    throw new TrainingStoppedError(stage, this.state.iteration, saved, cause);
  }
}

/** Hook state is checkpointed by hook name: two hooks of one name would restore each other's state. */
function checkUniqueHookNames(hooks: readonly SteeringHook[]): void {
  const seen = new Set<string>();
  for (const h of hooks) {
    if (seen.has(h.name))
      throw new Error(`two steering hooks are named "${h.name}": hook names must be unique (each hook's checkpoint state is stored under its name)`);
    seen.add(h.name);
  }
}
