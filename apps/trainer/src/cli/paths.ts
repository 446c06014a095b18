import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The user's folder (INIT_CWD under Nx): one definition, in the command kit.
export { resolveUserPath, userCwd } from '@lesionseg/cli';

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
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  return path.join(root, 'runs', `${stamp}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`);
}
