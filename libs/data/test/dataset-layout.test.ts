// Issue 12, faults 5 and 18: symbolic links to patient folders are followed, and every sub-folder
// that is not read as a patient is reported with the reason.
import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, listPatients, MSSEG2_FILES } from '../src/index.ts';
import type { SkippedFolder } from '../src/index.ts';

/** A folder with the named MSSEG-2 files (listing only looks at which files exist). */
function folder(dir: string, files: string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), '');
  return dir;
}
const ALL = [MSSEG2_FILES.baseline, MSSEG2_FILES.followup, MSSEG2_FILES.groundTruth];

describe('dataset folders (issue 12)', () => {
  it('fault 5: a symbolic link to a patient folder is a patient (a subset built with links)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lesionseg-links-'));
    folder(join(root, 'all', '001'), ALL);
    folder(join(root, 'all', '002'), ALL);
    mkdirSync(join(root, 'subset'));
    symlinkSync(join(root, 'all', '002'), join(root, 'subset', '002'));
    symlinkSync('../all/001', join(root, 'subset', 'p001')); // relative link, other name: the id is the link's name
    const patients = await listPatients(join(root, 'subset'), { onSkipped: () => {} });
    expect(patients.map((p) => [p.id, p.baseline])).toEqual([
      ['002', join(root, 'subset', '002', MSSEG2_FILES.baseline)],
      ['p001', join(root, 'subset', 'p001', MSSEG2_FILES.baseline)],
    ]);
  });

  it('faults 5 and 18: every folder not read as a patient is reported with the reason, on stderr by default', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lesionseg-skip-'));
    folder(join(root, '001'), ALL);
    folder(join(root, '002'), [MSSEG2_FILES.groundTruth]); // ground truth, no FLAIRs
    folder(join(root, 'runs'), ['events.jsonl']);
    folder(join(root, '.git'), []);
    symlinkSync(join(root, 'gone'), join(root, '003'));
    writeFileSync(join(root, 'dataset.json'), '{}');
    const skipped: SkippedFolder[] = [];
    expect((await listPatients(root, { onSkipped: (s) => skipped.push(s) })).map((p) => p.id)).toEqual(['001']);
    expect(skipped).toEqual([
      { path: join(root, '002'), reason: `holds ${MSSEG2_FILES.groundTruth} but neither ${MSSEG2_FILES.baseline} nor ${MSSEG2_FILES.followup}` },
      { path: join(root, '003'), reason: expect.stringMatching(new RegExp(`^symbolic link to ${join(root, 'gone')}, which cannot be opened \\(ENOENT`)) },
      { path: join(root, 'runs'), reason: `not a patient folder (no ${MSSEG2_FILES.baseline} or ${MSSEG2_FILES.followup})` },
    ]);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await listPatients(root);
      expect(write.mock.calls.map((c) => String(c[0]))).toEqual(skipped.map((s) => `warning: skipped ${s.path}: ${s.reason}\n`));
    } finally {
      write.mockRestore();
    }
  });

  it('no patient at all: the error lists what was skipped and why', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lesionseg-none-'));
    folder(join(root, '002'), [MSSEG2_FILES.groundTruth]);
    await expect(listPatients(root)).rejects.toThrow(
      new DatasetError(
        `${root}: no patient folders found (each needs ${MSSEG2_FILES.baseline} and ${MSSEG2_FILES.followup}); ` +
          `skipped: ${join(root, '002')} (holds ${MSSEG2_FILES.groundTruth} but neither ${MSSEG2_FILES.baseline} nor ${MSSEG2_FILES.followup})`,
      ),
    );
  });
});
