import type { Worker } from 'node:worker_threads';
import type { PatientFiles } from '../dataset/layout.ts';
import { tsWorker } from '../io/ts-worker.ts';
import type { ExtractedBatch } from '../sampling/batch.ts';
import type { PatchSpec } from '../sampling/patches.ts';
import type { CacheOptions } from './cache.ts';
import type { CachedPatient } from './cached-patient.ts';
import type { PatchWorkerData } from './patch-worker.ts';

/** Cuts batches of cached patients' patches: a ChunkStore on this thread or a BackgroundExtractor. */
export interface PatchExtractor {
  extract(specs: readonly PatchSpec<CachedPatient>[]): Promise<ExtractedBatch>;
  close(): Promise<void> | void;
}

type FromWorker =
  | { type: 'batch'; id: number; images: Float32Array; masks: Float32Array; containsLesion: Uint8Array }
  | { type: 'error'; id: number; message: string }
  | { type: 'warning'; message: string };

/**
 * A ChunkStore in a worker thread: cache reads and patch copies run there, so a request made
 * ahead of time (the patch source's look-ahead) is prepared while the main thread trains.
 * The patches are those `specs` name, drawn by the caller: the values are the in-thread
 * store's, bit for bit. Requests are served in order; the memory cap applies in the worker.
 */
export class BackgroundExtractor implements PatchExtractor {
  private readonly worker: Worker;
  private readonly index: Map<CachedPatient, number>;
  private readonly pending = new Map<number, { resolve: (b: ExtractedBatch) => void; reject: (e: Error) => void; size: number }>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(patients: readonly CachedPatient[], files: readonly PatientFiles[], options: CacheOptions & { memoryMiB: number }) {
    const { log, memoryMiB, ...cache } = options;
    const data: PatchWorkerData = { patients: [...patients], files: [...files], options: cache, memoryMiB };
    this.index = new Map(patients.map((p, k) => [p, k]));
    this.worker = tsWorker(new URL('./patch-worker.ts', import.meta.url), data);
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'warning') {
        log?.(m.message);
        return;
      }
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.type === 'error') p.reject(new Error(`patch worker: ${m.message}`));
      else p.resolve({ images: m.images, masks: m.masks, containsLesion: m.containsLesion, count: m.containsLesion.length, size: p.size, channels: 2 });
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`patch worker exited (${code})`)));
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  extract(specs: readonly PatchSpec<CachedPatient>[]): Promise<ExtractedBatch> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const wire = specs.map((s) => {
      const patient = this.index.get(s.patient);
      if (patient === undefined) throw new Error(`patch worker: patient ${s.patient.id} is not one of the worker's`);
      return { patient, origin: s.origin, size: s.size, kind: s.kind };
    });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, size: specs[0]?.size ?? 0 });
      this.worker.postMessage({ id, specs: wire });
    });
  }

  async close(): Promise<void> {
    this.failed ??= new Error('patch worker closed');
    await this.worker.terminate();
  }
}
