import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive, RUN_FILES } from '@lesionseg/data';
import { UserError } from '@lesionseg/events';

/** RUN_DIR/.lock: held by the one trainer that writes a run folder. */
export const LOCK_FILE = RUN_FILES.lock;

interface LockInfo {
  pid: number;
  host: string;
}

function readLock(file: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? { pid: v.pid, host: v.host } : null;
  } catch {
    return null; // unreadable or half-written: its writer died between open and write
  }
}

/**
 * Takes the exclusive lock on a run folder (O_EXCL create), so that two trainers never
 * interleave events.jsonl or overwrite each other's checkpoints. A lock whose process is dead
 * (same host) is stale and taken over. Returns the release function (also run at exit).
 */
export function lockRunDir(runDir: string, log: (t: string) => void): () => void {
  const file = path.join(runDir, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: os.hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(me) + '\n');
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`cannot lock ${runDir}: ${(e as Error).message}`);
      }
      const held = readLock(file);
      const stale = held === null || (held.host === me.host && !processAlive(held.pid));
      if (!stale || attempt > 0) {
        throw new UserError(
          `${runDir} is in use by another trainer (pid ${held?.pid ?? '?'} on ${held?.host ?? '?'}, ${file}): wait for it to finish or stop it; ` +
            `if that process is gone (another machine), delete ${file}`,
        );
      }
      log(`${file}: taking over a stale lock of pid ${held?.pid ?? '?'} (no such process)`);
      rmSync(file, { force: true });
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readLock(file)?.pid === me.pid) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}
