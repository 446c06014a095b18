/**
 * Learning curves as in the paper's Figure 2: validation Dice against training time, one line
 * per configuration. Built as a vega-lite spec, rendered to SVG by vega on Node (no browser, no
 * canvas) and to PNG by resvg (prebuilt binaries shipped in npm).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface CurvePoint {
  /** Training time in ms (validation and checkpoint pauses excluded). */
  elapsedMs: number;
  dice: number;
}

export interface CurveSeries {
  name: string;
  points: CurvePoint[];
}

export interface ChartOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** Choose minutes or hours for the time axis so its ticks stay readable. */
function timeUnit(series: readonly CurveSeries[]): { label: string; divisor: number } {
  const maxMs = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.elapsedMs)));
  return maxMs > 3 * 3600_000
    ? { label: 'hours', divisor: 3600_000 }
    : maxMs > 180_000
      ? { label: 'minutes', divisor: 60_000 }
      : { label: 'seconds', divisor: 1000 };
}

export function learningCurveSpec(series: readonly CurveSeries[], options: ChartOptions = {}): TopLevelSpec {
  const unit = timeUnit(series);
  const values = series.flatMap((s) =>
    s.points.filter((p) => Number.isFinite(p.dice)).map((p) => ({ configuration: s.name, time: p.elapsedMs / unit.divisor, dice: p.dice })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Validation Dice against training time',
    width: options.width ?? 560,
    height: options.height ?? 320,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'time', type: 'quantitative', title: `training time (${unit.label})` },
      y: { field: 'dice', type: 'quantitative', title: 'validation Dice', scale: { domain: [0, 1] } },
      color: { field: 'configuration', type: 'nominal', title: 'configuration', sort: series.map((s) => s.name) },
    },
  };
}

export async function renderSpecToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise an SVG at `scale` x its size. Text uses the system fonts (DejaVu on Debian). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: 'white', font: { loadSystemFonts: true } });
  return resvg.render().asPng();
}

export async function renderLearningCurves(series: readonly CurveSeries[], options: ChartOptions = {}): Promise<{ svg: string; png: Buffer }> {
  const svg = await renderSpecToSvg(learningCurveSpec(series, options));
  return { svg, png: svgToPng(svg) };
}
