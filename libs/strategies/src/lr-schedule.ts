import { ConfigError, list, num, obj, type InferOptions } from '@lesionseg/config';

const milestoneSpec = {
  /** Fraction of the budget (time or iterations) from which this factor applies. */
  at: num({ min: 0, max: 1 }),
  /** Multiplies the initial learning rate. */
  factor: num({ above: 0 }),
};

export type Milestone = InferOptions<typeof milestoneSpec>;

/** Paper: Adam 1e-3, decayed to 1e-4 at 50 % and 1e-5 at 80 % of the training time. */
export const PAPER_MILESTONES: Milestone[] = [
  { at: 0.5, factor: 0.1 },
  { at: 0.8, factor: 0.01 },
];

export const stepScheduleOptionsSpec = {
  initialLr: num({ default: 1e-3, above: 0 }),
  milestones: list(obj<Milestone>(milestoneSpec), { default: PAPER_MILESTONES }),
};

export type StepScheduleOptions = InferOptions<typeof stepScheduleOptionsSpec>;

/**
 * A steering plugin: the learning rate for the next step, from the fraction of the budget
 * already used. The trainer asks before every optimizer step and emits `lrChanged` when the
 * value changes. The fraction comes from the training timer (an injected clock), so time-based
 * milestones are exact under a fake clock and survive resume (elapsed time is checkpointed).
 */
export interface LrSchedule {
  lrAt(progress: number): number;
}

export class StepLrSchedule implements LrSchedule {
  private readonly milestones: Milestone[];

  constructor(private readonly options: StepScheduleOptions) {
    this.milestones = [...options.milestones].sort((a, b) => a.at - b.at);
    for (let i = 1; i < this.milestones.length; i++) {
      if (this.milestones[i].at === this.milestones[i - 1].at) {
        throw new ConfigError('lrSchedule.milestones', `two milestones at ${this.milestones[i].at}`);
      }
    }
  }

  /** The rate of the last milestone reached: progress >= at (so exactly 50 % is already decayed). */
  lrAt(progress: number): number {
    let factor = 1;
    for (const m of this.milestones) if (progress >= m.at) factor = m.factor;
    return this.options.initialLr * factor;
  }
}
