// Child process of cache.test.ts: fills one patient's cache entry and prints what it got.
//   node --import tsx cache-writer.ts DATA_DIR CACHE_DIR PATIENT_ID
import { ensureEntry, listPatients } from '../src/index.ts';

const [data, dir, id] = process.argv.slice(2);
const files = (await listPatients(data, { requireGroundTruth: true })).find((f) => f.id === id);
if (!files) throw new Error(`no patient ${id} in ${data}`);
const r = await ensureEntry(files, { dir, spacingMm: 1, margin: 8, log: (t) => console.error(t) });
console.log(JSON.stringify({ built: r.patient.shape, positives: r.patient.positives.length }));
