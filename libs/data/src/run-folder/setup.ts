import { readFile } from 'node:fs/promises';
import { runPath } from './layout.ts';

/**
 * What inference needs from a run's config.json (the trainer's `data` and `validation`
 * sections), read here so that no reader parses the trainer's config itself. Values are as
 * written; the reader validates them and names `source` in its errors.
 */
export interface RunInferenceSetup {
  /** `data.spacingMm`, `data.patchSize` and `validation.stride` as found (unvalidated). */
  raw: { spacingMm: unknown; patchSize: unknown; stride: unknown };
  /** `validation.model` when it is 'ema' or 'raw'. */
  validationModel: 'ema' | 'raw' | null;
  /** "RUN_DIR/config.json (data section)". */
  source: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The run's inference setup; null when RUN_DIR/config.json does not exist; throws (naming the file) when it is not a run config. */
export async function readRunInferenceSetup(runDir: string): Promise<RunInferenceSetup | null> {
  const file = runPath(runDir, 'config');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return null;
    throw new Error(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(config) || !isRecord(config.data)) throw new Error(`${file}: no "data" section (not a run config)`);
  const validation = isRecord(config.validation) ? config.validation : null;
  const vm = validation?.model;
  return {
    raw: { spacingMm: config.data.spacingMm, patchSize: config.data.patchSize, stride: validation?.stride ?? null },
    validationModel: vm === 'ema' || vm === 'raw' ? vm : null,
    source: `${file} (data section)`,
  };
}
