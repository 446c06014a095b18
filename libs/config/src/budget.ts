import type { Budget } from '@lesionseg/events';

/** Milliseconds from an arbitrary origin. Injected so time is testable without waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

/**
 * Counts training time only: the trainer pauses it around validation and checkpointing (the
 * paper's curves are Dice against training time, and the budget is training time). The total
 * is checkpointed and restored on resume, so a resumed run continues the same budget.
 */
export class TrainingTimer {
  private accumulated = 0;
  private startedAt: number | null = null;

  constructor(private readonly clock: Clock) {}

  start(): void {
    if (this.startedAt === null) this.startedAt = this.clock.now();
  }

  pause(): void {
    if (this.startedAt === null) return;
    this.accumulated += this.clock.now() - this.startedAt;
    this.startedAt = null;
  }

  get running(): boolean {
    return this.startedAt !== null;
  }

  get elapsedMs(): number {
    return this.accumulated + (this.startedAt === null ? 0 : this.clock.now() - this.startedAt);
  }

  /** Resume: continue from the time a checkpoint recorded. */
  restore(elapsedMs: number): void {
    this.accumulated = elapsedMs;
    if (this.startedAt !== null) this.startedAt = this.clock.now();
  }

  /** Runs `fn` with the timer paused (validation, checkpoints): its duration is not training time. */
  async paused<T>(fn: () => Promise<T>): Promise<T> {
    const wasRunning = this.running;
    this.pause();
    try {
      return await fn();
    } finally {
      if (wasRunning) this.start();
    }
  }
}

/** Fraction of the budget used, clamped to [0, 1]. */
export function budgetProgress(budget: Budget, iteration: number, elapsedMs: number): number {
  const f = budget.kind === 'time' ? elapsedMs / budget.ms : iteration / budget.iterations;
  return Math.min(1, Math.max(0, f));
}

export function budgetExhausted(budget: Budget, iteration: number, elapsedMs: number): boolean {
  return budget.kind === 'time' ? elapsedMs >= budget.ms : iteration >= budget.iterations;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `3h`, `10m`, `90s`, `1h30m`, `250ms` (a bare number is seconds).
 * Throws an error quoting the input when it does not parse or is not positive.
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return positive(Number(t) * 1000, text);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== t.length || consumed === 0) {
    throw new Error(`Cannot parse duration "${text}": use a number with a unit, e.g. 3h, 10m, 90s, 1h30m`);
  }
  return positive(total, text);
}

function positive(ms: number, text: string): number {
  if (!(ms > 0)) throw new Error(`Duration "${text}" must be positive`);
  return ms;
}

/** `3h`, `10m`, `1m30s`, `45s`: for progress bars and messages. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
