import { runPath } from '@lesionseg/data';
import { definePlugin, num } from '@lesionseg/config';
import { JsonlLogger } from './jsonl-logger.ts';
import type { Logger } from './logger.ts';
import { ProgressBar, type ProgressOutput } from './progress-bar.ts';

/** What a logger is built from: the run folder and where the progress bar writes (default stderr). */
export interface LoggerDeps {
  runDir: string;
  progressOutput?: ProgressOutput;
}

const stderr = (): ProgressOutput => ({ write: (t) => process.stderr.write(t), isTTY: process.stderr.isTTY === true });

export const progressLogger = definePlugin({
  type: 'progress',
  summary: 'progress bar on stderr: iteration, elapsed/budget, loss, lr, last val Dice, ETA',
  options: { refreshSeconds: num({ default: 1, min: 0 }) },
  create: (o, d: LoggerDeps): Logger => new ProgressBar(d.progressOutput ?? stderr(), o.refreshSeconds),
});

export const jsonlLogger = definePlugin({
  type: 'jsonl',
  summary: 'every bus event as one JSON line in RUN_DIR/events.jsonl',
  options: {},
  create: (_o, d: LoggerDeps): Logger => new JsonlLogger(runPath(d.runDir, 'events')),
});
