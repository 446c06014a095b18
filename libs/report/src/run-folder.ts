/**
 * Reads what a training run leaves in its folder (the run-folder contract of the trainer):
 * config.json and events.jsonl (one JSON object per bus event: type, iteration, elapsedMs and
 * the payload's fields).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { runPath } from '@lesionseg/data';
import type { CurvePoint } from './learning-curves.ts';

/** One optimizer step of the log (stepDone). */
export interface StepPoint {
  iteration: number;
  elapsedMs: number;
  loss: number;
  lr: number;
  stepMs: number;
}

export interface RunSummary {
  name: string;
  dir: string;
  config: unknown;
  /** validationDone events: Dice against training time. */
  curve: CurvePoint[];
  iterations: number;
  trainingMs: number;
  /** Mean training time per optimizer step; null before the first step. */
  msPerIteration: number | null;
  bestDice: number | null;
  /** Every logged step (training loss, learning rate). */
  steps: StepPoint[];
  /** What the first trainStart recorded: lesionseg version, commit, backend, start date. */
  provenance: Record<string, unknown> | null;
  backend: string | null;
  /** Wall-clock time of the first and last event (ISO), when the log has them. */
  startedAt: string | null;
  endedAt: string | null;
  /** Which model validation scored (EMA or raw): the weights the best checkpoint was chosen by. */
  validationModel: string | null;
}

interface EventLine {
  type: string;
  iteration: number;
  elapsedMs: number;
  [field: string]: unknown;
}

export function parseEventsJsonl(text: string, source: string): EventLine[] {
  const events: EventLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A run killed mid-write can leave a partial last line: tolerate only that one.
      if (
        i === text.split('\n').length - 1 ||
        text
          .split('\n')
          .slice(i + 1)
          .every((l) => l.trim() === '')
      )
        return;
      throw new Error(`${source}:${i + 1}: not valid JSON`);
    }
    const e = value as Partial<EventLine>;
    if (typeof e.type !== 'string' || typeof e.iteration !== 'number' || typeof e.elapsedMs !== 'number') {
      throw new Error(`${source}:${i + 1}: an event needs "type", "iteration" and "elapsedMs"`);
    }
    events.push(e as EventLine);
  });
  return events;
}

export function summarizeEvents(events: readonly EventLine[], name: string, dir: string, config: unknown): RunSummary {
  const curve: CurvePoint[] = [];
  const steps: StepPoint[] = [];
  let iterations = 0;
  let trainingMs = 0;
  let provenance: Record<string, unknown> | null = null;
  let backend: string | null = null;
  let validationModel: string | null = null;
  const times = events.map((e) => e.time).filter((t): t is string => typeof t === 'string');
  for (const e of events) {
    if (e.type === 'validationDone' && typeof e.dice === 'number') {
      curve.push({ elapsedMs: e.elapsedMs, dice: e.dice });
      if (typeof e.model === 'string') validationModel = e.model;
    }
    if (e.type === 'stepDone') {
      iterations = Math.max(iterations, e.iteration);
      trainingMs = Math.max(trainingMs, e.elapsedMs);
      if (typeof e.loss === 'number')
        steps.push({
          iteration: e.iteration,
          elapsedMs: e.elapsedMs,
          loss: e.loss,
          lr: typeof e.lr === 'number' ? e.lr : Number.NaN,
          stepMs: typeof e.stepMs === 'number' ? e.stepMs : Number.NaN,
        });
    }
    if (e.type === 'trainStart' && provenance === null) {
      if (e.provenance && typeof e.provenance === 'object') provenance = e.provenance as Record<string, unknown>;
      if (typeof e.backend === 'string') backend = e.backend;
    }
  }
  const finite = curve.filter((p) => Number.isFinite(p.dice));
  return {
    name,
    dir,
    config,
    curve,
    iterations,
    trainingMs,
    msPerIteration: iterations > 0 ? trainingMs / iterations : null,
    bestDice: finite.length > 0 ? Math.max(...finite.map((p) => p.dice)) : null,
    steps,
    provenance,
    backend,
    startedAt: times[0] ?? null,
    endedAt: times.length > 0 ? times[times.length - 1] : null,
    validationModel,
  };
}

export async function readRunFolder(dir: string, name = basename(dir)): Promise<RunSummary> {
  const eventsPath = runPath(dir, 'events');
  let text: string;
  try {
    text = await readFile(eventsPath, 'utf8');
  } catch (error) {
    throw new Error(`${eventsPath}: cannot read the run's event log (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let config: unknown = null;
  try {
    config = JSON.parse(await readFile(runPath(dir, 'config'), 'utf8'));
  } catch {
    config = null;
  }
  return summarizeEvents(parseEventsJsonl(text, eventsPath), name, dir, config);
}
