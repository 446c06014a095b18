// Writes the files of libs/data/test/written-cases.ts with OUR writer, for nibabel to read back:
//   npx tsx tools/reference/nifti_write_fixtures.ts && /usr/bin/python3 tools/reference/nifti_check_written.py
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNifti } from '@lesionseg/data';
// The cases are the data library's test table, so the fixtures and the test cannot drift apart.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { writtenCases } from '../../libs/data/test/written-cases.ts';

const out = fileURLToPath(new URL('./fixtures/nifti/written/', import.meta.url));
for (const c of writtenCases()) {
  await writeNifti(join(out, c.name), c.volume, { datatype: c.datatype, description: c.description });
  console.error(`wrote ${c.name}`);
}
