/** Where a long job's progress goes: stderr in the commands, an array in tests. */
export interface ProgressSink {
  write(text: string): void;
  /** A terminal: redraw in place; otherwise print lines (logs stay readable). */
  isTTY: boolean;
}

export const stderrSink = (): ProgressSink => ({ write: (t) => void process.stderr.write(t), isTTY: process.stderr.isTTY === true });

/**
 * The one renderer of a long job's live status (the trainer's bar, the patient bars, compare's
 * block of configurations): on a terminal the status is redrawn in place, with messages printed
 * above it; in a log the status is printed when it changed, at most every `logEveryMs` unless
 * forced. On a terminal a one-line status stays on the cursor's line (`\r`, no newline), so a
 * line someone else writes meanwhile is never erased; a block of lines ends with a newline and
 * is redrawn by moving the cursor up over it.
 */
export class StatusBlock {
  private drawn = 0;
  /** The status is one line without its newline (the cursor is at its end). */
  private open = false;
  private lastText = '';
  private lastPrint = -Infinity;

  constructor(
    private readonly sink: ProgressSink,
    private readonly options: { logEveryMs?: number; now?: () => number; logFormat?: (lines: readonly string[]) => string } = {},
  ) {}

  get isTTY(): boolean {
    return this.sink.isTTY;
  }

  /** Shows the status; returns whether anything was written. */
  show(lines: readonly string[], force = false): boolean {
    const text = lines.join('\n');
    if (this.sink.isTTY) {
      const one = lines.length === 1;
      this.sink.write(`${this.clearCode()}${text}${one ? '' : '\n'}`);
      this.drawn = lines.length;
      this.open = one;
      return true;
    }
    const now = (this.options.now ?? Date.now)();
    if (text === this.lastText || (!force && now - this.lastPrint < (this.options.logEveryMs ?? 0))) return false;
    this.lastText = text;
    this.lastPrint = now;
    this.sink.write(this.options.logFormat ? this.options.logFormat(lines) : `${text}\n`);
    return true;
  }

  /** A message above the status (which the caller redraws under it, on a terminal). */
  message(line: string, write: (line: string) => void = (l) => this.sink.write(`${l}\n`)): void {
    this.clear();
    write(line);
  }

  /** Removes the drawn status from a terminal. */
  clear(): void {
    const code = this.clearCode();
    if (code !== '') this.sink.write(code);
    this.drawn = 0;
    this.open = false;
  }

  /** Leaves the last status on screen as ordinary output: the next status starts below it. */
  keep(): void {
    if (this.open) this.sink.write('\n');
    this.drawn = 0;
    this.open = false;
  }

  private clearCode(): string {
    if (!this.sink.isTTY || this.drawn === 0) return '';
    return this.open ? '\r\x1b[2K' : `\x1b[${this.drawn}A\x1b[0J`;
  }
}
