import { appendFileSync, existsSync } from 'node:fs';
import type { Bus } from '@lesionseg/events';

/** The columns of RUN_DIR/metrics.csv (snake_case, as pandas users expect). */
export const METRICS_COLUMNS = [
  'iteration',
  'elapsed_ms',
  'wall_time',
  'loss',
  'lr',
  'batch_size',
  'step_ms',
  'iterations_per_s',
  'val_dice',
  'val_model',
] as const;

type Row = Record<(typeof METRICS_COLUMNS)[number], string | number | null>;

function cell(v: string | number | null): string {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return '';
  return String(v);
}

/**
 * RUN_DIR/metrics.csv: one row per optimizer step (`stepDone`), with the validation Dice on the
 * row of the step it followed (empty elsewhere). A row is written when the next step, the end
 * or close() shows that no validation for it can still come; a resumed run appends (the
 * header is written once).
 */
export class MetricsCsv {
  private pending: Row | null = null;
  private last: { iteration: number; elapsedMs: number } | null = null;

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  attach(bus: Bus): void {
    bus.on('stepDone', (e) => {
      this.flush();
      // Iterations per second of training time since the previous logged step (the step itself on the first).
      const rate =
        this.last && e.iteration > this.last.iteration && e.elapsedMs > this.last.elapsedMs
          ? (1000 * (e.iteration - this.last.iteration)) / (e.elapsedMs - this.last.elapsedMs)
          : e.stepMs > 0
            ? 1000 / e.stepMs
            : null;
      this.last = { iteration: e.iteration, elapsedMs: e.elapsedMs };
      this.pending = {
        iteration: e.iteration,
        elapsed_ms: Math.round(e.elapsedMs),
        wall_time: this.now().toISOString(),
        loss: e.loss,
        lr: e.lr,
        batch_size: e.batchSize,
        step_ms: Math.round(e.stepMs * 10) / 10,
        iterations_per_s: rate === null ? null : Math.round(rate * 1e4) / 1e4,
        val_dice: null,
        val_model: null,
      };
    });
    bus.on('validationDone', (e) => {
      if (this.pending && this.pending.iteration === e.iteration) {
        this.pending.val_dice = e.dice;
        this.pending.val_model = e.model;
      }
    });
    bus.on('trainEnd', () => this.flush());
  }

  flush(): void {
    if (!this.pending) return;
    const header = existsSync(this.file) ? '' : `${METRICS_COLUMNS.join(',')}\n`;
    const row = this.pending;
    appendFileSync(this.file, header + METRICS_COLUMNS.map((c) => cell(row[c])).join(',') + '\n');
    this.pending = null;
  }
}
