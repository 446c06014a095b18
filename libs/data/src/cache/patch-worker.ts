// Worker thread of BackgroundExtractor: reads cached patients' chunks into its own LRU (the
// only copy: the main thread holds none) and cuts the batches it is asked for.
import { parentPort, workerData } from 'node:worker_threads';
import type { PatientFiles } from '../dataset/layout.ts';
import type { PatchKind } from '../sampling/patches.ts';
import type { Vec3 } from '../volume.ts';
import { rebuildEntry, type CacheOptions } from './cache.ts';
import type { CachedPatient } from './cached-patient.ts';
import { ChunkStore } from './chunk-store.ts';

export interface PatchWorkerData {
  patients: CachedPatient[];
  files: PatientFiles[];
  options: Omit<CacheOptions, 'log'>;
  memoryMiB: number;
}

export interface PatchRequest {
  id: number;
  specs: { patient: number; origin: Vec3; size: number; kind: PatchKind }[];
}

const port = parentPort;
if (!port) throw new Error('patch-worker.ts runs as a worker thread');
const d = workerData as PatchWorkerData;
const files = new Map(d.patients.map((p, k) => [p.file, d.files[k]]));
const store = new ChunkStore(d.memoryMiB, async (p, why) => {
  port.postMessage({ type: 'warning', message: `warning: ${why.message}: rebuilding it` });
  const f = files.get(p.file);
  if (!f) throw why;
  await rebuildEntry(f, d.options);
});

port.on('message', (m: PatchRequest) => {
  const specs = m.specs.map((s) => ({ ...s, patient: d.patients[s.patient] }));
  store.extract(specs).then(
    (b) =>
      port.postMessage({ type: 'batch', id: m.id, images: b.images, masks: b.masks, containsLesion: b.containsLesion }, [
        b.images.buffer as ArrayBuffer,
        b.masks.buffer as ArrayBuffer,
        b.containsLesion.buffer as ArrayBuffer,
      ]),
    (e: unknown) => port.postMessage({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) }),
  );
});
