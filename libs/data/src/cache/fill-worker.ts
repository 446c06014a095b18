// Worker thread of fillCache: builds the entries of the patients it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import type { PatientFiles } from '../dataset/layout.ts';
import { ensureEntry, type CacheOptions } from './cache.ts';

const port = parentPort;
if (!port) throw new Error('fill-worker.ts runs as a worker thread');
port.on('message', (m: { files: PatientFiles; options: Omit<CacheOptions, 'log'> }) => {
  const warnings: string[] = [];
  ensureEntry(m.files, { ...m.options, log: (t) => warnings.push(t) }).then(
    (r) => port.postMessage({ id: m.files.id, built: r.built, warnings }),
    (e: unknown) => port.postMessage({ id: m.files.id, error: e instanceof Error ? e.message : String(e), warnings }),
  );
});
