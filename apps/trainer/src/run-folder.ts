import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@lesionseg/config';
import { RUN_FILES } from '@lesionseg/data';
import { UserError } from '@lesionseg/events';

// The run folder layout is owned by @lesionseg/data (RUN_FILES); this file holds what only the
// trainer does with it: start a new run, resume one, write its JSON files atomically.

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
    throw new UserError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError(file, `is not valid JSON: ${(e as Error).message}`);
  }
}

/** Whether the run folder holds a checkpoint (latest, its fallback .prev, or best): results to keep. */
export function hasCheckpoint(runDir: string): boolean {
  const latest = path.join(runDir, RUN_FILES.latest);
  return existsSync(latest) || existsSync(`${latest}.prev`) || existsSync(path.join(runDir, RUN_FILES.best));
}

export function hasLatest(runDir: string): boolean {
  const latest = path.join(runDir, RUN_FILES.latest);
  return existsSync(latest) || existsSync(`${latest}.prev`);
}

/**
 * A new run must not overwrite another run's results. A folder with a config.json but no
 * checkpoint is an earlier start that failed before saving anything: it may be reused.
 * Checks only; nothing is written.
 */
export function checkNewRunDir(runDir: string): 'new' | 'reuse' {
  if (!existsSync(path.join(runDir, RUN_FILES.config))) return 'new';
  if (hasCheckpoint(runDir)) {
    throw new UserError(`${runDir} already holds a run (config.json and checkpoints): choose another --run, or continue it with --run ${runDir} --resume`);
  }
  return 'reuse';
}

/** --resume needs the run's config.json; without a checkpoint the run starts from the beginning. */
export function checkResumable(runDir: string): void {
  if (!existsSync(path.join(runDir, RUN_FILES.config))) throw new UserError(`--resume ${runDir}: no config.json there (not a run folder)`);
}
