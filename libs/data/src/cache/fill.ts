import type { PatientFiles } from '../dataset/layout.ts';
import { tsWorker } from '../io/ts-worker.ts';
import { ensureEntry, type CacheOptions } from './cache.ts';

export interface FillResult {
  built: number;
  reused: number;
  failed: { id: string; error: string }[];
}

/**
 * Fills the cache for every patient ahead of training (`data:preprocess`): `workers` threads
 * (1: this thread) each preprocess one patient at a time, so peak memory is about `workers`
 * patients' preprocessing. A patient that fails is reported and the others go on.
 */
export async function fillCache(
  files: readonly PatientFiles[],
  o: CacheOptions,
  workers: number,
  onPatient?: (done: number, id: string, built: boolean) => void,
): Promise<FillResult> {
  const result: FillResult = { built: 0, reused: 0, failed: [] };
  let done = 0;
  const record = (id: string, r: { built?: boolean; error?: string; warnings: string[] }): void => {
    for (const w of r.warnings) o.log?.(w);
    if (r.error !== undefined) result.failed.push({ id, error: r.error });
    else if (r.built) result.built++;
    else result.reused++;
    onPatient?.(++done, id, r.built === true);
  };
  const queue = [...files];
  if (workers <= 1) {
    for (const f of queue) {
      const warnings: string[] = [];
      try {
        const r = await ensureEntry(f, { ...o, log: (t) => warnings.push(t) });
        record(f.id, { built: r.built, warnings });
      } catch (e) {
        record(f.id, { error: (e as Error).message, warnings });
      }
    }
    return result;
  }
  const { log: _log, ...options } = o;
  await Promise.all(
    Array.from({ length: Math.min(workers, queue.length) }, async () => {
      const w = tsWorker(new URL('./fill-worker.ts', import.meta.url));
      try {
        for (let f = queue.shift(); f; f = queue.shift()) {
          const current = f;
          const reply = await new Promise<{ built?: boolean; error?: string; warnings: string[] }>((resolve) => {
            const onError = (e: Error) => resolve({ error: `worker failed: ${e.message}`, warnings: [] });
            w.once('error', onError);
            w.once('message', (m: { built?: boolean; error?: string; warnings: string[] }) => {
              w.off('error', onError);
              resolve(m);
            });
            w.postMessage({ files: current, options });
          });
          record(current.id, reply);
        }
      } finally {
        await w.terminate();
      }
    }),
  );
  return result;
}
