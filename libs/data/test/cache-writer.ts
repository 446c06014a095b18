// Child process of cache.test.ts: waits for GO_FILE (so that two of them start together), fills
// one patient's cache entry and prints whether it built it and a hash of the voxels it reads.
//   node --import tsx cache-writer.ts DATA_DIR CACHE_DIR PATIENT_ID SPACING GO_FILE
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ChunkStore, ensureEntry, listPatients } from '../src/index.ts';

const [data, dir, id, spacing, go] = process.argv.slice(2);
const files = (await listPatients(data, { requireGroundTruth: true })).find((f) => f.id === id);
if (!files) throw new Error(`no patient ${id} in ${data}`);
console.log('ready');
while (!existsSync(go)) await new Promise((r) => setTimeout(r, 5));
const r = await ensureEntry(files, { dir, spacingMm: Number(spacing), margin: 8, log: (t) => console.error(t) });
const store = new ChunkStore(64);
const v = await store.volume(r.patient);
store.close();
const voxels = createHash('sha256').update(v.image).update(v.mask).digest('hex');
console.log(JSON.stringify({ built: r.built, shape: r.patient.shape, voxels }));
