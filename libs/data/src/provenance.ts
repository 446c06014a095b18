/**
 * Provenance of an output: which lesionseg produced it (package version and git commit), when,
 * and checksums of the input files, so a result can be traced back to code and data.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ToolProvenance {
  name: 'lesionseg';
  version: string;
  /** `git rev-parse HEAD` of the checkout the code runs from, with `+dirty` for local changes; `unknown` outside git. */
  commit: string;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let cached: ToolProvenance | undefined;

/** The running lesionseg's version and commit (computed once per process). */
export function toolProvenance(): ToolProvenance {
  if (cached) return cached;
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    // An installed copy without the root package.json: the version stays unknown rather than failing an output.
  }
  let commit = 'unknown';
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = git(['rev-parse', 'HEAD']);
    if (git(['status', '--porcelain', '--untracked-files=no']) !== '') commit += '+dirty';
  } catch {
    // Not a git checkout (a tarball or a bundle): 'unknown'.
  }
  cached = { name: 'lesionseg', version, commit };
  return cached;
}

/** SHA-256 of a file's bytes, hex, streamed (inputs can be large). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', (e) => reject(new Error(`${path}: cannot read for its checksum (${e.message})`, { cause: e })))
      .on('end', () => resolve(hash.digest('hex')));
  });
}
