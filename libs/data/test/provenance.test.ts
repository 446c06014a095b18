import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File, toolProvenance } from '../src/index.ts';

describe('provenance', () => {
  it('names the version from package.json and a 40-hex git commit of this checkout', () => {
    const p = toolProvenance();
    expect(p.name).toBe('lesionseg');
    expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(p.commit).toMatch(/^[0-9a-f]{40}(\+dirty)?$/);
  });

  it('hashes a file with SHA-256 (the known digest of "abc")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prov-'));
    writeFileSync(join(dir, 'a.txt'), 'abc');
    expect(await sha256File(join(dir, 'a.txt'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    await expect(sha256File(join(dir, 'missing'))).rejects.toThrow(/missing: cannot read/);
  });
});
