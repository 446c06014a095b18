import { StatusBlock, type ProgressSink } from '@lesionseg/cli';
import type { Budget, Bus } from '@lesionseg/events';
import { formatDuration } from '@lesionseg/config';
import type { Logger } from './logger.ts';

export interface ProgressState {
  budget: Budget | null;
  iteration: number;
  elapsedMs: number;
  loss: number | null;
  lr: number | null;
  dice: number | null;
  bestDice: number | null;
  /** Iterations and training ms at the start of this process (for the rate after a resume). */
  startIteration: number;
  startElapsedMs: number;
}

function fraction(s: ProgressState): number {
  if (!s.budget) return 0;
  const f = s.budget.kind === 'time' ? s.elapsedMs / s.budget.ms : s.iteration / s.budget.iterations;
  return Math.min(1, Math.max(0, f));
}

/** Remaining training time: the budget left, or the iterations left at this session's rate. */
export function etaMs(s: ProgressState): number {
  if (!s.budget) return NaN;
  if (s.budget.kind === 'time') return Math.max(0, s.budget.ms - s.elapsedMs);
  const done = s.iteration - s.startIteration;
  if (done <= 0) return NaN;
  return ((s.elapsedMs - s.startElapsedMs) / done) * (s.budget.iterations - s.iteration);
}

/** One line: `[#####.....]  50% it 120 | 2m00s/4m00s | loss 0.1234 | lr 1.0e-4 | val Dice 0.512 (best 0.530) | ETA 2m00s` */
export function formatProgress(s: ProgressState, width = 20): string {
  const f = fraction(s);
  const filled = Math.round(f * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const pct = `${(f * 100).toFixed(0).padStart(3)}%`;
  const budget = s.budget
    ? s.budget.kind === 'time'
      ? `${formatDuration(s.elapsedMs)}/${formatDuration(s.budget.ms)}`
      : `${formatDuration(s.elapsedMs)} (${s.iteration}/${s.budget.iterations} it)`
    : formatDuration(s.elapsedMs);
  const parts = [
    `${bar} ${pct} it ${s.iteration}`,
    budget,
    `loss ${s.loss === null ? '-' : s.loss.toFixed(4)}`,
    `lr ${s.lr === null ? '-' : s.lr.toExponential(1)}`,
    `val Dice ${s.dice === null ? '-' : s.dice.toFixed(3)}${s.bestDice !== null && s.bestDice !== s.dice ? ` (best ${s.bestDice.toFixed(3)})` : ''}`,
    `ETA ${formatDuration(etaMs(s))}`,
  ];
  return parts.join(' | ');
}

/** Where the bar writes (stderr in the trainer; the command kit's ProgressSink). */
export type ProgressOutput = ProgressSink;

/**
 * The console progress bar, on stderr so stdout stays clean for tools. Redraws at most every
 * `refreshSeconds` (wall clock), and always on validation and at the end.
 */
export class ProgressBar implements Logger {
  readonly name = 'progress';
  readonly state: ProgressState = {
    budget: null,
    iteration: 0,
    elapsedMs: 0,
    loss: null,
    lr: null,
    dice: null,
    bestDice: null,
    startIteration: 0,
    startElapsedMs: 0,
  };
  private lastDraw = -Infinity;
  private lastText = '';
  private readonly block: StatusBlock;

  constructor(
    out: ProgressOutput,
    private readonly refreshSeconds = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.block = new StatusBlock(out);
  }

  attach(bus: Bus): void {
    const s = this.state;
    bus.on('trainStart', (e) => {
      s.budget = e.budget;
      s.iteration = s.startIteration = e.iteration;
      s.elapsedMs = s.startElapsedMs = e.elapsedMs;
      this.line(`${e.resumed ? 'resuming' : 'training'} in ${e.runDir} on ${e.backend}`);
    });
    bus.on('stepDone', (e) => {
      s.iteration = e.iteration;
      s.elapsedMs = e.elapsedMs;
      s.loss = e.loss;
      s.lr = e.lr;
      this.draw(false);
    });
    bus.on('validationDone', (e) => {
      s.dice = e.dice;
      if (s.bestDice === null || e.dice > s.bestDice) s.bestDice = e.dice;
      this.draw(true);
    });
    bus.on('trainEnd', (e) => {
      s.iteration = e.iteration;
      s.elapsedMs = e.elapsedMs;
      this.draw(true);
      this.block.keep();
      this.line(
        `stopped (${e.reason}) after ${e.iteration} iterations, ${formatDuration(e.elapsedMs)} of training; best val Dice ${e.bestDice === null ? '-' : e.bestDice.toFixed(3)}`,
      );
    });
    bus.on('error', (e) => {
      this.line(`${e.fatal ? 'error' : 'warning'}: ${e.message}`);
    });
  }

  /** A message above the bar; the bar is redrawn under it at the next draw. */
  private line(text: string): void {
    this.block.message(text);
    if (this.block.isTTY) this.lastText = ''; // the bar was cleared: redraw it even unchanged
  }

  private draw(force: boolean): void {
    const t = this.now();
    const interval = this.block.isTTY ? this.refreshSeconds * 1000 : Math.max(10_000, this.refreshSeconds * 1000);
    if (!force && t - this.lastDraw < interval) return;
    const text = formatProgress(this.state);
    if (text === this.lastText) return; // e.g. the end right after the final validation
    this.lastDraw = t;
    this.lastText = text;
    this.block.show([text], true);
  }
}
