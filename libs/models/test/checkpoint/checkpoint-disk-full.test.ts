/**
 * Issue 12, "Also": a checkpoint saved on a full disk (a 256 KiB tmpfs) fails with ENOSPC and
 * leaves the previous checkpoint loadable and no temporary folder. Needs root (mount); skipped
 * where mounting is not allowed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/checkpoint/checkpoint.ts';

const mountPoint = mkdtempSync(join(tmpdir(), 'ckpt-full-'));
function tryMount(): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mounted = tryMount();

beforeAll(useCpu);
afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a checkpoint on a full disk (tmpfs)', () => {
  it('fails with ENOSPC, keeps the previous checkpoint loadable and leaves no temporary folder', async () => {
    const dir = join(mountPoint, 'latest');
    const small = createUNet({ widths: [2, 4], groups: 2, seed: 1 });
    await saveCheckpoint(dir, { model: small, plugins: { tag: 'A' } });
    // fill what is left, then try a checkpoint of a wider network
    let n = 0;
    try {
      for (;;) writeFileSync(join(mountPoint, `fill-${n++}`), Buffer.alloc(16 * 1024));
    } catch {
      // full
    }
    const wide = createUNet({ widths: [16, 32], groups: 2, seed: 1 });
    await expect(saveCheckpoint(dir, { model: wide, plugins: { tag: 'B' } })).rejects.toThrow(/ENOSPC/);
    expect((await loadCheckpoint(dir)).plugins).toEqual({ tag: 'A' });
    expect(readdirSync(mountPoint).filter((e) => e.startsWith('latest'))).toEqual(['latest']);
    small.dispose();
    wide.dispose();
  });
});
