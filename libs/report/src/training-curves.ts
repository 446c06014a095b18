/**
 * One run's training curves, in the spirit of nnU-Net's progress.png: training loss (raw and
 * smoothed) with the validation Dice on a second axis; below, iterations per second with the
 * learning rate on a second axis. All against training time, from events.jsonl. Colours from
 * the Okabe-Ito palette (colour-blind safe).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CurvePoint } from './learning-curves.ts';
import type { StepPoint } from './run-folder.ts';

export const CURVE_COLOURS = {
  loss: '#9ecae1',
  lossSmoothed: '#0072B2',
  dice: '#D55E00',
  rate: '#009E73',
  lr: '#CC79A7',
} as const;

/**
 * Exponential moving average with TensorBoard's debiasing (the first values are not pulled
 * towards 0); the weight grows with the number of steps so long runs still look smooth.
 */
export function smooth(values: readonly number[], weight = values.length > 2000 ? 0.99 : values.length > 200 ? 0.95 : 0.8): number[] {
  let acc = 0;
  let n = 0;
  const out: number[] = [];
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(Number.NaN);
      continue;
    }
    acc = weight * acc + (1 - weight) * v;
    n++;
    out.push(acc / (1 - weight ** n));
  }
  return out;
}

/** At most `max` evenly spaced items (always the last), so a 3-hour log stays a small SVG. */
export function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  const out: T[] = [];
  for (let k = 0; k < max - 1; k++) out.push(items[Math.floor(k * step)]);
  out.push(items[items.length - 1]);
  return out;
}

/** Iterations per second of training time, over about `buckets` equal spans of steps. */
export function iterationRate(steps: readonly StepPoint[], buckets = 60): { elapsedMs: number; rate: number }[] {
  if (steps.length < 2) return [];
  const size = Math.max(1, Math.floor((steps.length - 1) / buckets));
  const out: { elapsedMs: number; rate: number }[] = [];
  for (let i = size; i < steps.length; i += size) {
    const a = steps[i - size];
    const b = steps[i];
    if (b.elapsedMs > a.elapsedMs && b.iteration > a.iteration)
      out.push({ elapsedMs: (a.elapsedMs + b.elapsedMs) / 2, rate: (1000 * (b.iteration - a.iteration)) / (b.elapsedMs - a.elapsedMs) });
  }
  return out;
}

function timeUnit(maxMs: number): { label: string; divisor: number } {
  return maxMs > 3 * 3600_000
    ? { label: 'hours', divisor: 3600_000 }
    : maxMs > 180_000
      ? { label: 'minutes', divisor: 60_000 }
      : { label: 'seconds', divisor: 1000 };
}

export interface TrainingCurvesInput {
  steps: readonly StepPoint[];
  validation: readonly CurvePoint[];
  title?: string;
}

export function trainingCurvesSpec(input: TrainingCurvesInput): TopLevelSpec {
  const maxMs = Math.max(0, ...input.steps.map((s) => s.elapsedMs), ...input.validation.map((v) => v.elapsedMs));
  const unit = timeUnit(maxMs);
  const t = (ms: number) => ms / unit.divisor;
  const smoothed = smooth(input.steps.map((s) => s.loss));
  const lossRows = thin(
    input.steps.map((s, i) => ({
      time: t(s.elapsedMs),
      raw: Number.isFinite(s.loss) ? s.loss : null,
      smoothed: Number.isFinite(smoothed[i]) ? smoothed[i] : null,
    })),
    1500,
  );
  const loss = [
    ...lossRows.map((r) => ({ time: r.time, value: r.raw, series: 'training loss' })),
    ...lossRows.map((r) => ({ time: r.time, value: r.smoothed, series: 'training loss (smoothed)' })),
  ].filter((r) => r.value !== null);
  const dice = input.validation.filter((v) => Number.isFinite(v.dice)).map((v) => ({ time: t(v.elapsedMs), value: v.dice, series: 'validation Dice' }));
  const rate = iterationRate(input.steps).map((r) => ({ time: t(r.elapsedMs), value: r.rate, series: 'iterations / s' }));
  const lr = thin(
    input.steps.filter((s) => Number.isFinite(s.lr) && s.lr > 0),
    800,
  ).map((s) => ({ time: t(s.elapsedMs), value: s.lr, series: 'learning rate' }));
  const x = { field: 'time', type: 'quantitative' as const, title: `training time (${unit.label})` };
  const colour = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: {
      domain: ['training loss', 'training loss (smoothed)', 'validation Dice', 'iterations / s', 'learning rate'],
      range: [CURVE_COLOURS.loss, CURVE_COLOURS.lossSmoothed, CURVE_COLOURS.dice, CURVE_COLOURS.rate, CURVE_COLOURS.lr],
    },
    legend: { orient: 'top' as const, labelLimit: 300, columns: 5 },
  };
  const width = 620;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? 'Training curves',
    vconcat: [
      {
        width,
        height: 240,
        layer: [
          {
            data: { values: loss },
            mark: { type: 'line', strokeWidth: 1.5, clip: true },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative', title: 'training loss', axis: { titleColor: CURVE_COLOURS.lossSmoothed } },
              color: colour,
              detail: { field: 'series' },
            },
          },
          {
            data: { values: dice },
            mark: { type: 'line', point: true, strokeWidth: 2 },
            encoding: {
              x,
              y: {
                field: 'value',
                type: 'quantitative',
                title: 'validation Dice',
                scale: { domain: [0, 1] },
                axis: { orient: 'right', titleColor: CURVE_COLOURS.dice },
              },
              color: colour,
            },
          },
        ],
        resolve: { scale: { y: 'independent' } },
      },
      {
        width,
        height: 150,
        layer: [
          {
            data: { values: rate },
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative', title: 'iterations / s', scale: { zero: true }, axis: { titleColor: CURVE_COLOURS.rate } },
              color: colour,
            },
          },
          {
            data: { values: lr },
            mark: { type: 'line', strokeWidth: 1.5, strokeDash: [4, 2] },
            encoding: {
              x,
              y: {
                field: 'value',
                type: 'quantitative',
                title: 'learning rate',
                scale: { type: 'log' },
                axis: { orient: 'right', format: '.0e', tickCount: 4, titleColor: CURVE_COLOURS.lr },
              },
              color: colour,
            },
          },
        ],
        resolve: { scale: { y: 'independent' } },
      },
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}
