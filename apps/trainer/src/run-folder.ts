import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@lesionseg/strategies';

/**
 * The run folder contract (reports and tools read it):
 *   RUN_DIR/config.json        the resolved config (defaults filled in, absolute data path)
 *   RUN_DIR/split.json         { train: [...patients], validation: [...], seed }
 *   RUN_DIR/events.jsonl       one JSON object per bus event
 *   RUN_DIR/checkpoints/latest the last checkpoint (interval, end, Ctrl-C, failure)
 *   RUN_DIR/checkpoints/best   the checkpoint with the best validation Dice
 */
export const RUN_FILES = {
  config: 'config.json',
  split: 'split.json',
  events: 'events.jsonl',
  latest: path.join('checkpoints', 'latest'),
  best: path.join('checkpoints', 'best'),
} as const;

/** Write to a temporary name, then rename: readers never see half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

export function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError(file, `is not valid JSON: ${(e as Error).message}`);
  }
}

/** A new run must not overwrite another run's results. */
export function createRunDir(runDir: string): void {
  if (existsSync(path.join(runDir, RUN_FILES.config))) {
    throw new Error(`${runDir} already holds a run (config.json exists): choose another --out, or continue it with --resume ${runDir}`);
  }
  mkdirSync(path.join(runDir, 'checkpoints'), { recursive: true });
}

export function checkResumable(runDir: string): void {
  if (!existsSync(path.join(runDir, RUN_FILES.config))) throw new Error(`--resume ${runDir}: no config.json there (not a run folder)`);
  const latest = path.join(runDir, RUN_FILES.latest);
  if (!existsSync(latest) && !existsSync(`${latest}.prev`)) throw new Error(`--resume ${runDir}: no checkpoints/latest to continue from`);
}
