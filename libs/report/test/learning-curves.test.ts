import { describe, expect, it } from 'vitest';
import { learningCurveSpec, renderLearningCurves } from '../src/learning-curves.ts';
import { decodePng } from '../src/png.ts';

const series = [
  { name: 'ohem-m0.9', points: [0, 1, 2, 3].map((k) => ({ elapsedMs: k * 60_000, dice: 0.2 * k })) },
  { name: 'oversample-p0.5', points: [0, 1, 2, 3].map((k) => ({ elapsedMs: k * 60_000, dice: 0.1 * k + 0.05 })) },
];

function countNear(img: ReturnType<typeof decodePng>, rgb: [number, number, number], tol = 40): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    if (Math.abs(img.data[i] - rgb[0]) + Math.abs(img.data[i + 1] - rgb[1]) + Math.abs(img.data[i + 2] - rgb[2]) < tol) n++;
  }
  return n;
}

describe('learning curves', () => {
  it('puts every finite point in the spec, in a readable time unit', () => {
    const spec = learningCurveSpec([...series, { name: 'nan', points: [{ elapsedMs: 10, dice: Number.NaN }] }]);
    const values = (spec as { data: { values: { configuration: string; time: number; dice: number }[] } }).data.values;
    expect(values).toHaveLength(8);
    expect(values[3]).toEqual({ configuration: 'ohem-m0.9', time: 180, dice: expect.closeTo(0.6, 12) });
    expect(JSON.stringify(spec)).toContain('training time (seconds)');
    expect(JSON.stringify(learningCurveSpec([{ name: 'a', points: [{ elapsedMs: 3 * 3600_000 + 1, dice: 0.5 }] }]))).toContain('(hours)');
  });

  it('renders an SVG naming each configuration and a PNG with one line colour per configuration', async () => {
    const { svg, png } = await renderLearningCurves(series);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('ohem-m0.9');
    expect(svg).toContain('oversample-p0.5');
    expect(svg).toContain('validation Dice');
    const img = decodePng(png);
    const svgWidth = Number(/width="(\d+)"/.exec(svg)?.[1]);
    expect(img.width).toBe(2 * svgWidth);
    // vega's category10 scheme: blue #4c78a8 for the first series, orange #f58518 for the second
    expect(countNear(img, [0x4c, 0x78, 0xa8])).toBeGreaterThan(200);
    expect(countNear(img, [0xf5, 0x85, 0x18])).toBeGreaterThan(200);
  });
});
