import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { relativeDataPaths, relativeToFolder, RUN_FILES, toolProvenance } from '@lesionseg/data';
import type { Bus } from '@lesionseg/events';
import type { Logger } from './logger.ts';
import { MetricsCsv } from './metrics-csv.ts';

/** Errors do not survive JSON.stringify (it gives {}): keep their name, message and stack. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One line per bus event: `{"type": ..., "time": ISO wall clock, "iteration": ..., "elapsedMs": ..., ...payload}`. */
export function eventLine(type: string, payload: unknown, time?: Date): string {
  return JSON.stringify({ type, ...(time ? { time: time.toISOString() } : {}), ...(payload as object) }, jsonSafe) + '\n';
}

/** The config's data folders (path, cacheDir) relative to the run folder (as in config.json). */
function relativeDataPath(config: unknown, runDir: string): unknown {
  if (typeof config !== 'object' || config === null) return config;
  const data = (config as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return config;
  return { ...config, data: relativeDataPaths(data as Record<string, unknown>, runDir) };
}

/**
 * Paths in the log relative to the run folder (`runDir` becomes "."), so a run folder can be
 * moved or copied to another machine and still read; readers resolve them against the folder.
 */
export function relativePaths(type: string, payload: Record<string, unknown>, runDir: string): Record<string, unknown> {
  const rel = (p: unknown) => (typeof p === 'string' ? relativeToFolder(runDir, p) : p);
  if (type === 'trainStart') return { ...payload, runDir: rel(payload.runDir), config: relativeDataPath(payload.config, runDir) };
  if (type === 'checkpointSaved') return { ...payload, path: rel(payload.path) };
  return payload;
}

/**
 * RUN_DIR/events.jsonl: every bus event with its wall-clock time, appended synchronously so the
 * file is complete up to the last event even if the process is killed (and ordered exactly as
 * emitted). `trainStart` also records the provenance (lesionseg version and git commit, backend,
 * start date). Writes RUN_DIR/metrics.csv beside it (one row per step, for pandas).
 */
export class JsonlLogger implements Logger {
  readonly name = 'jsonl';
  readonly metrics: MetricsCsv;
  private readonly runDir: string;

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.runDir = path.dirname(file);
    mkdirSync(this.runDir, { recursive: true });
    this.metrics = new MetricsCsv(path.join(this.runDir, RUN_FILES.metrics), now);
  }

  attach(bus: Bus): void {
    bus.on('*', (type, payload) => {
      const t = this.now();
      let p = relativePaths(String(type), payload as unknown as Record<string, unknown>, this.runDir);
      if (type === 'trainStart') p = { ...p, provenance: { ...toolProvenance(), backend: p.backend, startedAt: t.toISOString() } };
      appendFileSync(this.file, eventLine(String(type), p, t));
    });
    this.metrics.attach(bus);
  }

  close(): void {
    this.metrics.flush();
  }
}
