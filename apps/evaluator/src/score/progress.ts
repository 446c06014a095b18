/**
 * A progress bar over patients on stderr (stdout stays free for machine-readable output).
 * On a terminal the bar redraws in place; otherwise one line per patient, which reads well in
 * CI logs.
 */
export class ProgressBar {
  private readonly start = Date.now();
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;

  constructor(
    private readonly total: number,
    options: { stream?: NodeJS.WriteStream; enabled?: boolean } = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.enabled = options.enabled ?? true;
  }

  /** Report that `done` patients are finished, the last one being `label`. */
  tick(done: number, label: string): void {
    if (!this.enabled) return;
    const width = 24;
    const filled = this.total > 0 ? Math.round((width * done) / this.total) : width;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : 0;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${label}  ${elapsed.toFixed(1)}s elapsed, ~${eta.toFixed(0)}s left`;
    if (this.stream.isTTY) this.stream.write(`\r${line}\x1b[K${done === this.total ? '\n' : ''}`);
    else this.stream.write(`${line}\n`);
  }
}
