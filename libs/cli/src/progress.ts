import type { Bus } from '@lesionseg/events';
import { StatusBlock } from './status-block.ts';

/**
 * The progress bar of every job over a list (patients to predict, score or synthesise), on
 * stderr (stdout stays free for machine-readable output). On a terminal the bar redraws in
 * place; otherwise one line per item, which reads well in CI logs.
 */
export class ProgressBar {
  private readonly start = Date.now();
  private readonly block: StatusBlock;
  private readonly enabled: boolean;
  /** Names the stage when one command shows several bars (evaluate: predict, then score). */
  private readonly prefix: string;

  constructor(
    private readonly total: number,
    options: { stream?: NodeJS.WriteStream; enabled?: boolean; prefix?: string } = {},
  ) {
    const stream = options.stream ?? process.stderr;
    this.block = new StatusBlock({ write: (t) => void stream.write(t), isTTY: stream.isTTY === true });
    this.enabled = options.enabled ?? true;
    this.prefix = options.prefix ? `${options.prefix} ` : '';
  }

  /** Report that `done` items are finished, the last one being `label`: one line each in a log. */
  tick(done: number, label: string): void {
    if (!this.enabled) return;
    this.block.show([this.line(done, label)], true);
    if (done === this.total || !this.block.isTTY) this.block.keep();
  }

  /**
   * Progress inside the current item (`done` may be fractional, e.g. 2.4 = two patients and
   * 40 % of the windows of the third). Drawn on a terminal only: in a log one line per item is
   * enough.
   */
  partial(done: number, label: string): void {
    if (!this.enabled || !this.block.isTTY) return;
    this.block.show([this.line(done, label)], true);
  }

  private line(done: number, label: string): string {
    const width = 24;
    const filled = this.total > 0 ? Math.round((width * done) / this.total) : width;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : 0;
    return `${this.prefix}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(done)}/${this.total} ${label}  ${elapsed.toFixed(1)}s elapsed, ~${eta.toFixed(0)}s left`;
  }
}

/** A ProgressBar with the usual options (stderr, `enabled: false` under --quiet). */
export function progressBar(total: number, options: { enabled?: boolean; prefix?: string; stream?: NodeJS.WriteStream } = {}): ProgressBar {
  return new ProgressBar(total, options);
}

/**
 * The progress of the patient jobs (predict, score) as a bus observer: one bar per stage, from
 * `patientDone` events, moving within a patient on `windowsDone`. The code that does the work
 * only emits; the command attaches this (or nothing, under --quiet). Returns the detach function.
 */
export function attachPatientProgress(bus: Bus, options: { enabled?: boolean; stream?: NodeJS.WriteStream } = {}): () => void {
  const bars = new Map<string, ProgressBar>();
  const bar = (stage: string, total: number): ProgressBar => {
    let b = bars.get(stage);
    if (!b) bars.set(stage, (b = new ProgressBar(total, { ...options, prefix: stage })));
    return b;
  };
  const onWindows = (e: { patient: string; done: number; total: number; patientIndex?: number; patients?: number }): void =>
    bar('predict', e.patients ?? 1).partial((e.patientIndex ?? 0) + e.done / Math.max(1, e.total), `${e.patient} (windows ${e.done}/${e.total})`);
  const onPatient = (e: { patient: string; done: number; total: number; stage: string }): void => bar(e.stage, e.total).tick(e.done, e.patient);
  bus.on('windowsDone', onWindows);
  bus.on('patientDone', onPatient);
  return () => {
    bus.off('windowsDone', onWindows);
    bus.off('patientDone', onPatient);
  };
}
