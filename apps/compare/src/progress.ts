/**
 * Live progress of a comparison: one line per configuration (state, iterations, training time
 * against the budget, best validation Dice so far, ETA), read from each run's events.jsonl as
 * the training processes append to it, so the children need no extra channel. On a terminal
 * the block redraws in place; in a log, it is printed when it changed, at most every 30 s.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { runPath } from '@lesionseg/data';
import { StatusBlock, type ProgressSink } from '@lesionseg/cli';
import type { Budget } from '@lesionseg/events';
import { formatDuration } from '@lesionseg/config';
import { etaMs } from '@lesionseg/trainer';

/** waiting: not submitted yet; pending: queued (e.g. in Slurm); trained: waiting for its evaluation. */
export type ConfigState = 'waiting' | 'pending' | 'training' | 'trained' | 'evaluating' | 'done' | 'failed';

export interface ConfigProgress {
  name: string;
  state: ConfigState;
  iteration: number;
  elapsedMs: number;
  budget: Budget | null;
  bestDice: number | null;
  startIteration: number;
  startElapsedMs: number;
}

export type { ProgressSink };

/** Reads the lines appended to a file since the last call (a partial last line waits for its end). */
export class FileTail {
  private offset = 0;
  private rest = '';

  constructor(readonly file: string) {}

  read(): string[] {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return []; // not created yet
    }
    if (size < this.offset) this.offset = 0; // rewritten
    if (size === this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.rest + buf.toString('utf8')).split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '');
  }
}

export function formatConfigLine(c: ConfigProgress, nameWidth: number): string {
  const name = c.name.padEnd(nameWidth);
  const state = c.state.padEnd(10);
  if (c.state === 'waiting' || (c.state === 'pending' && c.budget === null)) return `${name} ${state}`;
  if (c.state === 'training' && c.budget === null) return `${name} ${state} starting (no event logged yet)`;
  const budget = c.budget
    ? c.budget.kind === 'time'
      ? `${formatDuration(c.elapsedMs)}/${formatDuration(c.budget.ms)}`
      : `${c.iteration}/${c.budget.iterations} it`
    : formatDuration(c.elapsedMs);
  const pct = c.budget
    ? ` ${Math.min(100, Math.round(100 * (c.budget.kind === 'time' ? c.elapsedMs / c.budget.ms : c.iteration / c.budget.iterations)))}%`.padStart(5)
    : '';
  const eta = c.state === 'training' ? ` | ETA ${formatDuration(etaMs({ ...c, loss: null, lr: null, dice: null }))}` : '';
  return `${name} ${state}${pct} | it ${String(c.iteration).padStart(5)} | ${budget} | best Dice ${c.bestDice === null ? '-' : c.bestDice.toFixed(3)}${eta}`;
}

export class CompareProgress {
  readonly configs: ConfigProgress[];
  private readonly tails: Map<string, FileTail>;
  private timer: NodeJS.Timeout | null = null;
  private readonly block: StatusBlock;
  private shown = false;

  constructor(
    names: readonly string[],
    runDirOf: (name: string) => string,
    out: ProgressSink,
    private readonly options: { intervalMs?: number; logEveryMs?: number; now?: () => number } = {},
  ) {
    this.configs = names.map((name) => ({
      name,
      state: 'waiting',
      iteration: 0,
      elapsedMs: 0,
      budget: null,
      bestDice: null,
      startIteration: 0,
      startElapsedMs: 0,
    }));
    this.tails = new Map(names.map((n) => [n, new FileTail(runPath(runDirOf(n), 'events'))]));
    this.block = new StatusBlock(out, {
      now: options.now,
      logEveryMs: options.logEveryMs ?? 30_000,
      logFormat: (lines) => `progress:\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
    });
  }

  private get(name: string): ConfigProgress {
    const c = this.configs.find((x) => x.name === name);
    if (!c) throw new Error(`compare progress: unknown configuration ${name}`);
    return c;
  }

  setState(name: string, state: ConfigState): void {
    this.get(name).state = state;
    // In a log, a whole array turning pending at once is one change, not one block per task.
    this.update(state !== 'pending');
  }

  /** Read what every run appended to its events.jsonl. */
  poll(): void {
    for (const c of this.configs) {
      for (const line of this.tails.get(c.name)?.read() ?? []) {
        let e: Record<string, unknown>;
        try {
          e = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue; // a line being written; the next poll completes it
        }
        if (e.type === 'trainStart') {
          c.budget = (e.budget as Budget | undefined) ?? null;
          c.iteration = c.startIteration = Number(e.iteration ?? 0);
          c.elapsedMs = c.startElapsedMs = Number(e.elapsedMs ?? 0);
        } else if (e.type === 'stepDone') {
          c.iteration = Number(e.iteration);
          c.elapsedMs = Number(e.elapsedMs);
        } else if (e.type === 'validationDone' && typeof e.dice === 'number') {
          if (c.bestDice === null || e.dice > c.bestDice) c.bestDice = e.dice;
        }
      }
    }
  }

  render(): string[] {
    const width = Math.max(...this.configs.map((c) => c.name.length));
    return this.configs.map((c) => formatConfigLine(c, width));
  }

  /** Poll and draw: in place on a terminal; in a log only when changed and not within logEveryMs (unless forced). */
  update(force = false): void {
    this.poll();
    if (this.block.show(this.render(), force)) this.shown = true;
  }

  /** A message above the block (the block is redrawn under it on a terminal). */
  log(line: string, write: (line: string) => void): void {
    this.block.message(line, write);
    if (this.block.isTTY && this.shown) this.update(true);
  }

  start(): void {
    this.update(true);
    this.timer = setInterval(() => this.update(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.update(true);
  }
}
