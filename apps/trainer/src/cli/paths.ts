import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `nx run trainer:train` runs with cwd = apps/trainer, so a relative path a user typed must be
 * resolved against where they typed it: npm/npx set INIT_CWD to that folder; without it
 * (running tsx directly) the process cwd is the user's folder.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  return env['INIT_CWD'] && env['INIT_CWD'] !== '' ? env['INIT_CWD'] : process.cwd();
}

export function resolveUserPath(p: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(userCwd(env), p);
}

/** The workspace root (the folder holding nx.json), found from this file: defaults live there. */
export function workspaceRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the workspace root (nx.json) above ${from}`);
    dir = up;
  }
}

export const DEFAULT_DATA_DIR = 'data/phantoms';

/** runs/2026-11-26T17-20-05Z-quick: sortable, no characters that need quoting. */
export function defaultRunDir(root: string, name: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return path.join(root, 'runs', `${stamp}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`);
}
