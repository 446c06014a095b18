/** Issue 12, "Also": kill -9 at every stage of a checkpoint write; what is left always loads. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../setup-backend.ts';
import { createUNet } from '../../src/unet/unet.ts';
import { loadCheckpoint, saveCheckpoint, type SaveStage } from '../../src/checkpoint/checkpoint.ts';

beforeAll(useCpu);
const here = dirname(fileURLToPath(import.meta.url));

function killAt(dir: string, stage: SaveStage): Promise<string | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, '../checkpoint-killer.ts'), dir, stage], { stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
}

describe('a checkpoint writer killed with SIGKILL', () => {
  const cases: [SaveStage, string][] = [
    ['model-written', 'A'],
    ['all-written', 'A'],
    ['old-moved', 'A'], // only <dir>.prev exists: the loader falls back to it
    ['committed', 'B'],
  ];
  it.each(cases)('at "%s" leaves checkpoint %s loadable, and the next save cleans up', { timeout: 60_000 }, async (stage, tag) => {
    const root = await mkdtemp(join(tmpdir(), 'ckpt-kill-'));
    const dir = join(root, 'latest');
    expect(await killAt(dir, stage)).toBe('SIGKILL');
    expect((await loadCheckpoint(dir)).plugins).toEqual({ tag });
    const model = createUNet({ widths: [2, 4], groups: 2, seed: 1 });
    await saveCheckpoint(dir, { model, plugins: { tag: 'C' } });
    model.dispose();
    expect((await loadCheckpoint(dir)).plugins).toEqual({ tag: 'C' });
    expect(await readdir(root)).toEqual(['latest']); // no .tmp-<pid>-* and no .prev left
  });
});
