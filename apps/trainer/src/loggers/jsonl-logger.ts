import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Bus } from '@lesionseg/events';
import type { Logger } from './logger.ts';

/** Errors do not survive JSON.stringify (it gives {}): keep their name, message and stack. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One line per bus event: `{"type": ..., "iteration": ..., "elapsedMs": ..., ...payload}`. */
export function eventLine(type: string, payload: unknown): string {
  return JSON.stringify({ type, ...(payload as object) }, jsonSafe) + '\n';
}

/**
 * RUN_DIR/events.jsonl: every bus event, appended synchronously so the file is complete up to
 * the last event even if the process is killed (and ordered exactly as emitted).
 */
export class JsonlLogger implements Logger {
  readonly name = 'jsonl';

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  attach(bus: Bus): void {
    bus.on('*', (type, payload) => appendFileSync(this.file, eventLine(String(type), payload)));
  }
}
