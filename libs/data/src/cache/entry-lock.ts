import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { processAlive } from '../io/process-alive.ts';

/**
 * One builder per cache entry across processes (compare children, Slurm jobs on a shared
 * folder): `<entry>.lock`, created with O_EXCL, holds the builder's pid, host and start time.
 * The others wait for it to go and then read the finished entry instead of building it again.
 * The holder touches the lock's mtime every few seconds (a heartbeat); a lock whose pid is dead
 * on this host, or that nobody touched for `staleMs` (a builder crashed on another host, or a
 * pid reused since), is broken with a warning, so a crashed builder never blocks anyone for
 * long. Breaking races at worst let two processes build the same entry, which stays safe:
 * each renames a complete file over it.
 */
export interface EntryLockOptions {
  /** A lock untouched this long is broken (default 10 min: the heartbeat cannot beat during a long synchronous resampling). */
  staleMs?: number;
  /** How often a waiting process looks at the lock again (default 250 ms). */
  pollMs?: number;
  log?: (line: string) => void;
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /** Tells this holder's lock from a later one at the same path (release removes only its own). */
  token: string;
}

const DEFAULT_STALE_MS = 10 * 60_000;
/** A lock file without readable content this long after its creation is a holder that died while writing it. */
const UNREADABLE_GRACE_MS = 10_000;

export function lockPathOf(entryFile: string): string {
  return `${entryFile}.lock`;
}

/** Runs `fn` holding the entry's lock: waits while another live process holds it, breaks a stale one. */
export async function withEntryLock<T>(entryFile: string, o: EntryLockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = lockPathOf(entryFile);
  const staleMs = o.staleMs ?? DEFAULT_STALE_MS;
  const me: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  await mkdir(dirname(lock), { recursive: true });
  let announced = false;
  while (!(await tryCreate(lock, me))) {
    const seen = await readLock(lock);
    if (seen === 'gone') continue;
    const why = staleness(seen, staleMs);
    if (why) {
      o.log?.(`warning: ${lock}: breaking a stale lock (${why})`);
      await breakLock(lock, seen);
      continue;
    }
    if (!announced && seen.info) o.log?.(`${entryFile}: being built by pid ${seen.info.pid} on ${seen.info.host} since ${seen.info.startedAt}: waiting for it`);
    announced = true;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
  const beat = setInterval(() => void utimes(lock, new Date(), new Date()).catch(() => {}), Math.min(5_000, staleMs / 4));
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    const now = await readLock(lock);
    if (now !== 'gone' && now.info?.token === me.token) await rm(lock, { force: true });
  }
}

/** Creates the lock (O_EXCL); false when it exists. */
async function tryCreate(lock: string, me: LockInfo): Promise<boolean> {
  let fh;
  try {
    fh = await open(lock, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`${lock}: cannot create the cache entry's lock (${(e as Error).message})`, { cause: e });
  }
  try {
    await fh.writeFile(JSON.stringify(me));
  } finally {
    await fh.close();
  }
  return true;
}

interface SeenLock {
  /** null when the file holds no readable lock (being written, or its writer died). */
  info: LockInfo | null;
  raw: string;
  mtimeMs: number;
}

async function readLock(lock: string): Promise<SeenLock | 'gone'> {
  try {
    const [raw, s] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    let info: LockInfo | null = null;
    try {
      const j = JSON.parse(raw) as Partial<LockInfo>;
      if (typeof j.pid === 'number' && typeof j.host === 'string' && typeof j.token === 'string') info = j as LockInfo;
    } catch {
      info = null;
    }
    return { info, raw, mtimeMs: s.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
}

/** Why the lock is stale, or null when its holder may still be at work. */
function staleness(seen: SeenLock, staleMs: number): string | null {
  const age = Date.now() - seen.mtimeMs;
  const { info } = seen;
  if (!info) return age > Math.min(UNREADABLE_GRACE_MS, staleMs) ? `no readable holder, ${(age / 1000).toFixed(0)} s old` : null;
  if (info.host === hostname() && !processAlive(info.pid)) return `its builder, pid ${info.pid} on ${info.host}, is gone`;
  if (age > staleMs) return `pid ${info.pid} on ${info.host} has not touched it for ${(age / 1000).toFixed(0)} s`;
  return null;
}

/** Removes the lock if it is still the one judged stale (not a fresh one another process made meanwhile). */
async function breakLock(lock: string, seen: SeenLock): Promise<void> {
  const again = await readLock(lock);
  if (again !== 'gone' && again.raw === seen.raw) await rm(lock, { force: true });
}
