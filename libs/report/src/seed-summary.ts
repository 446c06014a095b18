/**
 * A comparison trained with several seeds per configuration: the learning curves as the mean
 * over seeds with a band from the lowest to the highest seed, and Table 1 rows whose cells are
 * the mean (SEM) over seeds of each seed's cohort mean (so the SEM says how much a
 * configuration's score moves with the seed, not between patients).
 */
import { meanSem, type CohortSummary, type MeanSem } from '@lesionseg/metrics';
import type { TopLevelSpec } from 'vega-lite';
import type { Evaluation } from './evaluation.ts';
import type { RunSummary } from './run-folder.ts';
import type { Table1Row } from './table1.ts';

export interface SeedGroup {
  configuration: string;
  runs: { run: RunSummary; evaluation: Evaluation | null }[];
}

export function groupBySeed(entries: readonly { run: RunSummary; evaluation: Evaluation | null }[], configurationOf: (runName: string) => string): SeedGroup[] {
  const groups = new Map<string, SeedGroup>();
  for (const e of entries) {
    const configuration = configurationOf(e.run.name);
    const g = groups.get(configuration) ?? { configuration, runs: [] };
    g.runs.push(e);
    groups.set(configuration, g);
  }
  return [...groups.values()];
}

export interface SeedCurvePoint {
  elapsedMs: number;
  mean: number;
  min: number;
  max: number;
  seeds: number;
}

/** Validation k of every seed averaged (seeds validate at the same training times); only points all seeds reached. */
export function seedCurve(group: SeedGroup): SeedCurvePoint[] {
  const curves = group.runs.map((r) => r.run.curve.filter((p) => Number.isFinite(p.dice)));
  const n = Math.min(...curves.map((c) => c.length));
  const points: SeedCurvePoint[] = [];
  for (let k = 0; k < n; k++) {
    const dice = curves.map((c) => c[k].dice);
    points.push({
      elapsedMs: curves.reduce((a, c) => a + c[k].elapsedMs, 0) / curves.length,
      mean: dice.reduce((a, b) => a + b, 0) / dice.length,
      min: Math.min(...dice),
      max: Math.max(...dice),
      seeds: dice.length,
    });
  }
  return points;
}

export function seedCurvesSpec(groups: readonly SeedGroup[], title: string): TopLevelSpec {
  const longest = Math.max(0, ...groups.flatMap((g) => g.runs.flatMap((r) => r.run.curve.map((p) => p.elapsedMs))));
  const [divisor, unit] = longest >= 2 * 3_600_000 ? [3_600_000, 'h'] : longest >= 120_000 ? [60_000, 'min'] : [1000, 's'];
  const values = groups.flatMap((g) =>
    seedCurve(g).map((p) => ({ configuration: g.configuration, time: p.elapsedMs / divisor, mean: p.mean, min: p.min, max: p.max })),
  );
  const color = {
    field: 'configuration',
    type: 'nominal',
    title: 'configuration',
    sort: groups.map((g) => g.configuration),
    // Line symbols at full colour: the legend took the bands' 0.2-opacity fill, too pale to tell the configurations apart.
    legend: { symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 3 },
  } as const;
  const x = { field: 'time', type: 'quantitative', title: `training time (${unit})` } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: 320,
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x,
          y: { field: 'min', type: 'quantitative', title: 'validation Dice', scale: { domain: [0, 1] } },
          y2: { field: 'max' },
          color,
        },
      },
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
    ],
  };
}

/** Mean (SEM) over seeds of each seed's cohort mean; n counts the seeds. */
function overSeeds(summaries: readonly CohortSummary[], pick: (s: CohortSummary) => MeanSem): MeanSem {
  return meanSem(summaries.map((s) => pick(s).mean));
}

export function seedTable1Row(group: SeedGroup): Table1Row | null {
  const evaluated = group.runs.filter((r): r is { run: RunSummary; evaluation: Evaluation } => r.evaluation !== null);
  if (evaluated.length === 0) return null;
  const s = evaluated.map((r) => r.evaluation.summary);
  const ms = evaluated.map((r) => r.run.msPerIteration).filter((v): v is number => v !== null);
  const summary: CohortSummary = {
    withNewLesions: {
      nPatients: Math.max(...s.map((x) => x.withNewLesions.nPatients)),
      dice: overSeeds(s, (x) => x.withNewLesions.dice),
      lesionSensitivity: overSeeds(s, (x) => x.withNewLesions.lesionSensitivity),
      lesionPpv: overSeeds(s, (x) => x.withNewLesions.lesionPpv),
      lesionF1: overSeeds(s, (x) => x.withNewLesions.lesionF1),
    },
    withoutNewLesions: {
      nPatients: Math.max(...s.map((x) => x.withoutNewLesions.nPatients)),
      nPredLesions: overSeeds(s, (x) => x.withoutNewLesions.nPredLesions),
      predLesionVolumeMm3: overSeeds(s, (x) => x.withoutNewLesions.predLesionVolumeMm3),
    },
  };
  return {
    configuration: `${group.configuration} (${evaluated.length} seeds)`,
    summary,
    msPerIteration: ms.length > 0 ? ms.reduce((a, b) => a + b, 0) / ms.length : null,
    iterations: Math.round(evaluated.reduce((a, r) => a + r.run.iterations, 0) / evaluated.length),
  };
}
